package dev.vmm.core.hv;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault benchmark's rounds work and count right (rates are printed; {@code vmm bench-vm} reports them). */
class PvFaultRateTest {
    @Test
    void everyStoreToAFreshPageIsOneResolvedFaultAndOnePmapEnter() {
        PvFaultBenchmark b = new PvFaultBenchmark(3000);
        PvFaultBenchmark.Round r = null;
        for (int i = 0; i < 3; i++) {
            r = b.faultRound();
            assertEquals(3000, r.faults());
            assertEquals(3000, r.enters(), "no prefault: every neighbour is still unpopulated");
        }
        double enters = b.enterRound();
        b.checkInvariants();
        assertTrue(r.seconds() > 0 && enters > 0);
        System.out.printf("pv fault path: %.0f faults/s, %.0f pmap_enter/s in faults; pmap_enter alone %.0f/s%n",
            r.faultsPerSecond(), r.entersPerSecond(), enters);
    }
}
