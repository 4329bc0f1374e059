package dev.vmm.core.hv;

import dev.vmm.core.ExitStatus;
import dev.vmm.core.Machine;
import dev.vmm.core.MachineConfig;
import dev.vmm.core.boot.MemoryMap;
import dev.vmm.images.ImageCatalog;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * images/pvtest booted through {@link Machine} in pv mode: a guest kernel that creates its address
 * spaces by hypercall, runs ring-3 code whose faults the VMM's vm_fault resolves, forks and checks copy
 * on write both ways, and receives the one fault vm_fault cannot resolve through its own IDT.
 */
class PvGuestKernelTest {
    private static final MachineConfig CONFIG = new MachineConfig(64L << 20, "", List.of(), 1);

    private record Run(ExitStatus status, String serial, Machine machine) { }

    private static Run boot(MachineConfig config) throws Exception {
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        Machine m = new Machine(config, serial, null);
        m.loadMultiboot("pvtest", ImageCatalog.find("pvtest").orElseThrow());
        ExitStatus status = m.run();
        m.close();
        return new Run(status, serial.toString(StandardCharsets.ISO_8859_1), m);
    }

    @Test
    void thePvGuestKernelPassesEveryCheck() throws Exception {
        Run r = boot(CONFIG.withPv(true));
        assertEquals(List.of(
            "pvtest: long mode, running at KERNBASE",
            "PASS address space created, mapped and activated by hypercall",
            "PASS ring 3 touched 64 fresh pages, faults resolved by vm_fault",
            "PASS fork: child wrote its copy, parent intact",
            "PASS fork: parent wrote its copy, child intact",
            "PASS unresolvable #PF delivered to the guest with CR2 and error code",
            "PASS address spaces destroyed",
            "pvtest: all passed"), r.serial().lines().toList());
        assertEquals(ExitStatus.Kind.DEBUG_EXIT, r.status().kind());
        PvMemory pv = r.machine().pvMemory();
        // 64 first touches, 64 + 64 copy-on-write stores, plus the kernel's copy of the user code.
        assertTrue(pv.faultsResolved >= 64 * 3 + 1, "faults resolved: " + pv.faultsResolved);
        assertEquals(1, pv.faultsToGuest, "only the deliberate bad load reached the guest");
        assertTrue(pv.vm().counters.cowFaults + pv.vm().counters.cowOptim >= 64, "copy on write happened");
        assertEquals(pv.vm().phys().pageCount() - pv.vm().phys().freeCount(), pinnedPages(pv),
            "destroying both spaces gave every page back but the kernel pmap's own tables");
    }

    /** Pages the kernel pmap keeps for itself: wired page-table pages. */
    private static long pinnedPages(PvMemory pv) {
        long n = 0;
        for (int i = 0; i < pv.vm().phys().pageCount(); i++) {
            var m = pv.vm().phys().pageAt(i);
            if (!m.isFree() && m.wireCount > 0 && !m.managed) n++;
        }
        return n;
    }

    @Test
    void withoutPvModeVmcallIsInvalidOpcodeAndTheGuestSaysSo() throws Exception {
        Run r = boot(CONFIG);
        assertNull(r.machine().pvMemory());
        assertTrue(r.serial().contains("FAIL pvtest"), r.serial());
        assertFalse(r.serial().contains("PASS"), r.serial());
    }

    @Test
    void pvModeReportsThePoolReservedToTheGuest() {
        try (Machine m = new Machine(CONFIG.withPv(true), null, null)) {
            long base = PvMemory.poolBase(m.memory());
            assertEquals(32L << 20, base, "the upper half of 64 MiB");
            List<MemoryMap.Entry> map = MemoryMap.of(m.memory(), base);
            assertTrue(map.contains(new MemoryMap.Entry(base, (64L << 20) - base, MemoryMap.TYPE_RESERVED)), map.toString());
            assertTrue(map.contains(new MemoryMap.Entry(MemoryMap.HIGH_MEMORY, base - MemoryMap.HIGH_MEMORY, MemoryMap.TYPE_AVAILABLE)));
        }
    }
}
