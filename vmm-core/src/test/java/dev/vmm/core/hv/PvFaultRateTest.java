package dev.vmm.core.hv;

import dev.vmm.core.vm.VmSpace;
import dev.vmm.cpu.Cpu;
import dev.vmm.cpu.Sregs;
import org.junit.jupiter.api.Test;

import static dev.vmm.core.hv.PvMemory.*;
import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Measures the whole fault path (CPU -> walker -> vm_fault -> pmap_enter -> restart) and prints the rate. */
class PvFaultRateTest extends PvRing3Test {
    @Test
    void faultsPerSecondThroughTheWholePath() {
        int n = 12_000;
        long as = hc(HC_VMSPACE_CREATE);
        vm.setSuperpagesEnabled(false);
        long data = hc(HC_MMAP, as, 0x1000_0000L, n * 4096L, VM_PROT_RW, VmSpace.MAP_PRIVATE | VmSpace.MAP_ANON);
        long code = mapCode(as, touchPages(data, n));
        hc(HC_ACTIVATE, as);
        Sregs.setLongMode(cpu, 3, pv.space(as).pmap().cr3(), code, 0);
        long enters0 = pmap.counters.enters;
        long t0 = System.nanoTime();
        assertEquals(Cpu.Exit.BUDGET, cpu.run(8L * n));
        long dt = System.nanoTime() - t0;
        assertEquals(n, pv.faultsResolved);
        pmap.checkInvariants();
        System.out.printf("pv fault path: %d faults in %.1f ms = %.0f faults/s, %.0f pmap_enter/s%n", n, dt / 1e6,
            n * 1e9 / dt, (pmap.counters.enters - enters0) * 1e9 / dt);
    }
}
