package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.pmap.PmapModule;
import dev.vmm.core.pmap.TlbInvalidator;
import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmPhys;
import dev.vmm.core.vm.VmSystem;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.TlbChecker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static dev.vmm.core.pmap.amd64.PmapBits.*;

/**
 * The amd64 pmap module: bootstrap (the kernel pmap with its direct map of RAM and pre-allocated
 * kernel page-directory-pointer pages, so that every user pmap's copy of the kernel half of the PML4
 * sees kernel page tables added later), pmap creation and release, pmap_activate, kernel-only mappings
 * (qenter, quick_enter_page, growkernel) and the per-page functions ({@link PmapPages}).
 *
 * <p>Ownership: the VM lock ({@link VmSystem}); (c) fields are fixed after {@link #init}.
 */
public final class AmdPmapModule implements PmapModule {
    /** (c) */
    final VmSystem vm;
    final PhysicalMemory mem;
    final VmPhys phys;
    final PvTable pv;
    public final PmapCounters counters = new PmapCounters();
    public final Shootdown shootdown;
    /**
     * Test seam, null in use: called with an entry's address right after the pmap read it, so that a
     * test can play another vCPU's page walker setting PG_A/PG_M at the worst moment (PmapRaceTest).
     */
    java.util.function.LongConsumer afterEntryLoad;
    private AmdPmap kernelPmap;
    /** Every pmap not yet released (for the invariant checker). */
    final Set<AmdPmap> pmaps = new LinkedHashSet<>();
    /** The next pmap number ({@link AmdPmap#id}). */
    int pmapIds;
    /** curpmap of each vCPU. */
    private final AmdPmap[] curpmap;
    /** kernel_vm_end: kernel page tables exist below this address. */
    long kernelVmEnd = VM_MIN_KERNEL_ADDRESS;
    private long quickVa;
    /** The TLB checker's pmap rule, or null. */
    private TlbChecker checker;
    /** The monitor's trace, or null. */
    private PmapTrace trace;
    /** checker or trace set: only then are calls bracketed (otherwise a pmap call pays this one test). */
    private boolean bracketing;
    /** Pmap calls nest (pmap_enter reclaiming pv chunks removes other mappings): only the outermost is reported. */
    private int callDepth;
    private long callSeq;
    /** The outermost open call: the checker's token (null when the checker was off at its start) and its arguments. */
    private String checkerToken;
    private TlbChecker callChecker;
    private String callName;
    private int callPmap, callProt, callFlags;
    private long callSva, callEva, callPa;
    /** pagesizes[]: the CPU reports 1 GiB pages (CPUID 0x80000001 EDX bit 26), so psind 2 is there with superpages. */
    private long[] pagesizes = {4096, NBPDR, NBPDP};

    /** Creates the module, runs pmap_bootstrap and pmap_init, and installs it in {@code vm}. */
    public static AmdPmapModule install(VmSystem vm, TlbInvalidator port) {
        AmdPmapModule m = new AmdPmapModule(vm, port);
        vm.setPmap(m);
        m.init();
        return m;
    }

    private AmdPmapModule(VmSystem vm, TlbInvalidator port) {
        this.vm = vm;
        this.phys = vm.phys();
        this.mem = phys.memory();
        this.pv = new PvTable(this, phys);
        this.shootdown = new Shootdown(port, counters);
        this.shootdown.module = this;
        this.curpmap = new AmdPmap[Math.max(1, port.cpuCount())];
    }

    boolean superpagesEnabled() { return vm.superpagesEnabled(); }

    /**
     * Turns the TLB checker's pmap rule on: every pmap call that may change entries runs between
     * {@link TlbChecker#beginPmapCall} and {@link TlbChecker#endPmapCall} (named like "pmap_remove#17"), so
     * a vCPU that uses a translation the call changed after it returned is reported against that call.
     */
    public void setTlbChecker(TlbChecker c) { checker = c; bracketing = c != null || trace != null; }

