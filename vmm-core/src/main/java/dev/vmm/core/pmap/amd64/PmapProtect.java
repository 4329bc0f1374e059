package dev.vmm.core.pmap.amd64;

import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmParam;

import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.pmap.amd64.PmapBits.*;
import static dev.vmm.core.vm.VmParam.MADV_DONTNEED;
import static dev.vmm.core.vm.VmParam.MADV_FREE;
import static dev.vmm.core.vm.VmParam.MINCORE_INCORE;
import static dev.vmm.core.vm.VmParam.MINCORE_MODIFIED;
import static dev.vmm.core.vm.VmParam.MINCORE_MODIFIED_OTHER;
import static dev.vmm.core.vm.VmParam.MINCORE_REFERENCED;
import static dev.vmm.core.vm.VmParam.MINCORE_REFERENCED_OTHER;
import static dev.vmm.core.vm.VmParam.VM_PROT_EXECUTE;
import static dev.vmm.core.vm.VmParam.VM_PROT_READ;
import static dev.vmm.core.vm.VmParam.VM_PROT_WRITE;

/**
 * Changing mappings in place: pmap_protect, pmap_unwire, pmap_advise, pmap_copy, and the lookups
 * pmap_extract_and_hold and pmap_mincore.
 */
final class PmapProtect {
    private PmapProtect() { }

    /** Visits each valid 4 KiB PTE in [sva, eva); 2 MiB mappings go to {@code pde} when wholly inside, else are demoted. */
    interface PteVisitor { void pte(long va, long pteA, long pte); }

    /** A 2 MiB (pages = 512) or 1 GiB (pages = 262144) leaf wholly inside the range; false: demote it. */
    interface PdeVisitor { boolean pde(long va, long pdeA, long pde, long pages); }

    static void forEach(AmdPmap pmap, long sva, long eva, PdeVisitor whole, PteVisitor each) {
        long va = sva;
        while (Long.compareUnsigned(va, eva) < 0) {
            long next = PmapRemove.nextTable(pmap, va);
            if (next != 0) { va = next; continue; }
            long pdpeA = pmap.pdpeLeafAddr(va);
            if (pdpeA >= 0) {
                long end1g = PmapRemove.wholeLargepage(va, eva, "pmap_protect");
                whole.pde(va, pdpeA, pmap.load(pdpeA), NPDPEPAGES);
                va = end1g;
                continue;
            }
            long pdeA = pmap.pdeAddr(va);
            long pde = pmap.load(pdeA);
            long end = (va | PDRMASK) + 1;
            if (Long.compareUnsigned(end, eva) > 0 || end == 0) end = eva;
            if ((pde & PG_V) == 0) { va = end; continue; }
            if ((pde & PG_PS) != 0) {
                if (((va & PDRMASK) == 0 && end - va == NBPDR && whole.pde(va, pdeA, pde, NPTEPG))
                        || !PmapSuperpages.demote(pmap, va, pdeA)) { va = end; continue; }
                pde = pmap.load(pdeA);
            }
            long pt = pde & PG_FRAME;
            for (long v = va; v != end; v += 4096) {
                long pteA = pt + ((long) ptIndex(v) << 3);
                long pte = pmap.load(pteA);
                if ((pte & PG_V) != 0) each.pte(v, pteA, pte);
            }
            va = end;
        }
    }

    static void protect(AmdPmap pmap, long sva, long eva, int prot) {
        if ((prot & VM_PROT_READ) == 0 && (prot & VM_PROT_EXECUTE) == 0) { PmapRemove.remove(pmap, sva, eva); return; }
        if ((prot & (VM_PROT_WRITE | VM_PROT_EXECUTE)) == (VM_PROT_WRITE | VM_PROT_EXECUTE)) return;
        boolean[] any = {false};
        forEach(pmap, sva, eva, (va, pdeA, pde, pages) -> {
            if (restrict(pmap, pdeA, pde, prot, (int) pages)) any[0] = true;
            return true;
        }, (va, pteA, pte) -> {
            if (restrict(pmap, pteA, pte, prot, 1)) any[0] = true;
        });
        if (any[0]) pmap.module.shootdown.invalidateRange(pmap, sva, eva);
    }

