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
    /** (c) numbered per machine from 1, so the monitor's names are the same on every run. */
    public final int id;
    private final VmSystem vm;
    /** (o) resident pages by pindex (FreeBSD's rtree). */
    private final VmRadix pages = new VmRadix();
    /** (o) size in pages. */
    public long size;
    /** (o) references: map entries and shadows that use this object. */
    public int refCount = 1;
    /** (o) objects whose backing object this is. */
    public int shadowCount;
    /** (o) those objects (FreeBSD's shadow_head): vm_object_deallocate finds the one left to collapse into. */
    private final List<VmObject> shadows = new ArrayList<>(1);
    /** (o) the object below in the shadow chain, or null. */
    public VmObject backingObject;
    /** (o) offset of this object's page 0 in the backing object, in pages. */
    public long backingOffset;
    /** (o) superpage reservations by pindex / 512. */
    final Map<Long, VmReserv> reservs = new HashMap<>();
    private boolean dead;

    VmObject(VmSystem vm, long sizePages) {
        this.vm = vm;
        this.id = ++vm.objectIds;
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
        shadows.add(s);
        return s;
    }

    public void reference() { refCount++; }

    /** vm_object_deallocate: drops a reference; the last one terminates the object and walks down the chain. */
    public void deallocate() {
        VmObject o = this;
        while (o != null) {
            if (o.dead) throw new IllegalStateException("deallocate of dead object " + o.id);
            if (--o.refCount > 0) {
                // The last user left is a shadow: fold this object into it, so chains do not grow with
                // every fork whose child exits.
                if (o.refCount == 1 && o.shadowCount == 1) o.shadows.getFirst().collapse();
                return;
            }
            o.dead = true;
            for (VmPage m : o.pagesIn(0, Long.MAX_VALUE)) {
                o.freePage(m);
            }
            VmObject b = o.backingObject;
            if (b != null) { b.shadowCount--; b.shadows.remove(o); }
            o.backingObject = null;
            o = b;
        }
    }

    public boolean isDead() { return dead; }

    /**
     * vm_object_collapse: while this object is the only user of its backing object, the backing object's
     * pages move up into this one (those this object already has, or that lie outside its window, are
     * freed: nobody can reach them) and this object takes over the backing object's place in the chain.
     * A backing object with a busy or wired page is left alone (FreeBSD waits for busy pages).
     */
    public void collapse() {
        while (backingObject != null) {
            VmObject b = backingObject;
            if (b.dead || b.refCount != 1 || b.shadowCount != 1 || b.shadows.getFirst() != this) return;
            List<VmPage> bpages = b.pagesIn(0, Long.MAX_VALUE);
            for (VmPage p : bpages) if (p.busy || p.wireCount > 0) return;
            for (VmPage p : bpages) {
                long np = p.pindex - backingOffset;
                if (np < 0 || np >= size || pages.get(np) != null) {
                    b.freePage(p);
                } else {
                    // vm_page_rename; the reservation stays with the page (its free path depopulates it).
                    b.pages.remove(p.pindex);
                    p.object = this;
                    p.pindex = np;
                    pages.put(np, p);
                    vm.counters.collapsedPages++;
                }
            }
            VmObject bb = b.backingObject;
            backingObject = bb;
            backingOffset += b.backingOffset;
            if (bb != null) bb.shadows.set(bb.shadows.indexOf(b), this); // b's reference on bb is now ours
            b.backingObject = null;
            b.shadows.clear();
            b.shadowCount = 0;
            b.refCount = 0;
            b.dead = true;
            vm.counters.collapses++;
        }
    }

    @Override
    public String toString() { return "vm_object " + id; }
}
