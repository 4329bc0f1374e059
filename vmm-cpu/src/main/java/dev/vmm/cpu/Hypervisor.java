package dev.vmm.cpu;

/**
 * What a vCPU asks of the hypervisor above it (vmm-cpu cannot see vmm-core, so the machine installs
 * an implementation on each {@link Cpu}). Both calls run at an instruction boundary on the vCPU's thread.
 *
 * <p>Without a hypervisor ({@code Cpu.hypervisor == null}) VMCALL raises #UD, as on a processor not in
 * VMX non-root operation, and page faults always go to the guest's IDT.
 */
public interface Hypervisor {
    /** VMCALL (0F 01 C1): the result goes to RAX (KVM convention: -1000 for an unknown call number). */
    long vmcall(Cpu c);

    /**
     * A #PF about to be delivered for linear address {@code va} with {@code errorCode}. Returns true when
     * the hypervisor resolved it: the faulting instruction then restarts instead of the guest seeing #PF.
     */
    boolean pageFault(Cpu c, long va, int errorCode);
}
