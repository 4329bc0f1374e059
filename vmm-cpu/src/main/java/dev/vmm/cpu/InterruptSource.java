package dev.vmm.cpu;

/**
 * The vCPU's line to its interrupt controller (the local APIC, or the PIC on a uniprocessor PC).
 * {@link #pending()} is polled at instruction boundaries and must be cheap; {@link #acknowledge()} is
 * the INTA cycle that returns the vector to deliver, or -1 if the request went away.
 */
public interface InterruptSource {
    boolean pending();

    int acknowledge();

    /** No interrupt controller: nothing is ever pending. */
    InterruptSource NONE = new InterruptSource() {
        @Override public boolean pending() { return false; }
        @Override public int acknowledge() { return -1; }
    };
}
