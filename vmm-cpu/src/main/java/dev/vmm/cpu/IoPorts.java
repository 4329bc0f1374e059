package dev.vmm.cpu;

/**
 * The CPU's view of the I/O port space (IN, OUT, INS, OUTS). vmm-core's port bus implements it; the CPU
 * does not know any device.
 */
public interface IoPorts {
    /** Reads {@code size} bytes (1, 2 or 4) from {@code port}; an unclaimed port reads as all-ones. */
    int in(int port, int size);

    /** Writes the low {@code size} bytes of {@code value} to {@code port}; unclaimed ports drop it. */
    void out(int port, int size, int value);
}
