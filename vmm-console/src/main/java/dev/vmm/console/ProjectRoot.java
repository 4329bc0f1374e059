package dev.vmm.console;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The source tree vmm was built from, for things that live next to the sources rather than in the jar
 * (the native benchmark yardstick). Found from the {@code vmm.home} system property (the {@code ./vmm}
 * launcher sets it), else upward from the current directory, else upward from the jar.
 */
public final class ProjectRoot {
    private ProjectRoot() { }

    public static Optional<Path> find() {
        String home = System.getProperty("vmm.home");
        if (home != null && !home.isEmpty() && isRoot(Path.of(home))) {
            return Optional.of(Path.of(home).toAbsolutePath().normalize());
        }
        Optional<Path> fromCwd = upwardFrom(Path.of("").toAbsolutePath());
        if (fromCwd.isPresent()) {
            return fromCwd;
        }
        try {
            Path jar = Path.of(ProjectRoot.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return upwardFrom(jar);
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Optional<Path> upwardFrom(Path start) {
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (isRoot(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The parent pom sits next to the console module. */
    static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("vmm-console"));
    }
}
