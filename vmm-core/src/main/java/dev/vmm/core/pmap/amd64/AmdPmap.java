package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.pmap.PmapStatistics;
import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmPhys;
import dev.vmm.mmu.PhysicalMemory;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static dev.vmm.core.pmap.amd64.PmapBits.*;

/**
 * struct pmap for amd64: a 4-level page-table tree in guest RAM whose kernel half (PML4 slots 256-511)
 * is shared with the kernel pmap, pm_stats, pm_active, the pmap's pv chunks and the page-table pages
 * kept by promotions. The pmap(9) operations are in {@link PmapEnter}, {@link PmapRemove},
 * {@link PmapProtect} and {@link PmapSuperpages}; this class holds the state and the table walking
 * (pmap_pml4e, pmap_pdpe, pmap_pde, pmap_pte) and page-table page allocation (pmap_allocpte) and
 * release (pmap_unwire_ptp).
 *
 * <p>Field tags: (c) constant, (p) the pmap lock, (a) changed by pmap_activate on any vCPU.
 * Page-table pages: VmPage.pindex holds the level (1 = PT ... 4 = PML4) and VmPage.refCount the number
 * of valid entries (user pmaps only; kernel page-table pages are never freed).
 *
 * <p>A live entry (one a page walker may be using) is changed only atomically, as FreeBSD does with
 * pte_load_clear, pte_load_store, atomic_clear_long and atomic_cmpset_long: under the parallel
 * scheduler another vCPU's walker may set PG_A or PG_M in it at any moment (with a compare-and-exchange,
 * as the hardware does), and a plain read-modify-write would lose that bit - a dirty page taken for
 * clean. What the operation decides from the old entry (dirty the page, mark it referenced) is decided
 * from the value the atomic operation replaced. Entries that are not valid yet, and the tables the
 * pmap fills before linking them, are stored plainly.
 */
public final class AmdPmap implements Pmap {
    /** (c) numbered per machine, the kernel pmap 0 */
    final int id;
    /** (c) */
    final AmdPmapModule module;
    final PhysicalMemory mem;
    final VmPhys phys;
    private final boolean kernel;
    /** (c) top-level page (PML4). */
    final VmPage pml4;
    /** (p) pm_stats */
    long residentCount, wiredCount;
    /** (a) pm_active */
    long active;
    /** (p) chunks with free slots */
    final LinkedHashSet<PvChunk> freeChunks = new LinkedHashSet<>();
    /** (p) page-table pages kept by promotion for later demotion (pm_root), by va >>> 21 */
    final Map<Long, VmPage> savedPtp = new HashMap<>();
    boolean released;

    AmdPmap(AmdPmapModule module, VmPage pml4, boolean kernel) {
        this.module = module;
        this.id = module.pmapIds++;
        this.mem = module.mem;
        this.phys = module.phys;
        this.pml4 = pml4;
        this.kernel = kernel;
        pml4.pindex = 4;
    }

    // ---- table walking -----------------------------------------------------------------------

    long load(long entryAddr) {
        long v = mem.read64(entryAddr);
        java.util.function.LongConsumer race = module.afterEntryLoad;
        if (race != null) race.accept(entryAddr);
        return v;
    }

    void store(long entryAddr, long v) { mem.write64(entryAddr, v); }

    /** pte_load_store: replaces a live entry and returns what it held at that instant. */
    long loadStore(long entryAddr, long v) {
        while (true) {
            long old = load(entryAddr);
            if (mem.cmpxchg(entryAddr, 8, old, v) == old) return old;
        }
    }

    /** pte_load_clear: invalidates a live entry and returns what it held at that instant. */
    long loadClear(long entryAddr) { return loadStore(entryAddr, 0); }

    /** atomic_clear_long: clears {@code bits} of a live entry; returns the entry before. */
    long clearBits(long entryAddr, long bits) {
        while (true) {
            long old = load(entryAddr);
            if ((old & bits) == 0 || mem.cmpxchg(entryAddr, 8, old, old & ~bits) == old) return old;
        }
    }

    /** atomic_set_long: sets {@code bits} of a live entry. */
    void setBits(long entryAddr, long bits) {
        while (true) {
            long old = load(entryAddr);
            if ((old & bits) == bits || mem.cmpxchg(entryAddr, 8, old, old | bits) == old) return;
        }
    }

    /** atomic_cmpset_long: stores {@code update} if the entry still holds {@code expect}. */
    boolean cmpset(long entryAddr, long expect, long update) { return mem.cmpxchg(entryAddr, 8, expect, update) == expect; }

    long pml4eAddr(long va) { return pml4.phys + ((long) pml4Index(va) << 3); }

    /** Address of the entry for {@code va} at {@code level} (1 = PTE ... 4 = PML4E), or -1 when a level above is missing or a leaf. */
    long entryAddr(long va, int level) {
        long a = pml4eAddr(va);
        for (int l = 4; l > level; l--) {
            long e = load(a);
            if ((e & PG_V) == 0 || (l < 4 && (e & PG_PS) != 0)) return -1;
            int idx = l == 4 ? pdpIndex(va) : l == 3 ? pdIndex(va) : ptIndex(va);
            a = (e & PG_FRAME) + ((long) idx << 3);
        }
        return a;
    }

