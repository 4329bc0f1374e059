package dev.vmm.core.vm;

/**
 * Counters of the VM layer, declared once (FreeBSD's vm.stats.vm.* sysctls): shown by tests,
 * benchmarks and the monitor. Ownership: the VM lock.
 */
public final class VmCounters {
    /** v_vm_faults: faults handled by vm_fault. */
    public long faults;
    /** Faults resolved on the fast path (page resident in the first object). */
    public long faultsFast;
    /** v_zfod: zero-fill-on-demand pages allocated. */
    public long zeroFill;
    /** v_cow_faults: pages copied for copy on write. */
    public long cowFaults;
    /** v_cow_optim: copy on write resolved by moving the page (the backing object had one user). */
    public long cowOptim;
    /** Pages mapped ahead of the fault by pmap_enter_quick. */
    public long prefaulted;
    /** vm_object_collapse: backing objects folded into their only shadow, and pages moved up by it. */
    public long collapses, collapsedPages;
    /** Faults that failed (any KERN_* other than success). */
    public long faultFailures;
    /** Page daemon: pages scanned, deactivated, freed (reclaimed). */
    public long pdScans, pdDeactivated, pdFreed;

    @Override
    public String toString() {
        return String.format("faults=%d fast=%d zfod=%d cow=%d cow_optim=%d prefault=%d collapses=%d collapsed_pages=%d failed=%d pd_scans=%d pd_deact=%d pd_freed=%d",
            faults, faultsFast, zeroFill, cowFaults, cowOptim, prefaulted, collapses, collapsedPages, faultFailures, pdScans, pdDeactivated, pdFreed);
    }
}
