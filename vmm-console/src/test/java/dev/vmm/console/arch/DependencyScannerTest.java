package dev.vmm.console.arch;

import dev.vmm.console.arch.DependencyScanner.Rule;
import dev.vmm.console.arch.DependencyScanner.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scanner on synthetic source trees that break, or only seem to break, the rules. */
class DependencyScannerTest {
    @TempDir
    Path root;

    private Path write(String module, String relative, String source) throws IOException {
        Path file = DependencyRulesTest.src(root, module).resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, source);
    }

    private List<Violation> checkAll() throws IOException {
        return DependencyRulesTest.rules(root).stream().flatMap(r -> {
            try {
                return DependencyScanner.check(r).stream();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    private void cleanModules() throws IOException {
        for (String m : List.of("vmm-mmu", "vmm-cpu", "vmm-core", "images")) {
            write(m, "dev/vmm/Placeholder.java", "package dev.vmm;\nclass Placeholder { }\n");
        }
    }

    @Test
    void aCleanTreePasses() throws IOException {
        cleanModules();
        write("vmm-core", "dev/vmm/core/Machine.java", """
                package dev.vmm.core;
                import dev.vmm.cpu.Cpu;
                import dev.vmm.mmu.PhysicalMemory;
                class Machine { dev.vmm.images.ImageCatalog c; }
                """);
        assertEquals(List.of(), checkAll());
    }

    @Test
    void findsAnImportUpTheArrows() throws IOException {
        cleanModules();
        Path file = write("vmm-mmu", "dev/vmm/mmu/Walker.java", """
                package dev.vmm.mmu;

                import dev.vmm.cpu.CpuState;
                class Walker { }
                """);
        List<Violation> v = checkAll();
        assertEquals(1, v.size(), v.toString());
        assertEquals(file, v.getFirst().file());
        assertEquals(3, v.getFirst().line());
        assertEquals("dev.vmm.cpu.CpuState", v.getFirst().reference());
    }

    @Test
    void findsFullyQualifiedReferencesAndStaticImports() throws IOException {
        cleanModules();
        write("vmm-cpu", "dev/vmm/cpu/Exec.java", """
                package dev.vmm.cpu;
                import static dev.vmm.core.Machine.DEFAULT;
                class Exec { void f(dev.vmm.core.Machine m) { } }
                """);
        write("vmm-core", "dev/vmm/core/Uart.java", """
                package dev.vmm.core;
                class Uart { io.netty.buffer.ByteBuf b; org.jline.terminal.Terminal t; picocli.CommandLine c; }
                """);
        write("images", "dev/vmm/images/Catalog.java", """
                package dev.vmm.images;
                import dev.vmm.mmu.PhysicalMemory;
                class Catalog { }
                """);
        List<String> refs = checkAll().stream().map(Violation::reference).toList();
        assertEquals(List.of("dev.vmm.core.Machine.DEFAULT", "dev.vmm.core.Machine", "io.netty.buffer.ByteBuf",
                "org.jline.terminal.Terminal", "picocli.CommandLine", "dev.vmm.mmu.PhysicalMemory"), refs);
    }

    @Test
    void theVmPackageMustNotReachIntoPmapAmd64() throws IOException {
        cleanModules();
        write("vmm-core", "dev/vmm/core/pmap/amd64/AmdPmap.java", """
                package dev.vmm.core.pmap.amd64;
                import dev.vmm.core.pmap.Pmap;
                class AmdPmap implements Pmap { }
                """);
        write("vmm-core", "dev/vmm/core/vm/VmMap.java", """
                package dev.vmm.core.vm;
                import dev.vmm.core.pmap.Pmap;
                class VmMap { Pmap pmap; }
                """);
        assertEquals(List.of(), checkAll());
        write("vmm-core", "dev/vmm/core/vm/VmFault.java", """
                package dev.vmm.core.vm;
                import dev.vmm.core.pmap.amd64.AmdPmap;
                class VmFault { }
                """);
        List<Violation> v = checkAll();
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.getFirst().rule().startsWith("vm talks to the Pmap interface"), v.toString());
    }

    @Test
    void commentsStringsAndLookalikesAreNoViolation() throws IOException {
        cleanModules();
        write("vmm-mmu", "dev/vmm/mmu/Tlb.java", """
                package dev.vmm.mmu;
                /** Unlike {@link dev.vmm.core.Machine}, this knows nothing of devices. */
                class Tlb {
                    // dev.vmm.cpu.Cpu fills us
                    /* io.netty.Channel */
                    String s = "dev.vmm.core.Machine";
                    String block = \"""
                        picocli.CommandLine
                        \""";
                    char q = '"';
                    dev.vmm.corex.Thing lookalike;
                    dev.vmm.mmu.Tlb self;
                    mydev.vmm.core.X suffix;
                }
                """);
        assertEquals(List.of(), checkAll());
    }

    @Test
    void aMissingModuleFailsButAFuturePackageDoesNot() throws IOException {
        write("vmm-mmu", "dev/vmm/mmu/A.java", "package dev.vmm.mmu;\nclass A { }\n");
        List<Violation> v = checkAll();
        assertEquals(3, v.size(), v.toString());   // vmm-cpu, vmm-core and images are missing; the vm rule is vacuous
        assertTrue(v.stream().allMatch(x -> x.reference().equals("(no such source directory)")));
    }

    @Test
    void blankingKeepsLinesAndCode() {
        String src = "a /* x\ny */ b // z\n\"s\\\"t\" c '\\'' d";
        String blank = DependencyScanner.blankCommentsAndStrings(src);
        assertEquals(src.length(), blank.length());
        assertEquals(src.lines().count(), blank.lines().count());
        assertEquals(List.of("a", "b", "c", "d"), List.of(blank.trim().split("\\s+")));
        assertFalse(blank.contains("z"));
    }
}
