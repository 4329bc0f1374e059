package dev.vmm.cpu;

/**
 * The debugger's view of a vCPU's events (the monitor's {@code trace}). Set on {@link Cpu#insnTrace} or
 * {@link Cpu#eventTrace}; both are null by default, and then the vCPU pays nothing for tracing (the
 * instruction hook puts the run loop in its one-instruction-at-a-time mode only while set).
 */
public interface CpuTrace {
    /** Before the instruction at {@link Cpu#rip} executes. */
    default void instruction(Cpu c) { }

    /**
     * An exception or interrupt is being delivered through the IDT (or IVT): {@code errorCode} < 0 when it
     * pushes none; {@code rip} is the instruction it was raised by or interrupted before; CR2 is already
     * written for a #PF. {@code software} for INT n/INT3/INTO, {@code external} for interrupts and NMIs.
     */
    default void delivery(Cpu c, int vector, int errorCode, long rip, boolean software, boolean external) { }
}
