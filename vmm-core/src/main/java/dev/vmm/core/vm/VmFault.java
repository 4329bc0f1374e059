package dev.vmm.core.vm;

import dev.vmm.core.pmap.Pmap;

import static dev.vmm.core.vm.VmParam.*;

/**
 * vm_fault: resolves a page fault in a map. The state of one fault lives in a {@link FaultState}; the
 * fast path ({@link #softFast}) maps a page already resident in the entry's first object, the slow
 * path walks the shadow chain, zero-fills at its end and copies on write. Results are KERN_* codes.
 * <pre>
 *  lookup entry -> rights check -> NEEDS_COPY: shadow on write, else map read-only
 *  -> fast: resident in first object -> pmap_enter (2 MiB when the reservation is full)
 *  -> slow: chain walk -> found below + write: copy (or move) into the first object
 *                      -> found below + read: map read-only
 *                      -> not found: zero-fill in the first object
 *  -> pmap_enter -> prefault neighbours with pmap_enter_quick
 * </pre>
 */
public final class VmFault {
    private VmFault() { }

    /** fault_flags: wire the page (mlock); the fault type becomes the entry's protection. */
    public static final int VM_FAULT_WIRE = 0x1;
    /** Neighbours tried behind and ahead of the fault (PFBAK, PFFOR). */
    static final int PFBAK = 4, PFFOR = 4;

    /** struct faultstate: one fault's state, grouped as FreeBSD's. */
    static final class FaultState {
        // inputs
        VmMap map;
        long va;
        int faultType;
        int faultFlags;
        // from the map lookup
        VmMapEntry entry;
        int prot;
        boolean wired;
        VmObject firstObject;
        long firstPindex;
        // the page being resolved and where it was found
        VmObject object;
        long pindex;
        VmPage m;

        void reset() {
            map = null; entry = null; firstObject = null; object = null; m = null;
            va = 0; faultType = 0; faultFlags = 0; prot = 0; wired = false; firstPindex = 0; pindex = 0;
        }
    }

    /** vm_fault(map, trunc_page(va), faultType, flags). */
    public static int fault(VmMap map, long va, int faultType, int faultFlags) {
        VmCounters c = map.vm.counters;
        c.faults++;
        FaultState fs = map.vm.faultState; // one fault at a time under the VM lock: no allocation per fault
        fs.reset();
        fs.map = map;
        fs.va = truncPage(va);
        fs.faultType = faultType;
        fs.faultFlags = faultFlags;
        int rv = lookup(fs);
        if (rv == KERN_SUCCESS) rv = softFast(fs) ? KERN_SUCCESS : slow(fs);
        if (rv != KERN_SUCCESS) c.faultFailures++;
        return rv;
    }

    /** vm_map_lookup: entry, rights, copy-on-write setup, first object and pindex. */
    private static int lookup(FaultState fs) {
        VmMapEntry e = fs.map.lookupEntry(fs.va);
        if (e == null) return KERN_INVALID_ADDRESS;
        fs.entry = e;
        fs.wired = (fs.faultFlags & VM_FAULT_WIRE) != 0;
        if (fs.wired) fs.faultType = e.protection;
        if (e.protection == VM_PROT_NONE || (fs.faultType & ~e.protection) != 0) return KERN_PROTECTION_FAILURE;
        fs.prot = e.protection;
        if (e.needsCopy() && e.object != null && e.object.refCount == 1 && e.object.shadowCount == 0) {
            // vm_object_shadow's shortcut: an object nobody else uses needs no shadow (the other side of
            // the fork has gone); the entry simply owns it again.
            e.eflags &= ~VmMapEntry.MAP_ENTRY_NEEDS_COPY;
        }
        if (e.needsCopy()) {
            if ((fs.faultType & VM_PROT_WRITE) != 0) {
                // vm_object_shadow: the entry gets a private object over the shared one.
                e.object = e.object.shadow(e.offset, e.pages());
                e.offset = 0;
                e.eflags &= ~VmMapEntry.MAP_ENTRY_NEEDS_COPY;
            } else {
                fs.prot &= ~VM_PROT_WRITE;
            }
        }
        if (e.object == null) {
            e.object = fs.map.vm.allocateObject(e.pages());
            e.offset = 0;
        }
        fs.firstObject = e.object;
        fs.firstPindex = e.pindex(fs.va);
        return KERN_SUCCESS;
    }

    /** vm_fault_soft_fast: the page is resident and valid in the first object. */
    private static boolean softFast(FaultState fs) {
        VmPage m = fs.firstObject.lookup(fs.firstPindex);
        if (m == null || m.busy || m.valid == 0) return false;
        Pmap pmap = fs.map.pmap;
        int flags = fs.faultType | Pmap.ENTER_NOSLEEP | (fs.wired ? Pmap.ENTER_WIRED : 0);
        VmPage target = m;
        long va = fs.va;
        int psind = 0;
        if (!fs.wired && superpageFits(fs, m)) {
            long base = fs.firstPindex & ~(long) (NPTEPG - 1);
            target = fs.firstObject.lookup(base);
            va = fs.va & ~PDRMASK;
            psind = 1;
        }
        target.busy = true;
        int rv = pmap.enter(va, target, fs.prot, flags, psind);
        target.busy = false;
        if (rv != KERN_SUCCESS) return false;
        if ((fs.faultType & VM_PROT_WRITE) != 0) {
            if (psind == 1) for (int i = 0; i < NPTEPG; i++) fs.firstObject.lookup((fs.firstPindex & ~511L) + i).dirty();
            else m.dirty();
        }
        if (fs.wired) m.wire();
        fs.map.vm.counters.faultsFast++;
        return true;
    }

