package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmParam;

import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.pmap.amd64.PmapBits.*;
import static dev.vmm.core.vm.VmParam.KERN_FAILURE;
import static dev.vmm.core.vm.VmParam.KERN_INVALID_ARGUMENT;
import static dev.vmm.core.vm.VmParam.KERN_PROTECTION_FAILURE;
import static dev.vmm.core.vm.VmParam.KERN_RESOURCE_SHORTAGE;
import static dev.vmm.core.vm.VmParam.KERN_SUCCESS;
import static dev.vmm.core.vm.VmParam.PAGE_MASK;
import static dev.vmm.core.vm.VmParam.VM_PROT_EXECUTE;
import static dev.vmm.core.vm.VmParam.VM_PROT_READ;
import static dev.vmm.core.vm.VmParam.VM_PROT_WRITE;

/**
 * pmap_enter, pmap_enter_pde (psind 1), pmap_enter_quick and pmap_enter_object for amd64, following
 * pmap_enter(9) and FreeBSD's amd64 pmap.c.
 */
final class PmapEnter {
    private PmapEnter() { }

    /** The PTE bits pmap_enter computes (before PG_PS for superpages). */
    static long newPte(AmdPmap pmap, long va, VmPage m, int prot, int flags) {
        long pte = m.phys | PG_A | PG_V;
        if ((flags & VM_PROT_WRITE) != 0) pte |= PG_M;
        if ((prot & VM_PROT_WRITE) != 0) pte |= PG_RW;
        if ((prot & VM_PROT_EXECUTE) == 0) pte |= PG_NX;
        if ((flags & Pmap.ENTER_WIRED) != 0) pte |= PG_W;
        if (isUser(va)) pte |= PG_U;
        if (pmap.isKernel()) pte |= PG_G;
        if (m.managed) pte |= PG_MANAGED;
        else if ((pte & PG_RW) != 0) pte |= PG_M; // unmanaged: no modified tracking
        return pte;
    }

    static int enter(AmdPmap pmap, long va, VmPage m, int prot, int flags, int psind) {
        if ((va & PAGE_MASK) != 0) throw new IllegalArgumentException(String.format("pmap_enter: va %#x not page aligned", va));
        if (pmap.isKernel() == isUser(va)) throw new IllegalArgumentException(String.format("pmap_enter: va %#x outside %s", va, pmap));
        int access = flags & Pmap.ENTER_ACCESS_MASK;
        if ((access & ~prot) != 0) throw new IllegalArgumentException("pmap_enter: access type " + access + " not allowed by prot " + prot);
        boolean nosleep = (flags & Pmap.ENTER_NOSLEEP) != 0;
        if (m.managed && !m.busy && !nosleep) throw new IllegalStateException("pmap_enter: managed page not busied and not NOSLEEP: " + m);
        if (m.isFree()) throw new IllegalStateException("pmap_enter: free page " + m);
        pmap.module.counters.enters++;
        long newpte = newPte(pmap, va, m, prot, flags);
        if (psind == 1) return enterPde(pmap, va, m, newpte | PG_PS, nosleep);
        if (psind == 2) return enterLargepage(pmap, va, m, newpte | PG_PS, nosleep);
        if (psind != 0) return KERN_INVALID_ARGUMENT;

        long pteA = pmap.allocEntry(va, 1, nosleep);
        if (pteA < 0) return KERN_RESOURCE_SHORTAGE;
        PvTable pv = pmap.module.pv;
        long origpte = pmap.load(pteA);
        long pa = m.phys;
        PvEntry entry = null;
        if ((origpte & PG_V) != 0) {
            if ((newpte & PG_W) != 0 && (origpte & PG_W) == 0) pmap.wiredCount++;
            else if ((newpte & PG_W) == 0 && (origpte & PG_W) != 0) pmap.wiredCount--;
            pmap.ref(pteA, -1); // the entry existed: allocEntry's reference was one too many
            long opa = origpte & PG_FRAME;
            if (opa == pa) {
                if ((newpte & PG_MANAGED) != 0 && (newpte & PG_RW) != 0) m.setAflag(VmPage.PGA_WRITEABLE);
                if (((origpte ^ newpte) & ~(PG_M | PG_A)) == 0) return unchanged(pmap, va, m, pteA);
                validate(pmap, va, m, pteA, newpte);
                return unchanged(pmap, va, m, pteA);
            }
            // A different page: break before make (the A/D bits as the entry goes).
            origpte = pmap.loadClear(pteA);
            if ((origpte & PG_MANAGED) != 0) {
                VmPage om = pmap.phys.page(opa);
                if ((origpte & (PG_M | PG_RW)) == (PG_M | PG_RW)) om.dirty();
                if ((origpte & PG_A) != 0) {
                    pmap.module.shootdown.invalidatePage(pmap, va);
                    om.setAflag(VmPage.PGA_REFERENCED);
                }
                entry = PvTable.remove(pv.list(om), pmap, va);
                if ((newpte & PG_MANAGED) == 0) { pv.free(entry); entry = null; }
                if (om.hasAflag(VmPage.PGA_WRITEABLE) && !pv.mapped(om)) om.clearAflag(VmPage.PGA_WRITEABLE);
            } else {
                pmap.module.shootdown.invalidatePage(pmap, va); // unmanaged: assume it was accessed
            }
        } else {
            pmap.residentCount++;
            if ((newpte & PG_W) != 0) pmap.wiredCount++;
        }
        if ((newpte & PG_MANAGED) != 0) {
            if (entry == null) {
                entry = pv.alloc(pmap, va, nosleep);
                if (entry == null) {
                    // NOSLEEP and no pv entry: undo the new mapping's accounting.
                    pmap.residentCount--;
                    if ((newpte & PG_W) != 0) pmap.wiredCount--;
                    List<VmPage> free = new ArrayList<>();
                    pmap.unuse(va, pteA, free);
                    pmap.module.shootdown.invalidatePage(pmap, va);
                    pmap.freeAll(free);
                    return KERN_RESOURCE_SHORTAGE;
                }
            }
            entry.va = va;
            pv.list(m).add(entry);
            if ((newpte & PG_RW) != 0) m.setAflag(VmPage.PGA_WRITEABLE);
        }
        pmap.store(pteA, newpte);
        return unchanged(pmap, va, m, pteA);
    }

