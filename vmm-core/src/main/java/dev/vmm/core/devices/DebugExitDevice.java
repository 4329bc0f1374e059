package dev.vmm.core.devices;

import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * QEMU's {@code isa-debug-exit}: a write of V to its port ends the run with exit status {@code (V << 1) | 1}.
 * The shift keeps a guest from ever reporting 0, so a test harness can tell "the guest chose to exit" from
 * "the emulator exited cleanly"; test kernels pick V so that {@code (V << 1) | 1} is the status they want
 * (V = 0x10 gives 33, the conventional "tests passed").
 *
 * <p>Like QEMU, the whole written value of the access width counts (the bus has masked it to the width):
 * {@code outl} of 0x100 gives 0x201, not 1. The exit status is an int; a process keeps its low 8 bits.
 *
 * <p>The port is write-only: reads see the floating bus (all-ones).
 *
 * <p>Thread safety: stateless; the callback runs on the vCPU thread that wrote the port and should only
 * ask the machine to stop.
 */
public final class DebugExitDevice implements PortDevice {

    /** Where test kernels expect it: {@code -device isa-debug-exit,iobase=0xf4,iosize=0x04}. */
    public static final int DEFAULT_PORT = 0xF4;
    public static final int PORT_COUNT = 1;

    private final int port;
    private final IntConsumer onExit;

    /**
     * @param port   the port it answers at ({@link #DEFAULT_PORT})
     * @param onExit called with {@code (V << 1) | 1} for each write of V
     */
    public DebugExitDevice(int port, IntConsumer onExit) {
        this.port = port;
        this.onExit = Objects.requireNonNull(onExit, "onExit");
    }

    /** Claims its port on {@code bus}. */
    public void attach(PortIoBus bus) {
        bus.register(port, PORT_COUNT, this);
    }

    public int port() { return port; }

    /** The exit status QEMU reports for a write of {@code value}. */
    public static int exitStatus(int value) {
        return (value << 1) | 1;
    }

    @Override
    public int in(int port, int size) {
        return PortIoBus.sizeMask(size);
    }

    @Override
    public void out(int port, int size, int value) {
        onExit.accept(exitStatus(value));
    }
}