    long pdeAddr(long va) { return entryAddr(va, 2); }

    long pteAddr(long va) { return entryAddr(va, 1); }

    /** The page-table page that holds the entry at {@code entryAddr}. */
    VmPage tablePage(long entryAddr) { return phys.page(entryAddr & PG_FRAME); }

    // ---- page-table pages --------------------------------------------------------------------

    /** A page for page tables or pv chunks: NOSLEEP callers may get null, others reclaim and wait. */
    VmPage allocPtp(boolean nosleep) {
        VmPage m = nosleep ? phys.alloc(false) : module.allocPageReclaiming(this);
        if (m == null) return null;
        mem.zero(m.phys, 4096);
        m.wire();
        return m;
    }

    void freePtp(VmPage m) {
        m.refCount = 0;
        m.unwire();
        phys.free(m);
    }

    /**
     * pmap_allocpte: makes sure page tables down to level {@code leafLevel} exist for {@code va}
     * (demoting a superpage in the way when {@code leafLevel} is 1) and takes a reference on the table
     * that will hold the new entry. Returns the entry's address, or -1 under NOSLEEP when a page could not
     * be had (nothing is changed then).
     */
    long allocEntry(long va, int leafLevel, boolean nosleep) {
        if (leafLevel == 1) {
            long pdeA = pdeAddr(va);
            if (pdeA >= 0 && (load(pdeA) & (PG_V | PG_PS)) == (PG_V | PG_PS)) PmapSuperpages.demote(this, va, pdeA);
        }
        int missing = 0;
        long a = pml4eAddr(va);
        for (int l = 4; l > leafLevel; l--) {
            long e = load(a);
            if ((e & PG_V) == 0) { missing = l - leafLevel; break; }
            if (l == 3 && (e & PG_PS) != 0) {
                throw new IllegalStateException(String.format("pmap_enter: va %#x lies in a 1 GiB mapping (remove it first)", va));
            }
            int idx = l == 4 ? pdpIndex(va) : l == 3 ? pdIndex(va) : ptIndex(va);
            a = (e & PG_FRAME) + ((long) idx << 3);
        }
        if (missing > 0 && kernel) {
            throw new IllegalStateException(String.format("pmap_allocpte: kernel va %#x has no page table (pmap_growkernel first)", va));
        }
        if (missing == 0) { ref(a, +1); return a; } // the common case: every table is there
        VmPage[] fresh = new VmPage[missing];
        for (int i = 0; i < missing; i++) {
            fresh[i] = allocPtp(nosleep);
            if (fresh[i] == null) {
                for (int j = 0; j < i; j++) freePtp(fresh[j]);
                return -1;
            }
        }
        // Link the new tables top down: the first missing level's entry lives in an existing table.
        int k = 0;
        a = pml4eAddr(va);
        for (int l = 4; l > leafLevel; l--) {
            long e = load(a);
            if ((e & PG_V) == 0) {
                VmPage t = fresh[k++];
                t.pindex = l - 1;
                store(a, t.phys | PG_V | PG_RW | PG_A | PG_M | (isUser(va) ? PG_U : 0));
                ref(a, +1);
                residentCount++;
                e = load(a);
            }
            int idx = l == 4 ? pdpIndex(va) : l == 3 ? pdIndex(va) : ptIndex(va);
            a = (e & PG_FRAME) + ((long) idx << 3);
        }
        ref(a, +1);
        return a;
    }

    /** Adjusts the valid-entry count of the table holding {@code entryAddr} (user pmaps). */
    void ref(long entryAddr, int delta) {
        if (kernel) return;
        tablePage(entryAddr).refCount += delta;
    }

    /**
     * pmap_unwire_ptp: drops the reference that the entry at {@code entryAddr} (for {@code va}) held on
     * its table; a table left empty is unlinked from its parent and queued on {@code free}, to be freed
     * only after the TLB invalidation.
     */
    void unuse(long va, long entryAddr, List<VmPage> free) {
        if (kernel) return;
        VmPage t = tablePage(entryAddr);
        if (--t.refCount > 0 || t == pml4) return;
        int level = (int) t.pindex;
        long parent = entryAddr(va, level + 1);
        store(parent, 0);
        residentCount--;
        free.add(t);
        unuse(va, parent, free);
    }

    /** Frees page-table pages once the invalidation that covered them has been acknowledged. */
    void freeAll(List<VmPage> free) {
        for (VmPage m : free) freePtp(m);
        free.clear();
    }

    /** reclaim_pv_chunk's per-entry work: removes a non-wired 4 KiB mapping; returns whether it did. */
    boolean reclaimMapping(PvEntry pv) {
        return PmapRemove.reclaim(this, pv);
    }

    // ---- pmap(9) -----------------------------------------------------------------------------

