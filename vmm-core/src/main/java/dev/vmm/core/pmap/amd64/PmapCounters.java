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

    @Override
    public String toString() {
        return String.format("enters=%d enter_quick=%d pde.mappings=%d pde.promotions=%d pde.p_failures=%d pde.demotions=%d demotion_failures=%d",
            enters, enterQuicks, pdeMappings, pdePromotions, pdePromotionFailures, pdeDemotions, pdeDemotionFailures);
    }
}
