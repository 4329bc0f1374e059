package dev.vmm.core.devices;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Bochs' shutdown port (0x8900): a guest that writes the bytes of "Shutdown" to it, one at a time, powers
 * the machine off. Old BIOSes (Bochs' rombios, early SeaBIOS APM) and toy kernels use it; the status is 0.
 *
 * <p>Bochs keeps an index into the string, advances it on a matching byte and resets it on any other.
 * This one also lets a mismatching 'S' start a new match, so "SShutdown" works too; every sequence Bochs
 * accepts is still accepted. After a match the index starts over.
 *
 * <p>Only the low byte of an access counts (an 8-bit ISA port: a wider write's upper bytes go to the next
 * ports). Reads see the floating bus (all-ones).
 *
 * <p>Thread safety: none; one vCPU at a time (the machine serialises port access).
 */
public final class BochsShutdownPort implements PortDevice {

    public static final int DEFAULT_PORT = 0x8900;
    public static final int PORT_COUNT = 1;

    private static final byte[] SHUTDOWN = "Shutdown".getBytes(StandardCharsets.US_ASCII);

    private final int port;
    private final Runnable onShutdown;
    private int matched;  // bytes of SHUTDOWN matched so far

    /**
     * @param port       the port it answers at ({@link #DEFAULT_PORT})
     * @param onShutdown called each time the whole string has been written
     */
    public BochsShutdownPort(int port, Runnable onShutdown) {
        this.port = port;
        this.onShutdown = Objects.requireNonNull(onShutdown, "onShutdown");
    }

    /** Claims its port on {@code bus}. */
    public void attach(PortIoBus bus) {
        bus.register(port, PORT_COUNT, this);
    }

    public int port() { return port; }

    @Override
    public int in(int port, int size) {
        return PortIoBus.sizeMask(size);
    }

    @Override
    public void out(int port, int size, int value) {
        byte b = (byte) value;
        if (b == SHUTDOWN[matched]) {
            matched++;
        } else {
            matched = b == SHUTDOWN[0] ? 1 : 0;
        }
        if (matched == SHUTDOWN.length) {
            matched = 0;
            onShutdown.run();
        }
    }
}