    @Override public PmapStatistics stats() { return new PmapStatistics(residentCount, wiredCount); }

    @Override public long active() { return active; }

    long activeMask() { return active; }

    @Override public long cr3() { return pml4.phys; }

    @Override public boolean isKernel() { return kernel; }

    // Each call that may change entries is reported to the TLB checker (AmdPmapModule.beginCall/endCall).

    @Override public int enter(long va, VmPage m, int prot, int flags, int psind) {
        boolean c = module.beginCall("pmap_enter", this, va, -1, m, prot, flags | psind << 16);
        long r = PmapTrace.THREW;
        try { int rv = PmapEnter.enter(this, va, m, prot, flags, psind); r = rv; return rv; } finally { module.endCall(c, r); }
    }

    @Override public void enterObject(long start, long end, List<VmPage> pages, VmPage mStart, int prot) {
        boolean c = module.beginCall("pmap_enter_object", this, start, end, mStart, prot, -1);
        try { PmapEnter.enterObject(this, start, end, pages, mStart, prot); } finally { module.endCall(c, PmapTrace.NO_RESULT); }
    }

    @Override public void enterQuick(long va, VmPage m, int prot) {
        boolean c = module.beginCall("pmap_enter_quick", this, va, -1, m, prot, -1);
        try { PmapEnter.enterQuick(this, va, m, prot); } finally { module.endCall(c, PmapTrace.NO_RESULT); }
    }

    /** The PDPE address when {@code va} is inside a 1 GiB mapping, else -1. */
    long pdpeLeafAddr(long va) {
        long a = entryAddr(va, 3);
        return a >= 0 && (load(a) & (PG_V | PG_PS)) == (PG_V | PG_PS) ? a : -1;
    }

    @Override public long extract(long va) {
        long pdpeA = pdpeLeafAddr(va);
        if (pdpeA >= 0) return (load(pdpeA) & PG_PDPE_FRAME) | (va & PDPMASK);
        long pdeA = pdeAddr(va);
        if (pdeA < 0) return 0;
        long pde = load(pdeA);
        if ((pde & PG_V) == 0) return 0;
        if ((pde & PG_PS) != 0) return (pde & PG_PS_FRAME) | (va & PDRMASK);
        long pte = load((pde & PG_FRAME) + ((long) ptIndex(va) << 3));
        return (pte & PG_V) == 0 ? 0 : (pte & PG_FRAME) | (va & 0xFFF);
    }

    @Override public VmPage extractAndHold(long va, int prot) { return PmapProtect.extractAndHold(this, va, prot); }

    @Override public boolean isPrefaultable(long va) {
        long pdeA = pdeAddr(va);
        if (pdeA < 0) return false;
        long pde = load(pdeA);
        if ((pde & PG_V) == 0 || (pde & PG_PS) != 0) return false;
        return (load((pde & PG_FRAME) + ((long) ptIndex(va) << 3)) & PG_V) == 0;
    }

    @Override public int mincore(long va, long[] paOut) { return PmapProtect.mincore(this, va, paOut); }

    @Override public void protect(long sva, long eva, int prot) {
        boolean c = module.beginCall("pmap_protect", this, sva, eva, null, prot, -1);
        try { PmapProtect.protect(this, sva, eva, prot); } finally { module.endCall(c, PmapTrace.NO_RESULT); }
    }

    @Override public void remove(long sva, long eva) {
        boolean c = module.beginCall("pmap_remove", this, sva, eva, null, -1, -1);
        try { PmapRemove.remove(this, sva, eva); } finally { module.endCall(c, PmapTrace.NO_RESULT); }
    }

    @Override public void removePages() {
        boolean c = module.beginCall("pmap_remove_pages", this, -1, -1, null, -1, -1);
        try { PmapRemove.removePages(this); } finally { module.endCall(c, PmapTrace.NO_RESULT); }
    }

    @Override public void unwire(long sva, long eva) {
        boolean c = module.beginCall("pmap_unwire", this, sva, eva, null, -1, -1);
        try { PmapProtect.unwire(this, sva, eva); } finally { module.endCall(c, PmapTrace.NO_RESULT); }
    }

    @Override public void advise(long sva, long eva, int advice) {
        boolean c = module.beginCall("pmap_advise", this, sva, eva, null, -1, advice);
        try { PmapProtect.advise(this, sva, eva, advice); } finally { module.endCall(c, PmapTrace.NO_RESULT); }
    }

    @Override public void copy(Pmap src, long dstAddr, long len, long srcAddr) {
        boolean c = module.beginCall("pmap_copy", this, dstAddr, dstAddr + len, null, -1, -1);
        try { PmapProtect.copy(this, (AmdPmap) src, dstAddr, len, srcAddr); } finally { module.endCall(c, PmapTrace.NO_RESULT); }
    }

    @Override public void pinit2() { module.copyKernelSlots(this); }

    @Override public void release() { module.release(this); }

    @Override public String toString() { return (kernel ? "kernel_pmap " : "pmap ") + id; }
}
