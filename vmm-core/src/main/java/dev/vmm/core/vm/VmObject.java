package dev.vmm.core.vm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * struct vm_object for anonymous memory (OBJT_DEFAULT/OBJT_SWAP without a swap device): the resident
 * pages by index, and the shadow chain used for copy on write. A shadow object holds the pages written
 * since it was created; the pages below are read through {@link #backingObject} at
 * {@code pindex + backingOffset}.
 *
 * <p>Field tags: (o) the object lock (the VM lock here), (c) constant.
 */
public final class VmObject {
    private static int nextId;

    /** (c) */
    public final int id = ++nextId;
    private final VmSystem vm;
    /** (o) resident pages by pindex (FreeBSD's rtree). */
    private final VmRadix pages = new VmRadix();
    /** (o) size in pages. */
    public long size;
    /** (o) references: map entries and shadows that use this object. */
    public int refCount = 1;
    /** (o) objects whose backing object this is. */
    public int shadowCount;
    /** (o) the object below in the shadow chain, or null. */
    public VmObject backingObject;
    /** (o) offset of this object's page 0 in the backing object, in pages. */
    public long backingOffset;
    /** (o) superpage reservations by pindex / 512. */
    final Map<Long, VmReserv> reservs = new HashMap<>();
    private boolean dead;

    VmObject(VmSystem vm, long sizePages) {
        this.vm = vm;
        this.size = sizePages;
    }

    public VmPage lookup(long pindex) { return pages.get(pindex); }

    public int residentCount() { return pages.size(); }

    /** Pages with pindex in [start, end), in order. */
    public List<VmPage> pagesIn(long start, long end) {
        List<VmPage> out = new ArrayList<>();
        pages.collect(start, end, out);
        return out;
    }

    /**
     * vm_page_alloc into this object at {@code pindex}, from the object's reservation when possible.
     * Returns null when no page could be had without waiting and {@code wait} is false.
     */
    public VmPage allocPage(long pindex, boolean wait) {
        if (pages.get(pindex) != null) throw new IllegalStateException("page exists at " + pindex);
        VmPage m = null;
        long rkey = pindex >>> 9;
        VmReserv rv = reservs.get(rkey);
        if (rv == null && vm.superpagesEnabled()) {
            rv = vm.phys().allocReserv(this, rkey << 9);
            if (rv != null) reservs.put(rkey, rv);
        }
        if (rv != null) m = rv.alloc(pindex);
        if (m == null) m = wait ? vm.phys().allocWait() : vm.phys().alloc(false);
        if (m == null) return null;
        insert(m, pindex);
        return m;
    }

    void insert(VmPage m, long pindex) {
        m.object = this;
        m.pindex = pindex;
        m.managed = true;
        pages.put(pindex, m);
        vm.enqueue(m, VmPage.PQ_ACTIVE);
    }

    /** vm_page_rename: moves a page to another object (copy-on-write optimisation when the backing object has one user). */
    void rename(VmPage m, VmObject to, long pindex) {
        pages.remove(m.pindex);
        m.reserv = null;
        to.pages.put(pindex, m);
        m.object = to;
        m.pindex = pindex;
    }

    /** vm_page_free of a resident page: removes all mappings first (pmap_remove_all). */
    public void freePage(VmPage m) {
        vm.pmap().removeAll(m);
        pages.remove(m.pindex);
        vm.dequeue(m);
        m.busy = false;
        vm.phys().free(m);
    }

    /** vm_object_page_remove: frees the resident pages in [start, end) that are not wired. */
    public void pageRemove(long start, long end) {
        for (VmPage m : pagesIn(start, end)) if (m.wireCount == 0) freePage(m);
    }

    /** vm_object_shadow: a new object over this one, taking over one reference. */
    public VmObject shadow(long offsetPages, long sizePages) {
        VmObject s = new VmObject(vm, sizePages);
        s.backingObject = this;
        s.backingOffset = offsetPages;
        shadowCount++;
        return s;
    }

    public void reference() { refCount++; }

    /** vm_object_deallocate: drops a reference; the last one terminates the object and walks down the chain. */
    public void deallocate() {
        VmObject o = this;
        while (o != null) {
            if (o.dead) throw new IllegalStateException("deallocate of dead object " + o.id);
            if (--o.refCount > 0) return;
            o.dead = true;
            for (VmPage m : o.pagesIn(0, Long.MAX_VALUE)) {
                o.freePage(m);
            }
            VmObject b = o.backingObject;
            if (b != null) b.shadowCount--;
            o.backingObject = null;
            o = b;
        }
    }

    public boolean isDead() { return dead; }

    @Override
    public String toString() { return "vm_object " + id; }
}
