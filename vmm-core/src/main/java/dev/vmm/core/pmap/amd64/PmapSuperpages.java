package dev.vmm.core.pmap.amd64;

import dev.vmm.core.vm.VmPage;

import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.pmap.amd64.PmapBits.*;

/**
 * 2 MiB superpages: pmap_promote_pde replaces a page table whose 512 PTEs map one aligned, physically
 * contiguous 2 MiB run with identical attributes by a single PDE (keeping the page-table page for a
 * later demotion); pmap_demote_pde recreates the 512 PTEs when part of the range changes. If demotion
 * cannot get a page-table page or pv entries, the whole 2 MiB mapping is removed instead (the pmap is a
 * cache; vm_fault brings the pages back).
 */
final class PmapSuperpages {
    private PmapSuperpages() { }

    static void promote(AmdPmap pmap, long va) {
        long va2m = va & ~PDRMASK;
        long pdeA = pmap.pdeAddr(va2m);
        long pde = pmap.load(pdeA);
        if ((pde & (PG_V | PG_PS)) != PG_V) return;
        long pt = pde & PG_FRAME;
        PmapCounters c = pmap.module.counters;
        long first = pmap.load(pt);
        if ((first & ((PG_FRAME & PDRMASK) | PG_A | PG_V)) != (PG_A | PG_V)) { c.pdePromotionFailures++; return; }
        // A clean writeable PTE loses PG_RW so that one PG_M can describe the whole superpage; a cached
        // translation needs no invalidation for that (a write through a clean entry re-walks).
        first = protectIfClean(pmap, pt);
        long allA = first & PG_A;
        long base = first & PG_FRAME;
        for (int i = NPTEPG - 1; i > 0; i--) {
            long a = pt + i * 8L;
            long old = pmap.load(a);
            if ((old & (PG_FRAME | PG_V)) != ((base + ((long) i << 12)) | PG_V)) { c.pdePromotionFailures++; return; }
            old = protectIfClean(pmap, a);
            if ((old & PG_PTE_PROMOTE) != (first & PG_PTE_PROMOTE)) { c.pdePromotionFailures++; return; }
            allA &= old;
        }
        VmPage ptp = pmap.tablePage(pt);
        pmap.savedPtp.put(va2m >>> 21, ptp);
        if ((first & PG_MANAGED) != 0) {
            PvTable pv = pmap.module.pv;
            PvEntry e = PvTable.remove(pv.list(pmap.phys.page(base)), pmap, va2m);
            pv.pvh(base).add(e);
            for (int i = 1; i < NPTEPG; i++) {
                pv.free(PvTable.remove(pv.list(pmap.phys.page(base + ((long) i << 12))), pmap, va2m + ((long) i << 12)));
            }
        }
        long newpde = base | (first & ~PG_FRAME & ~PG_A) | allA | PG_PS | PG_PROMOTED;
        pmap.store(pdeA, newpde);
        pmap.module.traceEvent("pmap_promote_pde", pmap, va2m, va2m + NBPDR, base, -1);
        pmap.module.shootdown.invalidateRange(pmap, va2m, va2m + NBPDR);
        c.pdePromotions++;
    }

    /**
     * Clears PG_RW of a writeable clean PTE (atomically: a walker setting PG_M meanwhile makes it a
     * dirty one, which keeps PG_RW); returns the entry as it is now. Its frame and PG_V cannot change
     * under the pmap lock, only PG_A and PG_M.
     */
    private static long protectIfClean(AmdPmap pmap, long a) {
        while (true) {
            long e = pmap.load(a);
            if ((e & (PG_M | PG_RW)) != PG_RW) return e;
            if (pmap.cmpset(a, e, e & ~PG_RW)) return e & ~PG_RW;
        }
    }

    /** pmap_demote_pde: returns false when the mapping had to be removed instead. */
    static boolean demote(AmdPmap pmap, long va, long pdeA) {
        long va2m = va & ~PDRMASK;
        long old = pmap.load(pdeA);
        if ((old & (PG_V | PG_PS)) != (PG_V | PG_PS)) throw new IllegalStateException(String.format("pmap_demote_pde: no superpage at %#x", va2m));
        PmapCounters c = pmap.module.counters;
        VmPage mpte = pmap.savedPtp.remove(va2m >>> 21);
        boolean fresh = false;
        if (mpte == null) {
            // An unaccessed superpage is not worth a page-table page: remove it (FreeBSD does the same).
            if ((old & PG_A) != 0) mpte = pmap.allocPtp(true);
            if (mpte == null) return abort(pmap, pdeA, va2m, c);
            fresh = true;
        }
        long base = old & PG_PS_FRAME;
        PvTable pv = pmap.module.pv;
        List<PvEntry> extra = new ArrayList<>();
        if ((old & PG_MANAGED) != 0) {
            for (int i = 1; i < NPTEPG; i++) {
                PvEntry e = pv.alloc(pmap, va2m + ((long) i << 12), true);
                if (e == null) {
                    for (PvEntry x : extra) pv.free(x);
                    if (fresh) pmap.freePtp(mpte); else pmap.savedPtp.put(va2m >>> 21, mpte);
                    return abort(pmap, pdeA, va2m, c);
                }
                extra.add(e);
            }
        }
        if (fresh && !pmap.isKernel()) pmap.residentCount++;
        mpte.pindex = 1;
        mpte.refCount = NPTEPG;
        long bits = old & ~PG_PS_FRAME & ~PG_PS & ~PG_PROMOTED;
        for (int i = 0; i < NPTEPG; i++) pmap.store(mpte.phys + i * 8L, (base + ((long) i << 12)) | bits);
        long last = pmap.loadStore(pdeA, mpte.phys | PG_V | PG_RW | PG_A | PG_M | (isUser(va2m) ? PG_U : 0));
        long late = last & ~old & (PG_A | PG_M); // set by a walker while the page table was filled
        if (late != 0) for (int i = 0; i < NPTEPG; i++) pmap.setBits(mpte.phys + i * 8L, late);
        pmap.module.traceEvent("pmap_demote_pde", pmap, va2m, va2m + NBPDR, base, -1);
        pmap.module.shootdown.invalidateRange(pmap, va2m, va2m + NBPDR);
        if ((old & PG_MANAGED) != 0) {
            PvEntry e = PvTable.remove(pv.pvh(base), pmap, va2m);
            pv.list(pmap.phys.page(base)).add(e);
            for (int i = 1; i < NPTEPG; i++) pv.list(pmap.phys.page(base + ((long) i << 12))).add(extra.get(i - 1));
        }
        c.pdeDemotions++;
        return true;
    }

    private static boolean abort(AmdPmap pmap, long pdeA, long va2m, PmapCounters c) {
        List<VmPage> free = new ArrayList<>();
        PmapRemove.removePde(pmap, pdeA, va2m, free);
        pmap.module.traceEvent("pmap_demote_pde (failed: superpage removed)", pmap, va2m, va2m + NBPDR, -1, -1);
        pmap.module.shootdown.invalidateRange(pmap, va2m, va2m + NBPDR);
        pmap.freeAll(free);
        c.pdeDemotionFailures++;
        return false;
    }
}
