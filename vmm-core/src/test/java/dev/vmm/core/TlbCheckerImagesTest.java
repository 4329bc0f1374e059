package dev.vmm.core;

import dev.vmm.images.ImageCatalog;
import dev.vmm.mmu.TlbChecker;
import dev.vmm.mmu.TlbConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLB checker on real guests: silent on correct kernels (hello, bench, pagetest), and on
 * pagetest-noinvlpg it reports exactly the one stale use, at the address and RIP the kernel names.
 */
class TlbCheckerImagesTest {
    record Run(String output, ExitStatus status, TlbChecker checker) { }

    static Run run(String image, boolean check) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MachineConfig cfg = new MachineConfig(64L << 20, "", List.of(), 1, TlbConfig.intel(), check, TlbChecker.DEFAULT_GRACE);
        try (Machine vm = new Machine(cfg, out, null)) {
            vm.loadMultiboot(image, ImageCatalog.find(image).orElseThrow());
            ExitStatus st = vm.run();
            return new Run(out.toString(StandardCharsets.ISO_8859_1), st, vm.tlbChecker());
        }
    }

    @Test
    void pagetestPassesEveryCaseWithAndWithoutTheChecker() throws Exception {
        for (boolean check : new boolean[] {false, true}) {
            Run r = run("pagetest", check);
            assertFalse(r.output.contains("FAIL"), r.output);
            for (String c : List.of("map", "remap-invlpg", "unmap-fault", "wp-fault", "accessed-dirty", "global-invlpg",
                    "global-pge", "large-pages", "pcid")) {
                assertTrue(r.output.contains("PASS " + c + "\n"), c + " in\n" + r.output);
            }
            assertTrue(r.output.contains("pagetest: failures 0x0000000000000000"), r.output);
            if (check) assertEquals(0, r.checker.violationCount(), () -> r.checker.violations().toString());
        }
    }

    @Test
    void checkerIsSilentOnHelloAndBench() throws Exception {
        for (String image : List.of("hello", "bench")) {
            Run r = run(image, true);
            assertEquals(ExitStatus.Kind.DEBUG_EXIT, r.status.kind(), image);
            assertEquals(0, r.checker.violationCount(), () -> image + ": " + r.checker.violations());
            assertTrue(r.checker.counts()[0] > 1000, "the checker saw the TLB hits of " + image);
        }
    }

    @Test
    void missingInvlpgIsReportedAtItsAddressAndRip() throws Exception {
        Run r = run("pagetest-noinvlpg", true);
        assertTrue(r.output.contains("FAIL remap-invlpg"), "the stale translation really is used:\n" + r.output);
        Matcher m = Pattern.compile("stale-use RIP 0x([0-9a-f]{16})").matcher(r.output);
        assertTrue(m.find(), r.output);
        long rip = Long.parseUnsignedLong(m.group(1), 16);
        assertEquals(1, r.checker.violationCount(), () -> r.checker.violations().toString());
        TlbChecker.Violation v = r.checker.violations().get(0);
        assertEquals(0x4000_0000L, v.lin());
        assertEquals(rip, v.rip());
        assertEquals(0, v.cpu());
        assertTrue(v.kind().startsWith("missing invalidation"), v.kind());
        assertTrue(v.write().startsWith("cpu0 at RIP 0x"), v.write());
    }
}
