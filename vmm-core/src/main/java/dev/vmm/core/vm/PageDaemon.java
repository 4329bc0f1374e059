package dev.vmm.core.vm;


/**
 * vm_pageout: ages pages with pmap_ts_referenced and reclaims unreferenced clean ones. Active pages
 * whose mappings were not referenced lose activity and move to the inactive queue; inactive pages still
 * unreferenced are freed (pmap_remove_all, then vm_page_free) if clean. Dirty anonymous pages are kept:
 * there is no swap device, so their contents exist nowhere else. Wired and busy pages are skipped.
 *
 * <p>Runs when {@link VmPhys} finds no free page (vm_wait) or when asked. Ownership: the VM lock.
 */
public final class PageDaemon {
    /** ACT_DECLINE, ACT_ADVANCE, ACT_MAX from vm_page.h. */
    static final int ACT_DECLINE = 1, ACT_ADVANCE = 3, ACT_MAX = 64;

    private final VmSystem vm;

    public PageDaemon(VmSystem vm) {
        this.vm = vm;
    }

    /** Installs this daemon as the allocator's low-memory handler, aiming for {@code target} free pages. */
    public void install(int target) { vm.phys().setLowMemoryHandler(() -> scan(target)); }

    /** One pass over both queues; returns the number of pages freed. */
    public int scan(int target) {
        VmCounters c = vm.counters;
        for (VmPage m : vm.active.snapshot()) {
            if (m.wireCount > 0 || m.busy || !m.managed) continue;
            c.pdScans++;
            int refs = references(m);
            if (refs > 0) {
                m.actCount = Math.min(m.actCount + ACT_ADVANCE + refs, ACT_MAX);
                vm.active.requeue(m);
            } else if ((m.actCount -= ACT_DECLINE) <= 0 || vm.phys().freeCount() < target) {
                m.actCount = 0;
                vm.enqueue(m, VmPage.PQ_INACTIVE);
                c.pdDeactivated++;
            }
        }
        int freed = 0;
        for (VmPage m : vm.inactive.snapshot()) {
            if (freed >= target) break;
            if (m.wireCount > 0 || m.busy || !m.managed) continue;
            c.pdScans++;
            if (references(m) > 0) { vm.enqueue(m, VmPage.PQ_ACTIVE); continue; }
            if (!m.isDirty() && vm.pmap().isModified(m)) m.dirty(); // vm_page_test_dirty
            if (m.isDirty()) continue;
            m.object.freePage(m);
            freed++;
            c.pdFreed++;
        }
        return freed;
    }

    /** References since the last look: the pmap's accessed bits plus PGA_REFERENCED (then cleared). */
    private int references(VmPage m) {
        int refs = vm.pmap().tsReferenced(m);
        if (m.hasAflag(VmPage.PGA_REFERENCED)) { m.clearAflag(VmPage.PGA_REFERENCED); refs++; }
        return refs;
    }
}