    /**
     * Sets (or with null removes) the trace listener: every outermost pmap call that may change entries,
     * pmap_activate, promotions and demotions, and every shootdown. Set with the VM lock held.
     */
    public void setTrace(PmapTrace t) {
        trace = t;
        shootdown.trace = t;
        bracketing = checker != null || t != null;
    }

    /**
     * Opens pmap call {@code name} (on pmap {@code p}, or null for per-page functions; {@code sva}/{@code eva}
     * the address or range, -1 when absent; {@code m} the page, or null) for the checker and the trace.
     * Returns whether {@link #endCall} has work; false at once when neither is on.
     */
    boolean beginCall(String name, AmdPmap p, long sva, long eva, VmPage m, int prot, int flags) {
        if (!bracketing) return false;
        if (callDepth++ > 0) return true;
        callSeq++;
        callName = name;
        callPmap = p == null ? -1 : p.id;
        callSva = sva;
        callEva = eva;
        callPa = m == null ? -1 : m.phys;
        callProt = prot;
        callFlags = flags;
        callChecker = checker;
        if (callChecker != null) {
            checkerToken = name + "#" + callSeq;
            callChecker.beginPmapCall(checkerToken);
        }
        return true;
    }

    /** Closes the call {@link #beginCall} opened (its invalidations and shootdowns are complete) with its result. */
    void endCall(boolean open, long result) {
        if (!open || --callDepth > 0) return;
        if (callChecker != null) { callChecker.endPmapCall(checkerToken); callChecker = null; checkerToken = null; }
        PmapTrace t = trace;
        if (t != null) t.call(callName, callSeq, callPmap, callSva, callEva, callPa, callProt, callFlags, result);
    }

    /** The open pmap call as the checker names it ("pmap_protect#12"), or null. */
    String openCall() { return callDepth > 0 ? callName + "#" + callSeq : null; }

    /** Reports work inside a call (promotion, demotion) or outside one (pmap_activate) to the trace. */
    void traceEvent(String function, AmdPmap p, long sva, long eva, long pa, int prot) {
        PmapTrace t = trace;
        if (t != null) t.call(function, 0, p.id, sva, eva, pa, prot, -1, PmapTrace.NO_RESULT);
    }

    @Override
    public void init() {
        if (kernelPmap != null) return;
        VmPage top = wiredZeroPage();
        kernelPmap = new AmdPmap(this, top, true);
        // The direct map: all RAM with 2 MiB global, non-executable pages (PML4 slots 496...).
        for (long[] r : mem.ramRanges()) {
            for (long pa = r[0] & ~PDRMASK; pa < r[1]; pa += NBPDR) {
                long va = DMAP_MIN_ADDRESS + pa;
                long pdeA = kernelTable(va, 2);
                mem.write64(pdeA, pa | PG_V | PG_RW | PG_A | PG_M | PG_PS | PG_G | PG_NX);
            }
        }
        kernelTable(VM_MIN_KERNEL_ADDRESS, 3); // the kernel-map PDP page, shared by every user pmap
        quickVa = 0;
        pmaps.add(kernelPmap);
        if (!superpagesEnabled()) pagesizes = new long[]{4096};
    }

    @Override
    public void init2() { }

    private VmPage wiredZeroPage() {
        VmPage m = phys.allocWait();
        mem.zero(m.phys, 4096);
        m.wire();
        return m;
    }

    /** The kernel pmap's entry address for {@code va} at {@code level}, creating the tables above it. */
    private long kernelTable(long va, int level) {
        long a = kernelPmap.pml4eAddr(va);
        for (int l = 4; l > level; l--) {
            long e = mem.read64(a);
            if ((e & PG_V) == 0) {
                VmPage t = wiredZeroPage();
                t.pindex = l - 1;
                e = t.phys | PG_V | PG_RW | PG_A | PG_M;
                mem.write64(a, e);
            }
            int idx = l == 4 ? pdpIndex(va) : l == 3 ? pdIndex(va) : ptIndex(va);
            a = (e & PG_FRAME) + ((long) idx << 3);
        }
        return a;
    }