    /**
     * pmap_enter_largepage (psind 2): a 1 GiB PDPE leaf. As on FreeBSD such mappings are not transparent:
     * wired and unmanaged (no pv entries, no promotion or demotion), and only a mapping of the same frame
     * may be replaced (its rights or wiring changed); removing or changing part of one is refused.
     */
    static int enterLargepage(AmdPmap pmap, long va, VmPage m, long newpdpe, boolean nosleep) {
        if (pmap.isKernel()) throw new IllegalArgumentException("pmap_enter: 1 GiB mappings are for user pmaps");
        if ((va & PDPMASK) != 0 || (m.phys & PDPMASK) != 0) {
            throw new IllegalArgumentException(String.format("pmap_enter: psind 2 needs 1 GiB alignment, va %#x pa %#x", va, m.phys));
        }
        if ((newpdpe & (PG_W | PG_MANAGED)) != PG_W) {
            throw new IllegalArgumentException("pmap_enter: a 1 GiB mapping must be wired and of an unmanaged page");
        }
        if (!pmap.module.superpagesEnabled()) return KERN_FAILURE;
        long pdpeA = pmap.allocEntry(va, 3, nosleep);
        if (pdpeA < 0) return KERN_RESOURCE_SHORTAGE;
        long orig = pmap.load(pdpeA);
        if ((orig & PG_V) != 0) {
            pmap.ref(pdpeA, -1); // the entry existed: allocEntry's reference was one too many
            if ((orig & PG_PS) == 0 || (orig & PG_PDPE_FRAME) != (newpdpe & PG_PDPE_FRAME)) {
                throw new IllegalStateException(String.format("pmap_enter: va %#x already has %s", va,
                    (orig & PG_PS) == 0 ? "a page directory" : "a 1 GiB mapping of another frame"));
            }
            if ((orig & PG_W) == 0) pmap.wiredCount += NPDPEPAGES;
            orig = pmap.loadStore(pdpeA, newpdpe);
            boolean lostRights = ((orig & PG_RW) != 0 && (newpdpe & PG_RW) == 0) || ((orig & PG_NX) == 0 && (newpdpe & PG_NX) != 0);
            if (lostRights && (orig & PG_A) != 0) pmap.module.shootdown.invalidateRange(pmap, va, va + NBPDP);
        } else {
            pmap.residentCount += NPDPEPAGES;
            pmap.wiredCount += NPDPEPAGES;
            pmap.store(pdpeA, newpdpe);
        }
        pmap.module.counters.pdpeMappings++;
        return KERN_SUCCESS;
    }

    /** The same page is mapped again with other bits: store, dirty the page, invalidate if rights shrank. */
    private static void validate(AmdPmap pmap, long va, VmPage m, long pteA, long newpte) {
        long origpte = pmap.loadStore(pteA, newpte);
        if ((newpte & PG_M) == 0 && (origpte & (PG_M | PG_RW)) == (PG_M | PG_RW)) {
            if ((origpte & PG_MANAGED) != 0) m.dirty();
            // Even with PG_RW kept, a cached entry may hold a dirty translation the new PTE lacks.
        } else if ((origpte & PG_NX) != 0 || (newpte & PG_NX) == 0) {
            // Nothing a cached translation could misuse: execute was not taken away, and a write through
            // a cached entry whose PTE had no PG_M re-walks the tables (and sees PG_RW clear).
            return;
        }
        if ((origpte & PG_A) != 0) pmap.module.shootdown.invalidatePage(pmap, va);
    }

    /** After the PTE is in place: try to promote the page table to a superpage mapping. */
    private static int unchanged(AmdPmap pmap, long va, VmPage m, long pteA) {
        if (!pmap.isKernel() && pmap.module.superpagesEnabled()) {
            VmPage ptp = pmap.tablePage(pteA);
            if (ptp.refCount == NPTEPG && m.reservFullyPopulated()) PmapSuperpages.promote(pmap, va);
        }
        return KERN_SUCCESS;
    }

