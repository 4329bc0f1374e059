package dev.vmm.core.pmap.amd64;

/**
 * The pmap's statistics, declared once (FreeBSD's vm.pmap.* sysctls: pde.promotions, pde.demotions,
 * pde.mappings, pde.p_failures). Ownership: the VM lock.
 */
public final class PmapCounters {
    /** pmap_enter calls. */
    public long enters;
    /** pmap_enter_quick mappings made. */
    public long enterQuicks;
    /** vm.pmap.pde.mappings: 2 MiB mappings created by pmap_enter with psind 1 or enter_object. */
    public long pdeMappings;
    /** 1 GiB mappings made by pmap_enter with psind 2. */
    public long pdpeMappings;
    /** vm.pmap.pde.promotions / p_failures. */
    public long pdePromotions, pdePromotionFailures;
    /** vm.pmap.pde.demotions, and demotions that removed the mapping instead. */
    public long pdeDemotions, pdeDemotionFailures;
    /** TLB shootdowns that had targets besides the initiator, IPIs sent for them, and acknowledgements received. */
    public long shootdowns, shootdownIpis, shootdownAcks;
    /**
     * Shootdown latency: instructions a target retired between the request and its acknowledgement (the
     * window in which it could still use the stale translation), summed and the largest; 0 under the
     * deterministic scheduler, where targets are stopped while the initiator runs.
     */
    public long shootdownLatency, shootdownLatencyMax;

    @Override
    public String toString() {
        return String.format("enters=%d enter_quick=%d pde.mappings=%d pde.promotions=%d pde.p_failures=%d pde.demotions=%d demotion_failures=%d shootdowns=%d ipis=%d acks=%d latency.avg=%.1f latency.max=%d",
            enters, enterQuicks, pdeMappings, pdePromotions, pdePromotionFailures, pdeDemotions, pdeDemotionFailures,
            shootdowns, shootdownIpis, shootdownAcks, averageShootdownLatency(), shootdownLatencyMax);
    }

    /** Mean instructions from a shootdown request to its acknowledgement, per target. */
    public double averageShootdownLatency() {
        return shootdownAcks == 0 ? 0 : (double) shootdownLatency / shootdownAcks;
    }
}
