package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.TlbInvalidator;
import dev.vmm.core.vm.VmObject;
import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmPhys;
import dev.vmm.core.vm.VmSystem;
import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The shootdown protocol with a target on a thread of its own: the initiator invalidates locally, sends
 * the IPI, and the pmap call returns, and frees page-table pages, only after the target's thread
 * applied the request (amd64: pmap_invalidate_* then the free list after smp_targeted_tlb_shootdown).
 */
class ShootdownProtocolTest {
    /** vCPU 1 runs on a thread of its own: invalidations are recorded with the thread that made them. */
    static final class ThreadedPort implements TlbInvalidator {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<Integer> ipis = new LinkedBlockingQueue<>();
        IntConsumer service;
        @Override public int cpuCount() { return 2; }
        @Override public void invalidatePage(int cpu, long va) { calls.add(String.format("invlpg %d %#x on %s", cpu, va, Thread.currentThread().getName())); }
        @Override public void invalidateAll(int cpu, boolean global) { calls.add("flush " + cpu + " on " + Thread.currentThread().getName()); }
        @Override public void loadCr3(int cpu, long cr3) { }
        @Override public boolean targetStopped(int cpu) { return false; }
        @Override public void ipi(int cpu) { ipis.add(cpu); }
        @Override public void connect(IntConsumer s) { service = s; }
    }

    @Test
    void theCallReturnsAndFreesPageTablesOnlyAfterTheTargetAcknowledged() throws Exception {
        PhysicalMemory mem = new PhysicalMemory(32L << 20);
        VmPhys phys = new VmPhys(mem, 1L << 20, 32L << 20);
        VmSystem vm = new VmSystem(phys);
        ThreadedPort port = new ThreadedPort();
        AmdPmapModule module = AmdPmapModule.install(vm, port);
        AmdPmap p = (AmdPmap) module.pinit(true);
        module.shootdown.setInitiator(0);
        module.activate(0, p);
        module.activate(1, p);
        VmObject obj = vm.allocateObject(16);
        VmPage m = obj.allocPage(0, true);
        m.busy = true;
        long va = 0x7000_0000_0000L;
        assertEquals(KERN_SUCCESS, p.enter(va, m, VM_PROT_RW, VM_PROT_WRITE, 0));
        // the PT, PD and PDP pages that hold the mapping; removing it empties all three
        List<VmPage> tables = List.of(p.tablePage(p.pteAddr(va)), p.tablePage(p.pdeAddr(va)), p.tablePage(p.entryAddr(va, 3)));
        assertTrue(tables.stream().noneMatch(VmPage::isFree));

        boolean[] seenByTarget = new boolean[1];
        java.util.concurrent.atomic.AtomicBoolean served = new java.util.concurrent.atomic.AtomicBoolean();
        Thread target = Thread.ofPlatform().name("vcpu1").start(() -> {
            try {
                assertEquals(1, port.ipis.poll(10, TimeUnit.SECONDS));
                Thread.sleep(50);   // the target runs on for a while before its next instruction boundary
                seenByTarget[0] = tables.stream().anyMatch(VmPage::isFree);
                served.set(true);   // the acknowledgement is written inside service(): after this
                port.service.accept(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        String main = Thread.currentThread().getName();
        p.remove(va, va + 4096);
        boolean servedWhenReturned = served.get();
        target.join();
        assertTrue(servedWhenReturned, "pmap_remove returned only after the target's acknowledgement");
        assertEquals(List.of(String.format("invlpg 0 %#x on %s", va, main), String.format("invlpg 1 %#x on vcpu1", va)), port.calls,
            "the initiator first, on its own thread; the target on its thread");
        assertFalse(seenByTarget[0], "no page-table page was freed before the target acknowledged");
        assertTrue(tables.stream().allMatch(VmPage::isFree), "then the empty PT, PD and PDP pages went");
        assertEquals(1, module.counters.shootdowns);
        assertEquals(1, module.counters.shootdownIpis);
        assertEquals(1, module.counters.shootdownAcks);
        module.shootdown.setInitiator(-1);
    }
}