    /** The 2 MiB-aligned run around the fault is in the entry, fully populated and physically aligned. */
    private static boolean superpageFits(FaultState fs, VmPage m) {
        if (!fs.map.vm.superpagesEnabled() || !m.reservFullyPopulated()) return false;
        long va2m = fs.va & ~PDRMASK;
        if (va2m < fs.entry.start || va2m + NBPDR > fs.entry.end) return false;
        long basePindex = fs.firstPindex - ((fs.va - va2m) >>> PAGE_SHIFT);
        VmPage first = fs.firstObject.lookup(basePindex);
        return first != null && (first.phys & PDRMASK) == 0 && first.reservFullyPopulated() && m.phys - first.phys == fs.va - va2m;
    }

    private static int slow(FaultState fs) {
        VmSystem vm = fs.map.vm;
        fs.object = fs.firstObject;
        fs.pindex = fs.firstPindex;
        while (true) {
            fs.m = fs.object.lookup(fs.pindex);
            if (fs.m != null) break;
            if (fs.object.backingObject == null) {
                // End of the chain: zero-fill a new page in the first object.
                fs.m = fs.firstObject.allocPage(fs.firstPindex, true);
                vm.pmap().zeroPage(fs.m);
                fs.m.valid = VmPage.VM_PAGE_BITS_ALL;
                fs.object = fs.firstObject;
                vm.counters.zeroFill++;
                break;
            }
            fs.pindex += fs.object.backingOffset;
            fs.object = fs.object.backingObject;
        }
        if (fs.object != fs.firstObject) {
            if ((fs.faultType & VM_PROT_WRITE) != 0) cow(fs);
            else fs.prot &= ~VM_PROT_WRITE; // a later write faults again and copies
        }
        VmPage m = fs.m;
        m.busy = true;
        int flags = fs.faultType | (fs.wired ? Pmap.ENTER_WIRED : 0);
        int rv = fs.map.pmap.enter(fs.va, m, fs.prot, flags, 0);
        m.busy = false;
        if (rv != KERN_SUCCESS) return rv;
        if ((fs.faultType & VM_PROT_WRITE) != 0) m.dirty();
        if (fs.wired) m.wire();
        else prefault(fs);
        return KERN_SUCCESS;
    }

    /** vm_fault_cow: the first object gets its own copy (or the page itself, when nobody else can see it). */
    private static void cow(FaultState fs) {
        VmSystem vm = fs.map.vm;
        VmObject backing = fs.object;
        VmPage src = fs.m;
        if (backing == fs.firstObject.backingObject && backing.refCount == 1 && backing.shadowCount == 1
                && src.wireCount == 0 && !src.busy && src.reserv == null) {
            vm.pmap().removeAll(src);
            backing.rename(src, fs.firstObject, fs.firstPindex);
            vm.counters.cowOptim++;
        } else {
            VmPage copy = fs.firstObject.allocPage(fs.firstPindex, true);
            vm.pmap().copyPage(src, copy);
            copy.valid = VmPage.VM_PAGE_BITS_ALL;
            fs.m = copy;
            vm.counters.cowFaults++;
        }
        fs.object = fs.firstObject;
    }

    /**
     * vm_fault_prefault: maps resident neighbours read-only where a page table is already there, nearest
     * first, alternating behind and ahead. The object lookup comes before pmap_is_prefaultable: it is the
     * cheaper test, and on a first touch of fresh memory it fails for every neighbour.
     */
    private static void prefault(FaultState fs) {
        Pmap pmap = fs.map.pmap;
        VmMapEntry e = fs.entry;
        for (int i = 1; i <= Math.max(PFBAK, PFFOR); i++) {
            if (i <= PFBAK) prefaultOne(fs, pmap, e, fs.va - (long) i * PAGE_SIZE);
            if (i <= PFFOR) prefaultOne(fs, pmap, e, fs.va + (long) i * PAGE_SIZE);
        }
    }

    private static void prefaultOne(FaultState fs, Pmap pmap, VmMapEntry e, long addr) {
        if (addr < e.start || addr >= e.end) return;
        VmObject o = fs.firstObject;
        long pi = e.pindex(addr);
        VmPage m = o.lookup(pi);
        while (m == null && o.backingObject != null) { pi += o.backingOffset; o = o.backingObject; m = o.lookup(pi); }
        if (m == null || m.busy || m.valid == 0) return;
        if (!pmap.isPrefaultable(addr)) return;
        pmap.enterQuick(addr, m, fs.prot & ~VM_PROT_WRITE);
        fs.map.vm.counters.prefaulted++;
    }
}
