package dev.vmm.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The guest kernels that ship with vmm, as classpath resources {@code /dev/vmm/images/<name>.bin}.
 * (Minimal stand-in so the console compiles; the images work brings the real one.)
 */
public final class ImageCatalog {
    private static final String DIR = "dev/vmm/images/";
    private static final String SUFFIX = ".bin";

    private ImageCatalog() { }

    /** The image called {@code name} ({@code hello}, {@code bench}, ...), or empty if there is none. */
    public static Optional<byte[]> find(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            return Optional.empty();
        }
        try (InputStream in = ImageCatalog.class.getResourceAsStream("/" + DIR + name + SUFFIX)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of all images on the classpath next to this class, sorted. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        try {
            Path source = Path.of(ImageCatalog.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(source)) {
                Path dir = source.resolve(DIR);
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> files = Files.list(dir)) {
                        files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
                                .forEach(n -> names.add(n.substring(0, n.length() - SUFFIX.length())));
                    }
                }
            } else {
                try (JarFile jar = new JarFile(source.toFile())) {
                    jar.stream().map(e -> e.getName())
                            .filter(n -> n.startsWith(DIR) && n.endsWith(SUFFIX) && n.indexOf('/', DIR.length()) < 0)
                            .forEach(n -> names.add(n.substring(DIR.length(), n.length() - SUFFIX.length())));
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return List.of();
        }
        names.sort(null);
        return List.copyOf(names);
    }
}
