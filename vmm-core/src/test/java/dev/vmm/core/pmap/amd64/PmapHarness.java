package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.pmap.TlbInvalidator;
import dev.vmm.core.vm.VmObject;
import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmPhys;
import dev.vmm.core.vm.VmSystem;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.PageWalker;
import dev.vmm.mmu.PagingMode;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.WalkResult;

import java.util.ArrayList;
import java.util.List;

/**
 * A machine-less pmap test bench: RAM, the page array, the amd64 pmap module, a TLB port that records
 * what it is asked to do, and the hardware page walker to read the page tables back independently of
 * the pmap's own code. {@link #check()} runs the invariant checker; the wrappers call it after each op.
 */
final class PmapHarness {
    static final int MODE = PagingMode.of(0x8001_0011L, (1 << 5) | (1 << 7), (1 << 8) | (1 << 10) | (1 << 11));

    /** What the pmap asked the vCPUs to do. */
    static final class RecordingTlb implements TlbInvalidator {
        final List<String> calls = new ArrayList<>();
        final int cpus;
        RecordingTlb(int cpus) { this.cpus = cpus; }
        @Override public int cpuCount() { return cpus; }
        @Override public void invalidatePage(int cpu, long va) { calls.add(String.format("invlpg %d %#x", cpu, va)); }
        @Override public void invalidateAll(int cpu, boolean global) { calls.add("flush " + cpu + (global ? " global" : "")); }
        @Override public void loadCr3(int cpu, long cr3) { calls.add(String.format("cr3 %d %#x", cpu, cr3)); }
    }

    final PhysicalMemory mem;
    final VmPhys phys;
    final VmSystem vm;
    final AmdPmapModule module;
    final RecordingTlb tlb;
    final PageWalker walker;
    final VmObject obj;
    private long nextPindex;

    PmapHarness() { this(64L << 20, 2, true); }

    PmapHarness(long ram, int cpus, boolean superpages) {
        mem = new PhysicalMemory(ram);
        phys = new VmPhys(mem, 1L << 20, ram);
        vm = new VmSystem(phys);
        vm.setSuperpagesEnabled(superpages);
        tlb = new RecordingTlb(cpus);
        module = AmdPmapModule.install(vm, tlb);
        module.shootdown.setRecording(true);
        walker = new PageWalker(mem);
        obj = vm.allocateObject(1 << 20);
    }

    AmdPmap newPmap() { AmdPmap p = (AmdPmap) module.pinit(true); check(); return p; }

    /** A managed, busied page of the test object (from a reservation when superpages are on). */
    VmPage page() {
        VmPage m = obj.allocPage(nextPindex++, true);
        m.busy = true;
        return m;
    }

    /** 512 pages filling one reservation: physically contiguous and 2 MiB aligned. */
    List<VmPage> superpageRun() {
        nextPindex = (nextPindex + 511) & ~511L;
        List<VmPage> l = new ArrayList<>();
        for (int i = 0; i < 512; i++) l.add(page());
        return l;
    }

    void check() { module.checkInvariants(); }

    /** pmap_enter as the VM layer calls it: a wired mapping holds a wiring of its page (vm_fault_wire). */
    int enter(Pmap p, long va, VmPage m, int prot, int flags) {
        long old = leaf(p, va);
        boolean wasWired = (old & PmapBits.PG_V) != 0 && (old & PmapBits.PG_W) != 0 && (old & PmapBits.PG_FRAME) == m.phys;
        boolean wired = (flags & Pmap.ENTER_WIRED) != 0;
        if (wired && !wasWired) m.wire();
        int rv = p.enter(va, m, prot, flags, 0);
        if (!wired && wasWired) m.unwire();
        check();
        return rv;
    }

    /** A walk with no side effects: what a vCPU would find for a user access of kind acc. */
    WalkResult walk(Pmap p, long va, int acc) {
        WalkResult r = new WalkResult();
        walker.walk(p.cr3(), MODE, va, acc, PmapBits.isUser(va), false, r);
        return r;
    }

    boolean canRead(Pmap p, long va) { return walk(p, va, Access.READ).ok(); }

    boolean canWrite(Pmap p, long va) { return walk(p, va, Access.WRITE).ok(); }

    boolean canExec(Pmap p, long va) { return walk(p, va, Access.EXEC).ok(); }

    /** The leaf entry as the walker found it (0 when the walk stopped at a non-present entry above). */
    long leaf(Pmap p, long va) {
        WalkResult r = walk(p, va, Access.READ);
        return r.levels == 0 ? 0 : r.pathEntry[r.levels - 1];
    }

    /** The hardware setting A (and D on a write), as a vCPU's successful walk would. */
    void touch(Pmap p, long va, boolean write) {
        WalkResult r = new WalkResult();
        if (!walker.walk(p.cr3(), MODE, va, write ? Access.WRITE : Access.READ, PmapBits.isUser(va), true, r)) {
            throw new AssertionError(String.format("touch %#x faulted: error %#x", va, r.errorCode));
        }
    }

    List<Shootdown.Invalidation> invalidations() { return module.shootdown.drain(); }
}
