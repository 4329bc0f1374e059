package dev.vmm.core.apic;

/**
 * What a local APIC's LINT0 sees of an 8259-compatible interrupt controller: its INT wire, and the
 * INTA cycle that takes the vector from it. An interrupt arriving this way (ExtINT) bypasses the APIC's
 * IRR, ISR and priority (SDM vol. 3, 11.5.1): the controller's own ISR and EOI govern it.
 *
 * <p>An implementation's methods synchronize on the object itself (a local APIC reads {@link #intr()}
 * while holding that monitor, so that it applies levels in the order they happened) and must not call
 * an APIC while holding it.
 */
public interface ExtIntSource {
    /** Whether INT is asserted: a request the controller would hand out now. */
    boolean intr();

    /** The INTA cycle: the vector of the request now in service (a spurious IRQ 7's when it went away). */
    int inta();
}
