package dev.vmm.cpu;

/**
 * The MSRs that belong to the local APIC rather than the core (SDM vol. 3, 11.4.4 and 11.12):
 * IA32_APIC_BASE (0x1B), IA32_TSC_DEADLINE (0x6E0) and the x2APIC registers 0x800-0x8FF. vmm-core's
 * local APIC implements it; with none attached the CPU keeps IA32_APIC_BASE itself and the others #GP.
 *
 * <p>Implementations raise #GP(0) by throwing {@code cpu.gp(0)}.
 */
public interface ApicMsrs {
    int TSC_DEADLINE = 0x6E0, X2APIC_FIRST = 0x800, X2APIC_LAST = 0x8FF;

    /** Whether {@code index} is one of the APIC's MSRs. */
    static boolean owns(int index) {
        return index == Msrs.APIC_BASE || index == TSC_DEADLINE || (index >= X2APIC_FIRST && index <= X2APIC_LAST);
    }

    long rdmsr(int index);

    void wrmsr(int index, long value);
}