    /**
     * Takes write and/or execute away from the entry at {@code a} (read as {@code e}), with FreeBSD's
     * compare-and-set loop; a managed mapping that was dirty when it lost write dirties its pages.
     * Returns whether the entry changed.
     */
    private static boolean restrict(AmdPmap pmap, long a, long e, int prot, int pages) { // 1 GiB leaves are unmanaged: no page loop
        while (true) {
            long n = e;
            if ((prot & VM_PROT_WRITE) == 0) n &= ~(PG_RW | PG_M);
            if ((prot & VM_PROT_EXECUTE) == 0) n |= PG_NX;
            if (n == e) return false;
            if (pmap.cmpset(a, e, n)) break;
            e = pmap.load(a);
        }
        if ((prot & VM_PROT_WRITE) == 0 && (e & (PG_MANAGED | PG_M | PG_RW)) == (PG_MANAGED | PG_M | PG_RW)) {
            long base = pages == 1 ? e & PG_FRAME : e & PG_PS_FRAME;
            for (int i = 0; i < pages; i++) pmap.phys.page(base + ((long) i << 12)).dirty();
        }
        return true;
    }

    static void unwire(AmdPmap pmap, long sva, long eva) {
        forEach(pmap, sva, eva, (va, pdeA, pde, pages) -> {
            if ((pde & PG_W) == 0) throw new IllegalStateException(String.format("pmap_unwire: pde %#x is missing PG_W", pde));
            pmap.clearBits(pdeA, PG_W);
            pmap.wiredCount -= pages;
            return true;
        }, (va, pteA, pte) -> {
            if ((pte & PG_W) == 0) throw new IllegalStateException(String.format("pmap_unwire: pte %#x at va %#x is missing PG_W", pte, va));
            pmap.clearBits(pteA, PG_W);
            pmap.wiredCount--;
        });
    }

    static void advise(AmdPmap pmap, long sva, long eva, int advice) {
        if (advice != MADV_DONTNEED && advice != MADV_FREE) return;
        boolean[] any = {false};
        forEach(pmap, sva, eva, (va, pdeA, pde, pages) -> (pde & (PG_W | PG_MANAGED)) != PG_MANAGED, (va, pteA, pte) -> {
            if ((pte & (PG_MANAGED | PG_W)) != PG_MANAGED) return;
            if ((pte & (PG_M | PG_RW)) == (PG_M | PG_RW)) {
                if (advice == MADV_DONTNEED) pmap.phys.page(pte & PG_FRAME).dirty();
                pmap.clearBits(pteA, PG_M | PG_A);
            } else if ((pte & PG_A) != 0) {
                // a write may set PG_M meanwhile: only PG_A goes, so that PG_M is not lost
                pmap.clearBits(pteA, PG_A);
            } else {
                return;
            }
            any[0] = true;
        });
        if (any[0]) pmap.module.shootdown.invalidateRange(pmap, sva, eva);
    }

