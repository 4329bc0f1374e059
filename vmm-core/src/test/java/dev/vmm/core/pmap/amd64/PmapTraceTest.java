package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.TlbInvalidator;
import dev.vmm.core.vm.VmObject;
import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmPhys;
import dev.vmm.core.vm.VmSystem;
import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The pmap's trace listener ({@link AmdPmapModule#setTrace}) on two vCPUs: calls reported once, when
 * they return, with their arguments and result; a shootdown with its initiator, targets (pm_active),
 * remote targets and the acknowledgement latency the target's instruction counter shows; nothing once
 * the listener is removed.
 */
class PmapTraceTest {
    /** Two vCPUs, both stopped (served at once); vCPU 1's instruction counter advances 42 between reads. */
    static final class Port implements TlbInvalidator {
        long insns1 = 1000;
        @Override public int cpuCount() { return 2; }
        @Override public void invalidatePage(int cpu, long va) { }
        @Override public void invalidateAll(int cpu, boolean global) { }
        @Override public void loadCr3(int cpu, long cr3) { }
        @Override public long instructions(int cpu) { if (cpu != 1) return 0; long n = insns1; insns1 += 42; return n; }
    }

    final List<String> events = new ArrayList<>();
    final PmapTrace recorder = new PmapTrace() {
        @Override
        public void call(String function, long seq, int pmapId, long sva, long eva, long pa, int prot, int flags, long result) {
            events.add(String.format("%s#%d pmap %d %#x %#x pa %#x prot %d flags %#x -> %d", function, seq, pmapId, sva, eva, pa, prot, flags, result));
        }

        @Override
        public void shootdown(Shootdown.Kind kind, int initiator, String inCall, int pmapId, long sva, long eva, long targets, long remote, long latency) {
            events.add(String.format("shootdown %s by %d in %s pmap %d %#x-%#x targets %d remote %d latency %d", kind, initiator, inCall, pmapId, sva, eva, targets, remote, latency));
        }
    };

    @Test
    void callsAndShootdownsAreReportedWithTheirArgumentsAndNothingOnceRemoved() {
        PhysicalMemory mem = new PhysicalMemory(32L << 20);
        VmSystem vm = new VmSystem(new VmPhys(mem, 1L << 20, 32L << 20));
        AmdPmapModule module = AmdPmapModule.install(vm, new Port());
        AmdPmap p = (AmdPmap) module.pinit(true);
        module.setTrace(recorder);
        module.shootdown.setInitiator(0);
        module.activate(0, p);
        module.activate(1, p);
        VmObject obj = vm.allocateObject(16);
        VmPage m = obj.allocPage(0, true);
        m.busy = true;
        long va = 0x7000_0000_0000L;
        assertEquals(KERN_SUCCESS, p.enter(va, m, VM_PROT_RW, VM_PROT_WRITE, 0));
        p.remove(va, va + 4096);
        int id = p.id;
        assertEquals(List.of(
            String.format("pmap_activate#0 pmap %d 0xffffffffffffffff 0xffffffffffffffff pa %#x prot -1 flags 0xffffffff -> %d", id, p.cr3(), PmapTrace.NO_RESULT),
            String.format("pmap_activate#0 pmap %d 0xffffffffffffffff 0xffffffffffffffff pa %#x prot -1 flags 0xffffffff -> %d", id, p.cr3(), PmapTrace.NO_RESULT),
            String.format("pmap_enter#1 pmap %d %#x 0xffffffffffffffff pa %#x prot 3 flags 0x2 -> 0", id, va, m.phys),
            // pmap_remove invalidates its range; pm_active = both vCPUs; cpu0 initiates and invalidates itself, cpu1 gets the request: acknowledged 42 instructions later
            String.format("shootdown RANGE by 0 in pmap_remove#2 pmap %d %#x-%#x targets 3 remote 2 latency 42", id, va, va + 4096),
            String.format("pmap_remove#2 pmap %d %#x %#x pa 0xffffffffffffffff prot -1 flags 0xffffffff -> %d", id, va, va + 4096, PmapTrace.NO_RESULT)),
            events);

        events.clear();
        module.setTrace(null);
        assertEquals(KERN_SUCCESS, p.enter(va, m, VM_PROT_RW, VM_PROT_WRITE, 0));
        p.remove(va, va + 4096);
        assertEquals(List.of(), events, "no listener, no reports");
        assertNull(module.openCall(), "and no call left open");
        assertFalse(module.beginCall("pmap_remove", p, va, va + 4096, null, -1, -1), "neither checker nor trace: calls are not bracketed");
    }
}
