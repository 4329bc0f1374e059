package dev.vmm.console;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeYardstickTest {
    @Test
    void missingSourcesOrCompilerMakeItUnavailableNotAnError(@TempDir Path empty) {
        NativeYardstick.Unavailable e = assertThrows(NativeYardstick.Unavailable.class,
                () -> NativeYardstick.measure(empty, 10, 1));
        assertTrue(e.getMessage().startsWith("gcc"), e.getMessage());
    }

    @Test
    void findsTheProjectRootFromTheModuleDirectory() {
        Path root = ProjectRoot.find().orElseThrow();
        assertTrue(Files.isDirectory(root.resolve("vmm-core")), root.toString());
    }

    /** Runs only where gcc and images/bench's yardstick sources exist (they arrive with the images work). */
    @Test
    void theNativeLoopPrintsTheKnownChecksum() throws Exception {
        Path sources;
        try {
            sources = NativeYardstick.sources();
        } catch (NativeYardstick.Unavailable e) {
            assumeTrue(false, e.getMessage());
            return;
        }
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")) || Files.isExecutable(Path.of("/usr/local/bin/gcc")), "no gcc");
        NativeYardstick.Measurement m = NativeYardstick.measure(sources, 20, 2);
        assertEquals("04959a152ab81a70", m.checksum());
        assertEquals(2, m.repetitions());
    }

    /** vmm bench --native runs the native loop after every guest pair and states the median of the pairs' ratios. */
    @Test
    void benchRunsTheNativeLoopAfterEveryPair() {
        try {
            NativeYardstick.sources();
        } catch (NativeYardstick.Unavailable e) {
            assumeTrue(false, e.getMessage());
        }
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")) || Files.isExecutable(Path.of("/usr/local/bin/gcc")), "no gcc");
        CliTest.Outcome o = CliTest.vmm("bench", "--n1", "10", "--n2", "2000", "--repeat", "3", "--native");
        assertEquals(0, o.status(), o.err());
        assertEquals(3, o.out().lines().filter(l -> l.startsWith("  native N=2000: ")).count(), o.out());
        assertTrue(o.out().contains("native MIPS: "), o.out());
        assertTrue(o.out().lines().anyMatch(l -> l.startsWith("guest/native: ") && l.contains("pairs' ratios to the native run after each")),
                o.out());
    }
}
