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
}
