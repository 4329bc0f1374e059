package dev.vmm.core.vm;

import java.util.BitSet;

/**
 * vm_reserv: a 2 MiB aligned run of physical pages set aside for one object's 512 consecutive page
 * indexes, so that once every page is populated the pmap can map the run with one 2 MiB PDE
 * (promotion). Under memory pressure a partially populated reservation is broken: its unpopulated pages
 * return to the free pool and its populated pages stay where they are.
 *
 * <p>Ownership: under the VM lock; (c) fields are fixed at creation.
 */
final class VmReserv {
    private final VmPhys phys;
    /** (c) the object and the first pindex (a multiple of 512) the run serves. */
    final VmObject owner;
    final long firstPindex;
    /** (c) index of the first page of the run in the page array. */
    final int firstIndex;
    private final BitSet popmap = new BitSet(VmParam.NPTEPG);
    private boolean broken;

    VmReserv(VmPhys phys, VmObject owner, long firstPindex, int firstIndex) {
        this.phys = phys;
        this.owner = owner;
        this.firstPindex = firstPindex;
        this.firstIndex = firstIndex;
    }

    /** vm_reserv_alloc_page: the run's page for {@code pindex}, or null when it is taken or the run broken. */
    VmPage alloc(long pindex) {
        int off = (int) (pindex - firstPindex);
        if (broken || popmap.get(off)) return null;
        popmap.set(off);
        return phys.populate(this, firstIndex + off);
    }

    void depopulate(VmPage m) {
        popmap.clear(m.index - firstIndex);
        m.reserv = null;
    }

    int population() { return popmap.cardinality(); }

    boolean fullyPopulated() { return !broken && popmap.cardinality() == VmParam.NPTEPG; }

    /** Returns every page of an empty run to the free set. */
    void release(BitSet freeSet) {
        freeSet.set(firstIndex, firstIndex + VmParam.NPTEPG);
        broken = true;
    }

    /** Frees the unpopulated pages; the populated ones leave the reservation. Returns how many were freed. */
    int breakUp(BitSet freeSet) {
        int n = 0;
        for (int i = 0; i < VmParam.NPTEPG; i++) {
            VmPage m = phys.pageAt(firstIndex + i);
            if (popmap.get(i)) { m.reserv = null; continue; }
            freeSet.set(firstIndex + i);
            n++;
        }
        broken = true;
        return n;
    }
}