    @Override public Pmap kernelPmap() { return kernelPmap; }

    /**
     * Maps physical [0, physEnd) at {@code va} in the kernel pmap with 2 MiB global, writeable,
     * executable supervisor pages (FreeBSD's KERNBASE mapping of the kernel's own image). A pv guest
     * kernel runs there, so it stays mapped in every pv address space it activates. Must be called
     * before the first user pmap is created (the kernel half of the top level is copied at pmap_pinit).
     */
    public void mapKernelWindow(long va, long physEnd) {
        if ((va & PDRMASK) != 0 || isUser(va) || physEnd <= 0) throw new IllegalArgumentException("bad kernel window");
        if (pmaps.size() > 1) throw new IllegalStateException("mapKernelWindow after pmap_pinit");
        for (long pa = 0; pa < physEnd; pa += NBPDR) {
            mem.write64(kernelTable(va + pa, 2), pa | PG_V | PG_RW | PG_A | PG_M | PG_PS | PG_G);
        }
    }

    @Override
    public Pmap pinit0() {
        AmdPmap p = new AmdPmap(this, kernelPmap.pml4, false);
        pmaps.add(p);
        return p;
    }

    @Override
    public Pmap pinit(boolean wait) {
        VmPage top = wait ? phys.allocWait() : phys.alloc(false);
        if (top == null) return null;
        mem.zero(top.phys, 4096);
        top.wire();
        AmdPmap p = new AmdPmap(this, top, false);
        copyKernelSlots(p);
        p.residentCount = 1; // the top-level page
        pmaps.add(p);
        return p;
    }

    void copyKernelSlots(AmdPmap p) {
        if (p.pml4 == kernelPmap.pml4) return;
        for (int i = NUPML4E; i < 512; i++) mem.write64(p.pml4.phys + i * 8L, mem.read64(kernelPmap.pml4.phys + i * 8L));
    }

    void release(AmdPmap p) {
        if (p.isKernel()) throw new IllegalStateException("pmap_release: kernel pmap");
        if (p.active != 0) throw new IllegalStateException("pmap_release: " + p + " still active on " + Long.toBinaryString(p.active));
        boolean ownTop = p.pml4 != kernelPmap.pml4;
        long expect = ownTop ? 1 : 0;
        if (p.residentCount != expect || p.wiredCount != 0 || !p.savedPtp.isEmpty()) {
            throw new IllegalStateException(String.format("pmap_release: %s still has mappings (resident %d, wired %d)", p, p.residentCount, p.wiredCount));
        }
        for (int i = 0; i < NUPML4E; i++) {
            if ((mem.read64(p.pml4.phys + i * 8L) & PG_V) != 0) throw new IllegalStateException("pmap_release: reserved page table page(s)");
        }
        if (ownTop) { p.residentCount = 0; p.freePtp(p.pml4); }
        p.released = true;
        pmaps.remove(p);
    }

    @Override public long[] pagesizes() { return pagesizes.clone(); }

    @Override
    public void activate(int cpu, Pmap pmap) {
        AmdPmap p = (AmdPmap) pmap;
        if (p.released) throw new IllegalStateException("pmap_activate: released " + p);
        AmdPmap old = curpmap[cpu];
        if (old != null) old.active &= ~(1L << cpu);
        p.active |= 1L << cpu;
        curpmap[cpu] = p;
        shootdown.port().loadCr3(cpu, p.cr3());
        if (trace != null) traceEvent("pmap_activate", p, -1, -1, p.cr3(), -1);
    }

    /** The pmap vCPU {@code cpu} runs on, or null. */
    public Pmap current(int cpu) { return curpmap[cpu]; }

    @Override
    public void growkernel(long addr) {
        boolean c = beginCall("pmap_growkernel", kernelPmap, addr, -1, null, -1, -1);
        try { growkernel0(addr); } finally { endCall(c, PmapTrace.NO_RESULT); }
    }

