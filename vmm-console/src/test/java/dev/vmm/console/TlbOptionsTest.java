package dev.vmm.console;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `vmm run --stats`, `--check-tlb`, `--check-tlb-grace` and `--tlb`, end to end with the shipped images. */
class TlbOptionsTest {
    @Test
    void statsShowEachTlbArrayAndTheHitRates() {
        CliTest.Outcome o = CliTest.vmm("run", "--stats", "--serial", "none", "pagetest");
        for (String s : List.of("tlb cpu0:", "L1 DTLB 4K", "L1 ITLB 2M/4M", "STLB 4K/2M", "data lookups", "walks", "INVLPG")) {
            assertTrue(o.err().contains(s), s + " in\n" + o.err());
        }
        assertTrue(!o.err().contains("tlb-check"), "no checker unless asked");
    }

    @Test
    void checkTlbIsSilentOnTheCorrectKernelAndNamesTheMissingInvlpg() {
        CliTest.Outcome ok = CliTest.vmm("run", "--check-tlb", "pagetest");
        assertTrue(ok.err().contains("tlb-check: 0 violation(s)"), ok.err());
        CliTest.Outcome bad = CliTest.vmm("run", "--check-tlb", "--check-tlb-grace", "500", "pagetest-noinvlpg");
        assertTrue(bad.out().contains("FAIL remap-invlpg"), bad.out());
        String rip = bad.out().lines().filter(l -> l.startsWith("stale-use RIP 0x")).findFirst().orElseThrow()
            .substring("stale-use RIP 0x".length()).replaceFirst("^0+", "");
        assertTrue(bad.err().contains("used a stale translation of 0x40000000 at RIP 0x" + rip), bad.err());
        assertTrue(bad.err().contains("tlb-check: 1 violation(s)"), bad.err());
    }

    @Test
    void badGeometryOrGraceIsAOneLineUsageError() {
        CliTest.Outcome o = CliTest.vmm("run", "--tlb", "l1d4k=48x4", "hello");
        assertEquals(2, o.status(), o.err());
        assertEquals(1, o.errLines().size(), o.err());
        assertTrue(o.err().contains("--tlb") && o.err().contains("power of two"), o.err());
        CliTest.Outcome g = CliTest.vmm("run", "--check-tlb-grace", "-1", "hello");
        assertEquals(2, g.status(), g.err());
        assertEquals(1, g.errLines().size(), g.err());
    }

    @Test
    void smallerGeometryRunsAndStillPasses() {
        CliTest.Outcome o = CliTest.vmm("run", "--tlb", "l1d4k=4x1,stlb=16x2,repl=random,psc=0/0/0", "--check-tlb", "pagetest");
        assertTrue(o.out().contains("pagetest: failures 0x0000000000000000"), o.out());
        assertTrue(o.err().contains("tlb-check: 0 violation(s)"), o.err());
    }
}
