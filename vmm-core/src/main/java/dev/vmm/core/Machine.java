package dev.vmm.core;

import dev.vmm.core.boot.ImageException;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * A PC: guest RAM, the port bus with its devices, the vCPUs, and the loop that runs them.
 * (Skeleton: the API the console codes against; filled in by the Foundation work.)
 */
public final class Machine implements AutoCloseable {

    /**
     * @param serialOut where COM1's transmitted bytes go ({@code --serial stdio}: System.out)
     * @param serialIn  what feeds COM1's receive FIFO, or null for nothing
     */
    public Machine(MachineConfig config, OutputStream serialOut, InputStream serialIn) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Loads a Multiboot image into RAM and sets the boot vCPU up to enter it. */
    public void loadMultiboot(String imageName, byte[] image) throws ImageException {
        throw new UnsupportedOperationException("not yet");
    }

    /** Runs until the guest stops the machine (debug exit, shutdown, triple fault, halt) or {@link #stop}. */
    public ExitStatus run() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Asks a running machine to stop at the next instruction boundary (from any thread). */
    public void stop() { }

    /** Instructions retired by all vCPUs so far. */
    public long instructionsExecuted() { return 0; }

    @Override
    public void close() { }
}
