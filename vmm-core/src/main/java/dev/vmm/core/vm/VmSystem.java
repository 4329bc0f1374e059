package dev.vmm.core.vm;

import dev.vmm.core.pmap.PmapModule;


/**
 * The kernel VM's globals for one machine: the page array and allocator ({@link VmPhys}), the
 * machine-dependent pmap module, the page queues and the counters (FreeBSD's vm_cnt and sysctls).
 *
 * <p>Locking: the whole VM layer of a machine runs under this object's monitor (callers synchronize on
 * it); FreeBSD's finer locks (object, page, pmap, map) are documented as tags on the fields they guard.
 */
public final class VmSystem {
    private final VmPhys phys;
    private PmapModule pmap;
    private boolean superpages = true;
    /** (q) page queues, LRU order: the page daemon scans from the head. */
    final PageQueue active = new PageQueue();
    final PageQueue inactive = new PageQueue();
    public final VmCounters counters = new VmCounters();
    /** The last vm_object number given out ({@link VmObject#id}). */
    int objectIds;
    /** vm_fault's state, reused: faults run one at a time under this object's monitor. */
    final VmFault.FaultState faultState = new VmFault.FaultState();

    public VmSystem(VmPhys phys) {
        this.phys = phys;
    }

    /** Installs the machine-dependent layer (done once, before any address space exists). */
    public void setPmap(PmapModule pmap) {
        if (this.pmap != null) throw new IllegalStateException("pmap already set");
        this.pmap = pmap;
    }

    public VmPhys phys() { return phys; }

    public PmapModule pmap() { return pmap; }

    public boolean superpagesEnabled() { return superpages; }

    /** vm.pmap.pg_ps_enabled: superpage reservations and promotions. */
    public void setSuperpagesEnabled(boolean on) { superpages = on; }

    /** A new anonymous object of {@code sizePages} pages. */
    public VmObject allocateObject(long sizePages) { return new VmObject(this, sizePages); }

    void enqueue(VmPage m, int queue) {
        dequeue(m);
        m.queue = queue;
        if (queue == VmPage.PQ_ACTIVE) { active.add(m); m.actCount = Math.max(m.actCount, 5); }
        else if (queue == VmPage.PQ_INACTIVE) inactive.add(m);
    }

    void dequeue(VmPage m) {
        if (m.queue == VmPage.PQ_ACTIVE) active.remove(m);
        else if (m.queue == VmPage.PQ_INACTIVE) inactive.remove(m);
        m.queue = VmPage.PQ_NONE;
    }

    public int activeCount() { return active.size(); }

    public int inactiveCount() { return inactive.size(); }
}
