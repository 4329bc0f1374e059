package dev.vmm.core.pmap;

import java.util.function.IntConsumer;

/**
 * The pmap's port to the vCPUs' TLBs (what the IPI handlers of amd64's mp_machdep.c do on each CPU).
 * The pmap decides which CPUs must act (pm_active, all for the kernel pmap) and runs the shootdown
 * protocol; this port performs the invalidation on one vCPU and, when that vCPU runs on a thread of its
 * own, delivers the request to it.
 *
 * <p>The invalidation methods must be called where vCPU {@code cpu} is at an instruction boundary and
 * not running: on its own thread, or on any thread while {@link #targetStopped} says it is stopped.
 * Implemented over the CPUs by the machine; tests record the calls.
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

    /**
     * Whether the pmap may invalidate vCPU {@code cpu}'s TLB directly because it is known to be stopped
     * at an instruction boundary (no vCPU runs: tests of the pmap alone). When false the pmap sends it
     * the request with {@link #ipi}.
     */
    default boolean targetStopped(int cpu) { return true; }

    /**
     * The shootdown IPI to vCPU {@code cpu}: the service hook given to {@link #connect} runs with its id
     * at its next instruction boundary, on its own thread (or at once on the caller's thread when no
     * thread runs that vCPU).
     */
    default void ipi(int cpu) { throw new IllegalStateException("no IPI path to cpu" + cpu); }

    /** Called once by the pmap with what a vCPU runs when an IPI reaches it. */
    default void connect(IntConsumer service) { }

    /** Instructions vCPU {@code cpu} has retired (for the shootdown latency; may be slightly stale). */
    default long instructions(int cpu) { return 0; }

    /** A port for machines without vCPUs yet (tests of the VM alone): nothing to invalidate. */
    TlbInvalidator NONE = new TlbInvalidator() {
        @Override public int cpuCount() { return 1; }
        @Override public void invalidatePage(int cpu, long va) { }
        @Override public void invalidateAll(int cpu, boolean global) { }
        @Override public void loadCr3(int cpu, long cr3) { }
    };
}
