package dev.vmm.core.pmap.amd64;

import dev.vmm.core.vm.VmPage;

import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.pmap.amd64.PmapBits.*;

/**
 * Destroying mappings: pmap_remove (with pmap_remove_pte and pmap_remove_pde), pmap_remove_pages,
 * pmap_remove_all and the per-entry work of reclaim_pv_chunk. A destroyed managed mapping hands its
 * state to the vm_page: PG_A becomes PGA_REFERENCED, PG_M with PG_RW makes the page dirty, and
 * PGA_WRITEABLE is cleared when no mapping is left. Page-table pages emptied on the way are freed only
 * after the TLB invalidation.
 */
final class PmapRemove {
    private PmapRemove() { }

    static void remove(AmdPmap pmap, long sva, long eva) {
        if (((sva | eva) & 0xFFF) != 0 || eva < sva) throw new IllegalArgumentException(String.format("pmap_remove: bad range %#x-%#x", sva, eva));
        if (!pmap.isKernel() && pmap.residentCount == 0) return;
        List<VmPage> free = new ArrayList<>();
        boolean any = false;
        long va = sva;
        while (Long.compareUnsigned(va, eva) < 0) {
            long next = nextTable(pmap, va);
            if (next != 0) { va = next; continue; }
            long pdpeA = pmap.pdpeLeafAddr(va);
            if (pdpeA >= 0) {
                long end1g = wholeLargepage(va, eva, "pmap_remove");
                removePdpe(pmap, pdpeA, va, free);
                any = true;
                va = end1g;
                continue;
            }
            long pdeA = pmap.pdeAddr(va);
            long pde = pmap.load(pdeA);
            long end = (va | PDRMASK) + 1;
            if (Long.compareUnsigned(end, eva) > 0 || end == 0) end = eva;
            if ((pde & PG_V) == 0) { va = end; continue; }
            if ((pde & PG_PS) != 0) {
                if ((va & PDRMASK) == 0 && end - va == NBPDR) {
                    removePde(pmap, pdeA, va, free);
                    any = true;
                    va = end;
                    continue;
                }
                if (!PmapSuperpages.demote(pmap, va, pdeA)) { any = true; va = end; continue; }
            }
            any |= removeRangeInPt(pmap, va, end, pdeA, free);
            va = end;
        }
        if (any) pmap.module.shootdown.invalidateRange(pmap, sva, eva);
        pmap.freeAll(free);
    }

    /**
     * The end of the 1 GiB mapping at {@code va}, which [va, eva) must cover whole: FreeBSD's "partial
     * update of non-transparent 1G mapping" is a caller bug.
     */
    static long wholeLargepage(long va, long eva, String who) {
        long end = va + NBPDP;
        if ((va & PDPMASK) != 0 || (Long.compareUnsigned(end, eva) > 0 && eva != 0)) {
            throw new IllegalArgumentException(String.format("%s: partial update of the 1 GiB mapping at %#x", who, va & ~PDPMASK));
        }
        return end;
    }

    /** Clears a 1 GiB mapping (unmanaged, so no pv entry or page state to settle). */
    static void removePdpe(AmdPmap pmap, long pdpeA, long va, List<VmPage> free) {
        long old = pmap.loadClear(pdpeA);
        if ((old & PG_W) != 0) pmap.wiredCount -= NPDPEPAGES;
        pmap.residentCount -= NPDPEPAGES;
        pmap.unuse(va, pdpeA, free);
    }

    /** When the PML4E or PDPE for {@code va} is missing, the next address worth looking at; else 0. */
    static long nextTable(AmdPmap pmap, long va) {
        long e = pmap.load(pmap.pml4eAddr(va));
        if ((e & PG_V) == 0) return canonical(((va >>> 39) + 1) << 39);
        long pdpe = pmap.load((e & PG_FRAME) + ((long) pdpIndex(va) << 3));
        if ((pdpe & PG_V) == 0) return canonical(((va >>> 30) + 1) << 30);
        return 0;
    }

    /** Removes the 4 KiB mappings of [sva, eva) (within one page table). Returns whether any was valid. */
    static boolean removeRangeInPt(AmdPmap pmap, long sva, long eva, long pdeA, List<VmPage> free) {
        long pt = pmap.load(pdeA) & PG_FRAME;
        boolean any = false;
        for (long va = sva; va != eva; va += 4096) {
            long pteA = pt + ((long) ptIndex(va) << 3);
            if ((pmap.load(pteA) & PG_V) == 0) continue;
            removePte(pmap, va, pteA, free);
            any = true;
            if ((pmap.load(pdeA) & PG_V) == 0) break; // the page table itself went away
        }
        return any;
    }

    /** pmap_remove_pte: clears one PTE and settles stats, pv list and vm_page state. */
    static void removePte(AmdPmap pmap, long va, long pteA, List<VmPage> free) {
        long old = pmap.loadClear(pteA);
        if ((old & PG_W) != 0) pmap.wiredCount--;
        pmap.residentCount--;
        if ((old & PG_MANAGED) != 0) {
            VmPage m = pmap.phys.page(old & PG_FRAME);
            if ((old & (PG_M | PG_RW)) == (PG_M | PG_RW)) m.dirty();
            if ((old & PG_A) != 0) m.setAflag(VmPage.PGA_REFERENCED);
            PvTable pv = pmap.module.pv;
            pv.free(PvTable.remove(pv.list(m), pmap, va));
            if (!pv.mapped(m)) m.clearAflag(VmPage.PGA_WRITEABLE);
        }
        pmap.unuse(va, pteA, free);
    }

