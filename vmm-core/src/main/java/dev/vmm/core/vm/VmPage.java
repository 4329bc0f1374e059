package dev.vmm.core.vm;

/**
 * struct vm_page: the machine-independent state of one 4 KiB physical page of guest RAM.
 *
 * <p>Field tags (FreeBSD's vm_page.h key): (c) constant after creation, (o) owned by the object the page
 * belongs to (the object lock), (a) atomic flags any layer may set; the pmap sets and clears them,
 * (b) the busy holder, (q) the page-queue owner (the page daemon), (p) the pmap, for page-table pages.
 * This VMM runs the VM under one lock per machine ({@link VmSystem}), so the tags document ownership
 * rather than name distinct Java locks.
 *
 * <p>Page-table pages use {@link #refCount} as the number of valid entries they hold (FreeBSD does the
 * same with ref_count) and {@link #pindex} as their position in the paging hierarchy.
 */
public final class VmPage {
    /** aflags: the page may have a writeable managed mapping (pmap clears it when it knows none exists). */
    public static final int PGA_WRITEABLE = 0x0001;
    /** aflags: some mapping of the page was accessed (moved here from PTE accessed bits). */
    public static final int PGA_REFERENCED = 0x0002;
    /** aflags: the page may be mapped executable. */
    public static final int PGA_EXECUTABLE = 0x0004;

    /** All 4 KiB of the page (the dirty/valid bitmaps have one bit per 512-byte block in FreeBSD). */
    public static final int VM_PAGE_BITS_ALL = 0xFF;

    /** Page queues. */
    public static final int PQ_NONE = -1, PQ_INACTIVE = 0, PQ_ACTIVE = 1, PQ_LAUNDRY = 2;

    /** (c) physical address. */
    public final long phys;
    /** (c) index in the page array. */
    public final int index;
    /** (o) the owning object, or null (free, page-table or kernel page). */
    public VmObject object;
    /** (o) page index within the object; for page-table pages, the pmap's ptepindex. */
    public long pindex;
    /** (a) PGA_* flags. */
    public int aflags;
    /** (o) dirty blocks; VM_PAGE_BITS_ALL when the page differs from its backing store (zeros). */
    public int dirty;
    /** (o) valid blocks. */
    public int valid;
    /** (b) exclusive busy: the holder may sleep; pmap_enter of a managed page requires it or the object lock. */
    public boolean busy;
    /** (o) wirings: mlock, page-table pages, held pages; a wired page is never reclaimed. */
    public int wireCount;
    /** (p) page-table pages: number of valid entries. */
    public int refCount;
    /** (q) queue, PQ_*. */
    public int queue = PQ_NONE;
    /** (q) activity count the page daemon ages (ACT_INIT 5, ACT_MAX 64). */
    public int actCount;
    /** (q) links of the page queue the page is on ({@link PageQueue}). */
    VmPage qprev, qnext;
    /** (c) managed pages have pv entries; page-table and kernel pages are unmanaged. */
    public boolean managed;
    /** (o) whether the page is free in {@link VmPhys}. */
    boolean free = true;
    /** (o) the reservation this page belongs to, or null. */
    VmReserv reserv;

    VmPage(int index, long phys) {
        this.index = index;
        this.phys = phys;
    }

    /** vm_page_dirty: the page now differs from its backing store. */
    public void dirty() { dirty = VM_PAGE_BITS_ALL; }

    public boolean isDirty() { return dirty != 0; }

    public boolean isFree() { return free; }

    public void setAflag(int f) { aflags |= f; }

    public void clearAflag(int f) { aflags &= ~f; }

    public boolean hasAflag(int f) { return (aflags & f) != 0; }

    public void wire() { wireCount++; }

    public void unwire() {
        if (wireCount <= 0) throw new IllegalStateException("vm_page_unwire: page " + this + " not wired");
        wireCount--;
    }

    /** The reservation (2 MiB aligned run) this page came from is fully populated (vm_reserv_level_iffullpop). */
    public boolean reservFullyPopulated() { return reserv != null && reserv.fullyPopulated(); }

    @Override
    public String toString() { return String.format("vm_page{pa=%#x, pindex=%d}", phys, pindex); }
}
