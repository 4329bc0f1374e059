package dev.vmm.core.devices;

/**
 * Where a UART's transmitter puts a byte once it has left the shift register (the SOUT pin).
 *
 * <p>The UART hands over each byte at the moment the guest writes it and then reports the transmitter
 * empty again, so the guest's view never waits on the host. An implementation that can block (a socket,
 * a full pipe) must queue instead: see {@link OutputStreamSerialSink} for stdio.
 */
@FunctionalInterface
public interface SerialSink {

    /** Drops every byte: a serial port with no cable. */
    SerialSink DISCARD = b -> { };

    /** Takes one transmitted byte. Must not block and must not throw. */
    void write(byte b);

    /**
     * Passes on bytes this sink holds back (a buffer, a batch for another thread). The machine calls it
     * between vCPU slices and when a run ends, so buffered output appears promptly even without a
     * newline. Must not block and must not throw.
     */
    default void flush() { }
}