    /**
     * pmap_enter_pde: a 2 MiB mapping of the 512 pages starting at {@code m} (2 MiB aligned va and pa).
     * Existing mappings in the 2 MiB range are destroyed first.
     */
    static int enterPde(AmdPmap pmap, long va, VmPage m, long newpde, boolean nosleep) {
        if ((va & PDRMASK) != 0 || (m.phys & PDRMASK) != 0) return KERN_INVALID_ARGUMENT;
        if (!pmap.module.superpagesEnabled()) return KERN_FAILURE;
        for (int i = 0; i < NPTEPG; i++) {
            VmPage p = pmap.phys.page(m.phys + ((long) i << 12));
            if (p == null || p.isFree()) return KERN_PROTECTION_FAILURE;
        }
        long oldA = pmap.pdeAddr(va);
        if (oldA >= 0 && (pmap.load(oldA) & PG_V) != 0) PmapRemove.remove(pmap, va, va + NBPDR);
        long pdeA = pmap.allocEntry(va, 2, nosleep);
        if (pdeA < 0) return KERN_RESOURCE_SHORTAGE;
        PvTable pv = pmap.module.pv;
        PvEntry entry = null;
        if ((newpde & PG_MANAGED) != 0) {
            entry = pv.alloc(pmap, va, nosleep);
            if (entry == null) {
                List<VmPage> free = new ArrayList<>();
                pmap.unuse(va, pdeA, free);
                pmap.freeAll(free);
                return KERN_RESOURCE_SHORTAGE;
            }
        }
        pmap.residentCount += NPTEPG;
        if ((newpde & PG_W) != 0) pmap.wiredCount += NPTEPG;
        if (entry != null) {
            entry.va = va;
            pv.pvh(m.phys).add(entry);
            if ((newpde & PG_RW) != 0) {
                for (int i = 0; i < NPTEPG; i++) pmap.phys.page(m.phys + ((long) i << 12)).setAflag(VmPage.PGA_WRITEABLE);
            }
        }
        pmap.store(pdeA, newpde);
        pmap.module.counters.pdeMappings++;
        return KERN_SUCCESS;
    }

    /** pmap_enter_quick: read-only (plus execute), no A, no M; does nothing if anything is mapped or memory is short. */
    static void enterQuick(AmdPmap pmap, long va, VmPage m, int prot) {
        if (!pmap.isPrefaultable(va)) {
            long pdeA = pmap.pdeAddr(va);
            if (pdeA >= 0 && (pmap.load(pdeA) & PG_V) != 0) return; // mapped, or a superpage
        }
        long pteA = pmap.allocEntry(va, 1, true);
        if (pteA < 0) return;
        if ((pmap.load(pteA) & PG_V) != 0) { pmap.ref(pteA, -1); return; }
        long pte = m.phys | PG_V | (isUser(va) ? PG_U : 0) | ((prot & VM_PROT_EXECUTE) == 0 ? PG_NX : 0);
        if (m.managed) {
            PvEntry entry = pmap.module.pv.alloc(pmap, va, true);
            if (entry == null) {
                List<VmPage> free = new ArrayList<>();
                pmap.unuse(va, pteA, free);
                pmap.freeAll(free); // the PTE was never valid: nothing to invalidate
                return;
            }
            pmap.module.pv.list(m).add(entry);
            pte |= PG_MANAGED;
        }
        pmap.residentCount++;
        pmap.store(pteA, pte);
        pmap.module.counters.enterQuicks++;
    }

    /** pmap_enter_object: maps resident pages of [start, end), 2 MiB at a time where a reservation is full. */
    static void enterObject(AmdPmap pmap, long start, long end, List<VmPage> pages, VmPage mStart, int prot) {
        for (int i = 0; i < pages.size(); i++) {
            VmPage m = pages.get(i);
            long va = start + VmParam.ptoa(m.pindex - mStart.pindex);
            if (va >= end) break;
            if ((va & PDRMASK) == 0 && va + NBPDR <= end && (m.phys & PDRMASK) == 0 && m.reservFullyPopulated()
                    && pmap.module.superpagesEnabled()) {
                long pdeA = pmap.pdeAddr(va);
                if (pdeA < 0 || (pmap.load(pdeA) & PG_V) == 0) {
                    long pde = m.phys | PG_PS | PG_V | PG_MANAGED | (isUser(va) ? PG_U : 0)
                        | ((prot & VM_PROT_EXECUTE) == 0 ? PG_NX : 0);
                    if (enterPde(pmap, va, m, pde, true) == KERN_SUCCESS) {
                        while (i + 1 < pages.size() && pages.get(i + 1).pindex < m.pindex + NPTEPG) i++;
                        continue;
                    }
                }
            }
            enterQuick(pmap, va, m, prot & (VM_PROT_READ | VM_PROT_EXECUTE));
        }
    }
}
