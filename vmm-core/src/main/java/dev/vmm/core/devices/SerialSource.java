package dev.vmm.core.devices;

/**
 * Where a UART's receiver gets bytes from (the SIN pin), pulled by the UART when its receive FIFO has
 * room. Pulling rather than pushing keeps the UART free of threads and locks: a host reader thread fills
 * a queue (see {@link InputStreamSerialSource}); the vCPU thread drains it through the UART.
 */
@FunctionalInterface
public interface SerialSource {

    /** A line on which nothing ever arrives. */
    SerialSource NONE = () -> -1;

    /**
     * Takes the next waiting byte without blocking.
     *
     * @return the byte as 0-255, or -1 when nothing is waiting right now
     */
    int poll();
}
