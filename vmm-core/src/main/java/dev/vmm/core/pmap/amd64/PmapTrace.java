package dev.vmm.core.pmap.amd64;

/**
 * A listener for what the amd64 pmap does, for the monitor's {@code trace on pmap|shootdown}. Null by
 * default ({@link AmdPmapModule#setTrace}): then a pmap call pays one field test. Called on the thread
 * that runs the pmap call, with the VM lock held; a listener must not call back into the pmap.
 */
public interface PmapTrace {
    /** Result value of a call that returns nothing (every function but pmap_enter and pmap_ts_referenced). */
    long NO_RESULT = Long.MIN_VALUE;
    /** Result value of a call that ended with an exception (a guest-visible failure is reported elsewhere). */
    long THREW = Long.MIN_VALUE + 1;

    /**
     * One pmap call, reported when it returned. Outermost calls only (pmap_enter that reclaims pv chunks
     * is one call); promotions and demotions inside a call are reported as calls of their own, before
     * the call that caused them.
     *
     * @param function FreeBSD's name ("pmap_enter", "pmap_promote_pde", ...)
     * @param seq      the call's number, the same as in the TLB checker's reports ("pmap_enter#17"); 0 for nested work
     * @param pmapId   the pmap's number ({@code info pmap}), or -1 for per-page functions (pmap_remove_all ...)
     * @param sva      the address, or the start of the range; -1 when the call has none
     * @param eva      the end of the range (exclusive), or -1 for a single address or none
     * @param pa       the physical page involved, or -1
     * @param prot     VM_PROT_* bits, or -1
     * @param flags    pmap_enter flags (Pmap.ENTER_*, low byte the faulting access), psind in bits 16..; or -1
     * @param result   KERN_* for pmap_enter, the count for pmap_ts_referenced, else {@link #NO_RESULT} or {@link #THREW}
     */
    void call(String function, long seq, int pmapId, long sva, long eva, long pa, int prot, int flags, long result);

    /**
     * One TLB shootdown request (pmap_invalidate_page/_range/_all), reported after every target
     * acknowledged it.
     *
     * @param initiator the vCPU that ran the pmap call and invalidated locally, or -1 for the VMM itself
     * @param inCall    the pmap call that sent it ("pmap_protect#12"), or null when unknown
     * @param targets   pm_active (every vCPU for the kernel pmap): the vCPUs that had to invalidate
     * @param remote    the targets other than the initiator, which got a request and an IPI
     * @param latency   the largest acknowledgement latency over the remote targets, in their retired
     *                  instructions; -1 when there were none
     */
    void shootdown(Shootdown.Kind kind, int initiator, String inCall, int pmapId, long sva, long eva, long targets, long remote, long latency);
}
