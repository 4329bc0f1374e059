package dev.vmm.core.pmap;

/**
 * The pmap's port to the vCPUs' TLBs (what the IPI handlers of amd64's mp_machdep.c do on each CPU).
 * The pmap decides which CPUs must act (pm_active, all for the kernel pmap); this port performs the
 * invalidation on one vCPU. Implemented over the CPUs by the machine; tests record the calls.
 */
public interface TlbInvalidator {
    /** Number of vCPUs (ids 0..n-1). */
    int cpuCount();

    /** INVLPG {@code va} on vCPU {@code cpu}. */
    void invalidatePage(int cpu, long va);

    /** Flush the TLB of vCPU {@code cpu} (with global entries when {@code global}). */
    void invalidateAll(int cpu, boolean global);

    /** MOV CR3 on vCPU {@code cpu} (pmap_activate). */
    void loadCr3(int cpu, long cr3);

    /** A port for machines without vCPUs yet (tests of the VM alone): nothing to invalidate. */
    TlbInvalidator NONE = new TlbInvalidator() {
        @Override public int cpuCount() { return 1; }
        @Override public void invalidatePage(int cpu, long va) { }
        @Override public void invalidateAll(int cpu, boolean global) { }
        @Override public void loadCr3(int cpu, long cr3) { }
    };
}
