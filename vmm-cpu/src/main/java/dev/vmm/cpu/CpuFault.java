package dev.vmm.cpu;

/**
 * Unwinds the instruction that raised a guest exception back to the vCPU's loop, which delivers the
 * exception through the IDT. It is preallocated per vCPU and carries no stack trace, so raising it costs
 * no allocation: it is control flow (Bochs uses longjmp for the same), and never escapes the CPU.
 */
public final class CpuFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exception vector (0-31) and error code (-1 when the vector pushes none). */
    public int vector;
    public int errorCode;

    CpuFault() { super(null, null, false, false); }
}
