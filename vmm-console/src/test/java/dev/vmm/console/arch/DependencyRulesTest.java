package dev.vmm.console.arch;

import dev.vmm.console.arch.DependencyScanner.Rule;
import dev.vmm.console.arch.DependencyScanner.Violation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DESIGN.md's module table, enforced: each module depends only on those below it, vmm-core never on
 * the console's libraries, and inside vmm-core the machine-independent {@code vm} package talks to the
 * {@code Pmap} interface, never to the amd64 implementation (FreeBSD's MI/MD split).
 */
class DependencyRulesTest {
    static final String MMU = "dev.vmm.mmu";
    static final String CPU = "dev.vmm.cpu";
    static final String CORE = "dev.vmm.core";
    static final String CONSOLE = "dev.vmm.console";
    static final List<String> CONSOLE_LIBRARIES = List.of("io.netty", "org.jline", "picocli");

    /** The rules for the project rooted at {@code root}. */
    static List<Rule> rules(Path root) {
        List<String> aboveMmu = new ArrayList<>(List.of(CPU, CORE, CONSOLE));
        aboveMmu.addAll(CONSOLE_LIBRARIES);
        List<String> aboveCpu = new ArrayList<>(List.of(CORE, CONSOLE));
        aboveCpu.addAll(CONSOLE_LIBRARIES);
        List<String> aboveCore = new ArrayList<>(List.of(CONSOLE));
        aboveCore.addAll(CONSOLE_LIBRARIES);
        List<String> notForImages = new ArrayList<>(List.of("dev.vmm"));
        notForImages.addAll(CONSOLE_LIBRARIES);
        return List.of(
                new Rule("vmm-mmu depends on nothing above it", src(root, "vmm-mmu"), null, aboveMmu, List.of(), true),
                new Rule("vmm-cpu depends on nothing of vmm-core or above", src(root, "vmm-cpu"), null, aboveCpu, List.of(), true),
                new Rule("vmm-core imports no Netty, JLine, Picocli or console", src(root, "vmm-core"), null, aboveCore, List.of(), true),
                new Rule("images depends on no vmm module", src(root, "images"), null, notForImages, List.of("dev.vmm.images"), true),
                new Rule("vm talks to the Pmap interface, not to pmap.amd64", src(root, "vmm-core"), "dev.vmm.core.vm",
                        List.of("dev.vmm.core.pmap.amd64"), List.of(), false));
    }

    static Path src(Path root, String module) {
        return root.resolve(module).resolve("src/main/java");
    }

    /** Maven runs tests in the module's directory; the root is the nearest ancestor holding the parent pom and vmm-core. */
    static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("vmm-core"))
                    && Files.isDirectory(p.resolve("vmm-console"))) {
                return p;
            }
        }
        throw new AssertionError("no project root above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyArrowOfTheModuleTableHolds() throws IOException {
        Path root = projectRoot();
        List<Violation> violations = new ArrayList<>();
        for (Rule rule : rules(root)) {
            violations.addAll(DependencyScanner.check(rule));
        }
        assertTrue(violations.isEmpty(), () -> "dependency rules broken:\n" + String.join("\n",
                violations.stream().map(Violation::toString).toList()));
    }

    @Test
    void theRulesSeeRealSources() throws IOException {
        // Guards against the scan passing vacuously because it looked in the wrong place.
        Path root = projectRoot();
        for (String module : List.of("vmm-mmu", "vmm-cpu", "vmm-core", "images")) {
            try (var files = Files.walk(src(root, module))) {
                assertTrue(files.anyMatch(p -> p.toString().endsWith(".java")), module + " has Java sources");
            }
        }
        assertEquals(5, rules(root).size());
    }
}
