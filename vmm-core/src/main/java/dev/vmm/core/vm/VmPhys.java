package dev.vmm.core.vm;

import dev.vmm.mmu.PhysicalMemory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * vm_phys and the page array: every 4 KiB frame of the RAM the VM manages has a {@link VmPage}; free
 * frames are kept in a bitmap. Single pages are taken from the top of RAM, 2 MiB runs for superpage
 * reservations ({@link VmReserv}) from the bottom, so small allocations do not fragment the runs.
 *
 * <p>When no page is free, {@link #allocWait} runs the low-memory handler (FreeBSD's vm_wait: wake the
 * page daemon) and retries; {@link #alloc} never waits and returns null (the NOWAIT/NOSLEEP case).
 *
 * <p>Ownership: under the VM lock ({@link VmSystem}).
 */
public final class VmPhys {
    private final PhysicalMemory mem;
    private final long first;
    private final VmPage[] pages;
    private final BitSet freeSet = new BitSet();
    /** (c) */
    private final int npages;
    private int freeCount;
    /** Pages held by reservations but not yet populated. */
    private final List<VmReserv> partialReservs = new ArrayList<>();
    private Runnable lowMemory = () -> { };
    /** Pages kept back from ordinary allocations (v_free_reserved), so pmap internals can still get some. */
    private int reserved;

    /** Manages the RAM frames in [firstPa, lastPa) of {@code mem}. */
    public VmPhys(PhysicalMemory mem, long firstPa, long lastPa) {
        if ((firstPa & VmParam.PAGE_MASK) != 0 || lastPa <= firstPa) throw new IllegalArgumentException("bad range");
        this.mem = mem;
        this.first = firstPa;
        this.npages = (int) ((lastPa - firstPa) >>> VmParam.PAGE_SHIFT);
        this.pages = new VmPage[npages];
        for (int i = 0; i < npages; i++) pages[i] = new VmPage(i, firstPa + ((long) i << VmParam.PAGE_SHIFT));
        freeSet.set(0, npages);
        freeCount = npages;
    }

    public PhysicalMemory memory() { return mem; }

    public int pageCount() { return npages; }

    public int freeCount() { return freeCount; }

    public void setLowMemoryHandler(Runnable r) { lowMemory = r; }

    public void setReserved(int pages) { reserved = pages; }

    /** PHYS_TO_VM_PAGE: the page of a physical address, or null when the VM does not manage it. */
    public VmPage page(long pa) {
        long i = (pa - first) >> VmParam.PAGE_SHIFT;
        return i >= 0 && i < npages ? pages[(int) i] : null;
    }

    public VmPage pageAt(int index) { return pages[index]; }

    /** Allocates a page without waiting; null when only the reserve is left (unless {@code useReserve}). */
    public VmPage alloc(boolean useReserve) {
        if (freeCount <= (useReserve ? 0 : reserved)) {
            if (!breakReservation()) return null;
        }
        int i = freeSet.previousSetBit(npages - 1);
        if (i < 0) return null;
        return take(i);
    }

    /** Allocates a page, running the low-memory handler until one is free; fails only when RAM is exhausted. */
    public VmPage allocWait() {
        for (int attempt = 0; attempt < 4; attempt++) {
            VmPage m = alloc(false);
            if (m != null) return m;
            lowMemory.run();
        }
        VmPage m = alloc(true);
        if (m == null) throw new IllegalStateException("vm_wait: out of memory, nothing reclaimable");
        return m;
    }

    /** Allocates a zeroed page (VM_ALLOC_ZERO). */
    public VmPage allocZeroed(boolean wait) {
        VmPage m = wait ? allocWait() : alloc(false);
        if (m != null) mem.zero(m.phys, VmParam.PAGE_SIZE);
        return m;
    }

    private VmPage take(int i) {
        freeSet.clear(i);
        freeCount--;
        VmPage m = pages[i];
        m.free = false;
        m.aflags = 0; m.dirty = 0; m.valid = 0; m.wireCount = 0; m.refCount = 0; m.busy = false;
        m.queue = VmPage.PQ_NONE; m.actCount = 0; m.object = null; m.pindex = 0; m.managed = false; m.reserv = null;
        return m;
    }

    /** vm_page_free: returns a page (it must have no mappings and no wirings; the caller checked). */
    public void free(VmPage m) {
        if (m.free) throw new IllegalStateException("double free of " + m);
        if (m.wireCount != 0) throw new IllegalStateException("freeing wired " + m);
        if (m.queue != VmPage.PQ_NONE) throw new IllegalStateException("freeing " + m + " still on page queue " + m.queue);
        m.object = null;
        m.free = true;
        VmReserv rv = m.reserv;
        if (rv != null) { rv.depopulate(m); if (rv.population() == 0) releaseReserv(rv); else if (!partialReservs.contains(rv)) partialReservs.add(rv); return; }
        freeSet.set(m.index);
        freeCount++;
    }

    /** Finds a free 2 MiB aligned run for a reservation; null if none. */
    VmReserv allocReserv(VmObject obj, long firstPindex) {
        int start = (int) (((first + VmParam.PDRMASK) & ~VmParam.PDRMASK) - first) >>> VmParam.PAGE_SHIFT;
        for (int i = start; i + VmParam.NPTEPG <= npages; i += VmParam.NPTEPG) {
            if (freeSet.nextClearBit(i) >= i + VmParam.NPTEPG && freeCount - VmParam.NPTEPG > reserved) {
                freeSet.clear(i, i + VmParam.NPTEPG);
                freeCount -= VmParam.NPTEPG;
                VmReserv rv = new VmReserv(this, obj, firstPindex, i);
                partialReservs.add(rv);
                return rv;
            }
        }
        return null;
    }

    /** Takes the page at {@code index} out of a reservation's run. */
    VmPage populate(VmReserv rv, int index) {
        freeSet.set(index);
        freeCount++;
        VmPage m = take(index);
        m.reserv = rv;
        if (rv.fullyPopulated()) partialReservs.remove(rv);
        return m;
    }

    private void releaseReserv(VmReserv rv) {
        partialReservs.remove(rv);
        rv.release(freeSet);
        freeCount += VmParam.NPTEPG;
        rv.owner.reservs.remove(rv.firstPindex >>> 9);
    }

    /** vm_reserv_reclaim_inactive: gives the unpopulated pages of one partial reservation back. */
    private boolean breakReservation() {
        if (partialReservs.isEmpty()) return false;
        VmReserv rv = partialReservs.removeFirst();
        freeCount += rv.breakUp(freeSet);
        rv.owner.reservs.remove(rv.firstPindex >>> 9);
        return true;
    }

    VmPage[] pages() { return pages; }
}