    private void growkernel0(long addr) {
        long end = (addr + PDRMASK) & ~PDRMASK;
        if (Long.compareUnsigned(end, VM_MIN_KERNEL_ADDRESS + (1L << 39)) > 0) throw new IllegalStateException(String.format("pmap_growkernel: %#x beyond the kernel map", addr));
        while (Long.compareUnsigned(kernelVmEnd, end) < 0) {
            long pdeA = kernelTable(kernelVmEnd, 2);
            if ((mem.read64(pdeA) & PG_V) == 0) {
                VmPage t = wiredZeroPage();
                t.pindex = 1;
                mem.write64(pdeA, t.phys | PG_V | PG_RW | PG_A | PG_M);
            }
            kernelVmEnd += NBPDR;
        }
    }

    public long kernelVmEnd() { return kernelVmEnd; }

    @Override public long map(long start, long end, int prot) { return DMAP_MIN_ADDRESS + start; }

    /** PHYS_TO_DMAP */
    public static long physToDmap(long pa) { return DMAP_MIN_ADDRESS + pa; }

    @Override
    public void qenter(long va, List<VmPage> pages) {
        boolean c = beginCall("pmap_qenter", kernelPmap, va, va + ((long) pages.size() << 12), pages.isEmpty() ? null : pages.getFirst(), -1, -1);
        try { qenter0(va, pages); } finally { endCall(c, PmapTrace.NO_RESULT); }
    }

    private void qenter0(long va, List<VmPage> pages) {
        long old = 0;
        for (int i = 0; i < pages.size(); i++) {
            long pteA = kernelPteAddr(va + ((long) i << 12));
            long pa = pages.get(i).phys;
            long cur = mem.read64(pteA);
            if ((cur & PG_FRAME) != pa || (cur & PG_V) == 0) {
                old |= cur;
                mem.write64(pteA, pa | PG_G | PG_NX | PG_A | PG_M | PG_RW | PG_V);
            }
        }
        if ((old & PG_V) != 0) shootdown.invalidateRange(kernelPmap, va, va + ((long) pages.size() << 12));
    }

    @Override
    public void qremove(long va, int count) {
        boolean c = beginCall("pmap_qremove", kernelPmap, va, va + ((long) count << 12), null, -1, -1);
        try { qremove0(va, count); } finally { endCall(c, PmapTrace.NO_RESULT); }
    }

    private void qremove0(long va, int count) {
        for (int i = 0; i < count; i++) mem.write64(kernelPteAddr(va + ((long) i << 12)), 0);
        shootdown.invalidateRange(kernelPmap, va, va + ((long) count << 12));
    }

    private long kernelPteAddr(long va) {
        long a = kernelPmap.pteAddr(va);
        if (a < 0 || Long.compareUnsigned(va, kernelVmEnd) >= 0 || Long.compareUnsigned(va, VM_MIN_KERNEL_ADDRESS) < 0) {
            throw new IllegalStateException(String.format("pmap_qenter: va %#x outside the grown kernel map", va));
        }
        return a;
    }

    @Override
    public long quickEnterPage(VmPage m) {
        if (quickVa != 0) throw new IllegalStateException("pmap_quick_enter_page: nested");
        quickVa = physToDmap(m.phys); // amd64 uses the direct map
        return quickVa;
    }

    @Override
    public void quickRemovePage(long va) {
        if (va != quickVa || va == 0) throw new IllegalStateException(String.format("pmap_quick_remove_page: %#x not entered", va));
        quickVa = 0;
    }

    @Override
    public void objectInitPt(Pmap pmap, long addr, List<VmPage> pages, long size) {
        boolean c = beginCall("pmap_object_init_pt", (AmdPmap) pmap, addr, addr + size, pages.isEmpty() ? null : pages.getFirst(), -1, -1);
        try { objectInitPt0(pmap, addr, pages, size); } finally { endCall(c, PmapTrace.NO_RESULT); }
    }

