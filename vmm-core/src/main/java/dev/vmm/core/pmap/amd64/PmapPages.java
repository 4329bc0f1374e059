package dev.vmm.core.pmap.amd64;

import dev.vmm.core.vm.VmPage;

import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.pmap.amd64.PmapBits.*;

/**
 * pmap(9) functions that act on every mapping of one physical page, found through its pv lists (the
 * 4 KiB list of the page, then the superpage list of its 2 MiB frame): pmap_ts_referenced,
 * pmap_remove_write, pmap_clear_modify, pmap_is_modified, pmap_is_referenced,
 * pmap_page_exists_quick, pmap_page_wired_mappings.
 */
final class PmapPages {
    private PmapPages() { }

    /** Offset of {@code m} inside its 2 MiB frame: added to a superpage entry's va to find m's address. */
    private static long off(VmPage m) { return m.phys & PDRMASK; }

    private static long pteOf(PvEntry pv) { return pv.pmap.load(pv.pmap.pteAddr(pv.va)); }

    private static long pdeOf(PvEntry pv) { return pv.pmap.load(pv.pmap.pdeAddr(pv.va)); }

    /**
     * pmap_ts_referenced: counts and clears reference bits, at most {@link PmapBits#TS_REFERENCED_MAX};
     * each visited entry rotates to the tail so the next call starts elsewhere. A superpage's PG_A is
     * cleared only for one 4 KiB page in 512 (chosen by a hash of pa, va and pmap), never when wired.
     */
    static int tsReferenced(AmdPmapModule module, VmPage m) {
        PvTable pv = module.pv;
        int rtval = 0;
        if (pv.hasAny2m(m.phys)) {
            List<PvEntry> l = pv.pvh(m.phys);
            for (int n = l.size(); n > 0 && rtval < TS_REFERENCED_MAX; n--) {
                PvEntry e = l.removeFirst();
                l.add(e);
                long pdeA = e.pmap.pdeAddr(e.va);
                long pde = e.pmap.load(pdeA);
                if ((pde & (PG_M | PG_RW)) == (PG_M | PG_RW)) m.dirty();
                if ((pde & PG_A) != 0) {
                    long hash = (m.phys >>> 12) ^ (e.va >>> 21) ^ e.pmap.id;
                    if ((hash & (NPTEPG - 1)) == 0 && (pde & PG_W) == 0) {
                        e.pmap.clearBits(pdeA, PG_A);
                        module.shootdown.invalidatePage(e.pmap, e.va + off(m));
                    }
                    rtval++;
                }
            }
        }
        List<PvEntry> l = pv.list(m);
        for (int n = l.size(); n > 0 && rtval < TS_REFERENCED_MAX; n--) {
            PvEntry e = l.removeFirst();
            l.add(e);
            long pteA = e.pmap.pteAddr(e.va);
            long pte = e.pmap.load(pteA);
            if ((pte & (PG_M | PG_RW)) == (PG_M | PG_RW)) m.dirty();
            if ((pte & PG_A) != 0) {
                e.pmap.clearBits(pteA, PG_A);
                module.shootdown.invalidatePage(e.pmap, e.va);
                rtval++;
            }
        }
        return rtval;
    }

    /** pmap_remove_write: no mapping of m stays writeable; a modified one dirties m. */
    static void removeWrite(AmdPmapModule module, VmPage m) {
        if (!m.managed || !m.hasAflag(VmPage.PGA_WRITEABLE)) return;
        PvTable pv = module.pv;
        if (pv.hasAny2m(m.phys)) {
            for (PvEntry e : new ArrayList<>(pv.pvh(m.phys))) {
                if ((pdeOf(e) & PG_RW) != 0) PmapSuperpages.demote(e.pmap, e.va + off(m), e.pmap.pdeAddr(e.va));
            }
        }
        for (PvEntry e : pv.list(m)) {
            long pteA = e.pmap.pteAddr(e.va);
            long pte = e.pmap.load(pteA);
            if ((pte & PG_RW) == 0) continue;
            pte = e.pmap.clearBits(pteA, PG_RW | PG_M);
            if ((pte & PG_M) != 0) m.dirty();
            module.shootdown.invalidatePage(e.pmap, e.va);
        }
        m.clearAflag(VmPage.PGA_WRITEABLE);
    }