    /** pmap_remove_pde: clears a 2 MiB mapping; its saved page-table page (if any) is freed too. */
    static void removePde(AmdPmap pmap, long pdeA, long va, List<VmPage> free) {
        long old = pmap.loadClear(pdeA);
        if ((old & PG_W) != 0) pmap.wiredCount -= NPTEPG;
        pmap.residentCount -= NPTEPG;
        if ((old & PG_MANAGED) != 0) {
            PvTable pv = pmap.module.pv;
            long base = old & PG_PS_FRAME;
            pv.free(PvTable.remove(pv.pvh(base), pmap, va));
            for (int i = 0; i < NPTEPG; i++) {
                VmPage m = pmap.phys.page(base + ((long) i << 12));
                if ((old & (PG_M | PG_RW)) == (PG_M | PG_RW)) m.dirty();
                if ((old & PG_A) != 0) m.setAflag(VmPage.PGA_REFERENCED);
                if (!pv.mapped(m)) m.clearAflag(VmPage.PGA_WRITEABLE);
            }
        }
        VmPage saved = pmap.savedPtp.remove(va >>> 21);
        if (saved != null) {
            pmap.residentCount--;
            free.add(saved);
        }
        pmap.unuse(va, pdeA, free);
    }

    /** reclaim_pv_chunk's work on one entry: a non-wired 4 KiB mapping is destroyed. */
    static boolean reclaim(AmdPmap pmap, PvEntry pv) {
        long pdeA = pmap.pdeAddr(pv.va);
        if (pdeA < 0 || (pmap.load(pdeA) & (PG_V | PG_PS)) != PG_V) return false; // superpage entry: kept
        long pteA = pmap.pteAddr(pv.va);
        long pte = pmap.load(pteA);
        if ((pte & PG_V) == 0 || (pte & PG_W) != 0) return false;
        List<VmPage> free = new ArrayList<>();
        removePte(pmap, pv.va, pteA, free);
        pmap.module.shootdown.invalidatePage(pmap, pv.va);
        pmap.freeAll(free);
        return true;
    }

    /** pmap_remove_pages: process exit; every non-wired user mapping goes, then one invalidate_all. */
    static void removePages(AmdPmap pmap) {
        if (pmap.isKernel()) throw new IllegalStateException("pmap_remove_pages: kernel pmap");
        if (Long.bitCount(pmap.active) > 1) throw new IllegalStateException("pmap_remove_pages: pmap active on other CPUs: " + Long.toBinaryString(pmap.active));
        List<VmPage> free = new ArrayList<>();
        for (int i4 = 0; i4 < NUPML4E; i4++) {
            long e4 = pmap.load(pmap.pml4.phys + i4 * 8L);
            if ((e4 & PG_V) == 0) continue;
            for (int i3 = 0; i3 < 512; i3++) {
                long e3 = pmap.load((e4 & PG_FRAME) + i3 * 8L);
                if ((e3 & PG_V) == 0 || (e3 & PG_PS) != 0) continue; // 1 GiB mappings are wired: kept
                for (int i2 = 0; i2 < 512; i2++) {
                    long pdeA = (e3 & PG_FRAME) + i2 * 8L;
                    long pde = pmap.load(pdeA);
                    if ((pde & PG_V) == 0) continue;
                    long va = ((long) i4 << 39) | ((long) i3 << 30) | ((long) i2 << 21);
                    if ((pde & PG_PS) != 0) {
                        if ((pde & PG_W) == 0) removePde(pmap, pdeA, va, free);
                        continue;
                    }
                    for (int i1 = 0; i1 < 512; i1++) {
                        long pteA = (pde & PG_FRAME) + i1 * 8L;
                        long pte = pmap.load(pteA);
                        if ((pte & PG_V) != 0 && (pte & PG_W) == 0) removePte(pmap, va | ((long) i1 << 12), pteA, free);
                    }
                }
            }
        }
        pmap.module.shootdown.invalidateAll(pmap);
        pmap.freeAll(free);
    }

    /** pmap_remove_all: every mapping of {@code m} in every pmap (superpages demoted first). */
    static void removeAll(AmdPmapModule module, VmPage m) {
        if (!m.managed) throw new IllegalArgumentException("pmap_remove_all: unmanaged page " + m);
        PvTable pv = module.pv;
        long off = m.phys & PDRMASK;
        for (PvEntry e : new ArrayList<>(pv.hasAny2m(m.phys) ? pv.pvh(m.phys) : List.<PvEntry>of())) {
            PmapSuperpages.demote(e.pmap, e.va + off, e.pmap.pdeAddr(e.va));
        }
        for (PvEntry e : new ArrayList<>(pv.list(m))) {
            AmdPmap pmap = e.pmap;
            List<VmPage> free = new ArrayList<>();
            removePte(pmap, e.va, pmap.pteAddr(e.va), free);
            module.shootdown.invalidatePage(pmap, e.va);
            pmap.freeAll(free);
        }
        m.clearAflag(VmPage.PGA_WRITEABLE);
    }
}