    private void objectInitPt0(Pmap pmap, long addr, List<VmPage> pages, long size) {
        AmdPmap p = (AmdPmap) pmap;
        if ((addr & PDRMASK) != 0 || (size & PDRMASK) != 0 || pages.isEmpty() || !superpagesEnabled()) return;
        long pa0 = pages.getFirst().phys;
        if ((pa0 & PDRMASK) != 0) return;
        for (int i = 0; i < pages.size(); i++) {
            VmPage m = pages.get(i);
            if (m.managed || m.phys != pa0 + ((long) i << 12)) return; // device pages only, contiguous
        }
        for (long off = 0; off + NBPDR <= size && off < ((long) pages.size() << 12); off += NBPDR) {
            long pdeA = p.allocEntry(addr + off, 2, true);
            if (pdeA < 0) return;
            if ((p.load(pdeA) & PG_V) != 0) { p.ref(pdeA, -1); continue; }
            p.store(pdeA, (pa0 + off) | PG_PS | PG_M | PG_A | PG_U | PG_RW | PG_V);
            p.residentCount += NPTEPG;
            counters.pdeMappings++;
        }
    }

    /** A page for pmap internals when none is free: reclaim pv chunks of other pmaps, then wait (page daemon). */
    VmPage allocPageReclaiming(AmdPmap locked) {
        while (true) {
            VmPage m = phys.alloc(false);
            if (m != null) return m;
            if (!pv.reclaimOne(locked)) return phys.allocWait();
        }
    }

    public List<Pmap> livePmaps() { return Collections.unmodifiableList(new ArrayList<>(pmaps)); }

    public long pvEntries() { return pv.entries; }

    public long pvChunks() { return pv.chunks; }

    public long reclaimedMappings() { return pv.reclaimedMappings; }

    // ---- per-page functions -------------------------------------------------------------------

    @Override public void pageInit(VmPage m) { pv.pageInit(m); }

    @Override public void clearModify(VmPage m) {
        boolean c = beginCall("pmap_clear_modify", null, -1, -1, m, -1, -1);
        try { PmapPages.clearModify(this, m); } finally { endCall(c, PmapTrace.NO_RESULT); }
    }

    @Override public boolean isModified(VmPage m) { return PmapPages.test(this, m, true); }

    @Override public boolean isReferenced(VmPage m) { return PmapPages.test(this, m, false); }

    @Override public boolean pageExistsQuick(Pmap pmap, VmPage m) { return PmapPages.existsQuick(this, (AmdPmap) pmap, m); }

    @Override public int pageWiredMappings(VmPage m) { return PmapPages.wiredMappings(this, m); }

    @Override public void removeAll(VmPage m) {
        boolean c = beginCall("pmap_remove_all", null, -1, -1, m, -1, -1);
        try { PmapRemove.removeAll(this, m); } finally { endCall(c, PmapTrace.NO_RESULT); }
    }

    @Override public void removeWrite(VmPage m) {
        boolean c = beginCall("pmap_remove_write", null, -1, -1, m, -1, -1);
        try { PmapPages.removeWrite(this, m); } finally { endCall(c, PmapTrace.NO_RESULT); }
    }

    @Override public int tsReferenced(VmPage m) {
        boolean c = beginCall("pmap_ts_referenced", null, -1, -1, m, -1, -1);
        long r = PmapTrace.THREW;
        try { int n = PmapPages.tsReferenced(this, m); r = n; return n; } finally { endCall(c, r); }
    }

    @Override public void copyPage(VmPage src, VmPage dst) {
        byte[] b = new byte[4096];
        mem.readBytes(src.phys, b, 0, 4096);
        mem.writeBytes(dst.phys, b);
    }

    @Override public void zeroPage(VmPage m) { mem.zero(m.phys, 4096); }

    @Override public void zeroPageArea(VmPage m, int off, int size) {
        if (off < 0 || size < 0 || off + size > 4096) throw new IllegalArgumentException("pmap_zero_page_area: beyond the page");
        mem.zero(m.phys + off, size);
    }

    @Override public void checkInvariants() { PmapInvariants.check(this); }
}