    /** pmap_copy (fork): copies managed mappings at the same addresses without PG_W, PG_M, PG_A; stops quietly when short of memory. */
    static void copy(AmdPmap dst, AmdPmap src, long dstAddr, long len, long srcAddr) {
        if (dstAddr != srcAddr || dst == src) return;
        long end = srcAddr + len;
        PvTable pv = dst.module.pv;
        for (long va = srcAddr; va < end; ) {
            long next = PmapRemove.nextTable(src, va);
            if (next != 0) { va = next; continue; }
            if (src.pdpeLeafAddr(va) >= 0) { va = (va & ~PDPMASK) + NBPDP; continue; } // 1 GiB: wired, never copied
            long pde = src.load(src.pdeAddr(va));
            long stop = Math.min((va | PDRMASK) + 1, end);
            if ((pde & PG_V) == 0) { va = stop; continue; }
            if ((pde & PG_PS) != 0) {
                if ((va & PDRMASK) == 0 && stop - va == NBPDR && (pde & PG_MANAGED) != 0) {
                    long d = dst.pdeAddr(va);
                    if (d < 0 || (dst.load(d) & PG_V) == 0) {
                        long pdeA = dst.allocEntry(va, 2, true);
                        if (pdeA < 0) return;
                        PvEntry e = pv.alloc(dst, va, true);
                        if (e == null) { List<VmPage> f = new ArrayList<>(); dst.unuse(va, pdeA, f); dst.freeAll(f); return; }
                        pv.pvh(pde & PG_PS_FRAME).add(e);
                        dst.store(pdeA, pde & ~PG_W);
                        dst.residentCount += NPTEPG;
                        dst.module.counters.pdeMappings++;
                    }
                }
                va = stop;
                continue;
            }
            for (long v = va; v < stop; v += 4096) {
                long pte = src.load((pde & PG_FRAME) + ((long) ptIndex(v) << 3));
                if ((pte & (PG_V | PG_MANAGED)) != (PG_V | PG_MANAGED)) continue;
                long pteA = dst.allocEntry(v, 1, true);
                if (pteA < 0) return;
                if ((dst.load(pteA) & PG_V) != 0) { dst.ref(pteA, -1); continue; }
                PvEntry e = pv.alloc(dst, v, true);
                if (e == null) { List<VmPage> f = new ArrayList<>(); dst.unuse(v, pteA, f); dst.freeAll(f); return; }
                pv.list(dst.phys.page(pte & PG_FRAME)).add(e);
                dst.store(pteA, pte & ~(PG_W | PG_M | PG_A));
                dst.residentCount++;
            }
            va = stop;
        }
    }

    static VmPage extractAndHold(AmdPmap pmap, long va, int prot) {
        long pdpeA = pmap.pdpeLeafAddr(va);
        long pdeA = pdpeA >= 0 ? pdpeA : pmap.pdeAddr(va);
        if (pdeA < 0) return null;
        long e = pmap.load(pdeA);
        if ((e & PG_V) == 0) return null;
        long pa;
        if (pdpeA >= 0) pa = (e & PG_PDPE_FRAME) | (va & PDPMASK & ~0xFFFL);
        else if ((e & PG_PS) != 0) pa = (e & PG_PS_FRAME) | (va & PDRMASK & ~0xFFFL);
        else {
            e = pmap.load((e & PG_FRAME) + ((long) ptIndex(va) << 3));
            if ((e & PG_V) == 0) return null;
            pa = e & PG_FRAME;
        }
        if ((prot & VM_PROT_WRITE) != 0 && (e & PG_RW) == 0) return null;
        VmPage m = pmap.phys.page(pa);
        if (m == null) return null;
        m.wire();
        return m;
    }

    static int mincore(AmdPmap pmap, long va, long[] paOut) {
        long pdpeA = pmap.pdpeLeafAddr(va);
        long pdeA = pdpeA >= 0 ? pdpeA : pmap.pdeAddr(va);
        if (pdeA < 0) return 0;
        long e = pmap.load(pdeA);
        if ((e & PG_V) == 0) return 0;
        int val;
        long pa;
        if (pdpeA >= 0) {
            pa = (e & PG_PDPE_FRAME) | (va & PDPMASK & ~0xFFFL);
            val = VmParam.mincorePsind(2) | MINCORE_INCORE;
        } else if ((e & PG_PS) != 0) {
            pa = (e & PG_PS_FRAME) | (va & PDRMASK & ~0xFFFL);
            val = VmParam.mincorePsind(1) | MINCORE_INCORE;
        } else {
            e = pmap.load((e & PG_FRAME) + ((long) ptIndex(va) << 3));
            if ((e & PG_V) == 0) return 0;
            pa = e & PG_FRAME;
            val = MINCORE_INCORE;
        }
        if ((e & (PG_M | PG_RW)) == (PG_M | PG_RW)) val |= MINCORE_MODIFIED | MINCORE_MODIFIED_OTHER;
        if ((e & PG_A) != 0) val |= MINCORE_REFERENCED | MINCORE_REFERENCED_OTHER;
        int both = MINCORE_MODIFIED_OTHER | MINCORE_REFERENCED_OTHER;
        if ((val & both) != both && (e & PG_MANAGED) != 0 && paOut != null) paOut[0] = pa;
        return val;
    }
}
