package dev.vmm.core.sched;

import dev.vmm.core.boot.ImageException;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The deterministic scheduler: one seed replays bit for bit; different seeds reorder the APs. */
class DeterminismTest {

    @Test
    void sameSeedSameOutputAndInstructionCounts() throws ImageException {
        SmpKernelTest.Result a = SmpKernelTest.boot(4, Scheduler.Kind.DETERMINISTIC, 42);
        SmpKernelTest.Result b = SmpKernelTest.boot(4, Scheduler.Kind.DETERMINISTIC, 42);
        assertEquals(a.serial(), b.serial());
        assertEquals(a.instructions(), b.instructions());
        assertEquals(1, a.status().exitCode(), a.serial());
    }

    @Test
    void differentSeedsInterleaveDifferently() throws ImageException {
        Set<List<Integer>> orders = new HashSet<>();
        Set<Long> counts = new HashSet<>();
        for (long seed = 1; seed <= 6; seed++) {
            SmpKernelTest.Result r = SmpKernelTest.boot(4, Scheduler.Kind.DETERMINISTIC, seed);
            assertEquals(1, r.status().exitCode(), r.serial());
            orders.add(SmpKernelTest.apReports(r.serial()));
            counts.add(r.instructions());
        }
        assertTrue(orders.size() >= 2, "the order of the APs' reports should depend on the seed: " + orders);
        assertTrue(counts.size() >= 2, "instruction counts should depend on the seed: " + counts);
    }
}
