package dev.vmm.core.devices;

import java.util.Objects;

/**
 * What is plugged into one serial port: the cable's two directions as the UART sees them. The machine
 * builds one {@link Uart16550} per line it is given (COM1..COM4); the host side (stdio, a socket server,
 * a file) only has to provide a sink and a source.
 *
 * <p>Thread safety: the sink is called on the vCPU thread (by the UART, and by the machine to
 * {@link SerialSink#flush() flush} between slices); the source is polled on the vCPU thread. A host side
 * that is fed from other threads (a network event loop) must make its source safe to poll concurrently
 * with those threads.
 *
 * @param sink   transmitted bytes go here; never null
 * @param source received bytes come from here; never null
 */
public record SerialLine(SerialSink sink, SerialSource source) {

    /** A port with no cable: output discarded, nothing received. */
    public static final SerialLine DISCONNECTED = new SerialLine(SerialSink.DISCARD, SerialSource.NONE);

    public SerialLine {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(source, "source");
    }
}
