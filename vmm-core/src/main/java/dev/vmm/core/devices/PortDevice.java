package dev.vmm.core.devices;

/**
 * A device behind one or more ranges of the I/O port space, as {@link PortIoBus} sees it.
 *
 * <p>The bus hands the device the <em>absolute</em> port, not an offset into the range: a device that
 * answers at two unrelated ranges (the 8254 PIT at 0x40-0x43 and its gate at 0x61, say) can tell them
 * apart, and one whose registers repeat every N ports (a 16550 at any COM base) simply masks the port.
 *
 * <p>An access is dispatched to the range that holds its first port, whole: a 16-bit IN at 0x3F8 reaches
 * the UART once with {@code size == 2}. What the bytes above the first mean is the device's business
 * (an 8-bit ISA device sees them as the next ports; QEMU's isa-debug-exit takes the whole value).
 *
 * <p>Thread safety: the bus calls a device from whichever thread runs the vCPU doing the access; a device
 * that can be reached from two vCPU threads at once ({@code parallel} scheduler) serialises itself or is
 * wrapped by the machine.
 */
public interface PortDevice {

    /**
     * Reads {@code size} bytes (1, 2 or 4) starting at {@code port}.
     *
     * @return the value in the low {@code size} bytes; the bus masks off anything above them
     */
    int in(int port, int size);

    /**
     * Writes the low {@code size} bytes (1, 2 or 4) of {@code value} at {@code port}. The bus has already
     * cleared the bytes above {@code size}.
     */
    void out(int port, int size, int value);
}