    /** pmap_clear_modify: clears PG_M in every writeable mapping (a writeable superpage is demoted and its 4 KiB PTE write-protected). */
    static void clearModify(AmdPmapModule module, VmPage m) {
        if (!m.managed) throw new IllegalArgumentException("pmap_clear_modify: unmanaged page " + m);
        if (!m.busy) throw new IllegalStateException("pmap_clear_modify: page " + m + " is not busied");
        if (!m.hasAflag(VmPage.PGA_WRITEABLE)) return;
        PvTable pv = module.pv;
        if (pv.hasAny2m(m.phys)) {
            for (PvEntry e : new ArrayList<>(pv.pvh(m.phys))) {
                long pde = pdeOf(e);
                long va = e.va + off(m);
                if ((pde & PG_RW) != 0 && PmapSuperpages.demote(e.pmap, va, e.pmap.pdeAddr(e.va)) && (pde & PG_W) == 0) {
                    long pteA = e.pmap.pteAddr(va);
                    e.pmap.clearBits(pteA, PG_M | PG_RW);
                    module.shootdown.invalidatePage(e.pmap, va);
                }
            }
        }
        for (PvEntry e : pv.list(m)) {
            long pteA = e.pmap.pteAddr(e.va);
            long pte = e.pmap.load(pteA);
            if ((pte & (PG_M | PG_RW)) == (PG_M | PG_RW)) {
                e.pmap.clearBits(pteA, PG_M);
                module.shootdown.invalidatePage(e.pmap, e.va);
            }
        }
    }

    /** pmap_is_modified (modified) or pmap_is_referenced. */
    static boolean test(AmdPmapModule module, VmPage m, boolean modified) {
        if (!m.managed) throw new IllegalArgumentException("pmap_is_" + (modified ? "modified" : "referenced") + ": unmanaged page " + m);
        if (modified && !m.hasAflag(VmPage.PGA_WRITEABLE)) return false;
        long mask = modified ? PG_M | PG_RW : PG_A | PG_V;
        PvTable pv = module.pv;
        for (PvEntry e : pv.list(m)) if ((pteOf(e) & mask) == mask) return true;
        if (pv.hasAny2m(m.phys)) for (PvEntry e : pv.pvh(m.phys)) if ((pdeOf(e) & mask) == mask) return true;
        return false;
    }

    /** pmap_page_exists_quick: whether {@code pmap} is among the first 16 mappings of m. */
    static boolean existsQuick(AmdPmapModule module, AmdPmap pmap, VmPage m) {
        int loops = 0;
        PvTable pv = module.pv;
        for (PvEntry e : pv.list(m)) { if (e.pmap == pmap) return true; if (++loops >= 16) return false; }
        if (pv.hasAny2m(m.phys)) for (PvEntry e : pv.pvh(m.phys)) { if (e.pmap == pmap) return true; if (++loops >= 16) return false; }
        return false;
    }

    /** pmap_page_wired_mappings: the number of wired mappings of m (4 KiB and superpage). */
    static int wiredMappings(AmdPmapModule module, VmPage m) {
        if (!m.managed) return 0;
        int n = 0;
        PvTable pv = module.pv;
        for (PvEntry e : pv.list(m)) if ((pteOf(e) & PG_W) != 0) n++;
        if (pv.hasAny2m(m.phys)) for (PvEntry e : pv.pvh(m.phys)) if ((pdeOf(e) & PG_W) != 0) n++;
        return n;
    }
}
