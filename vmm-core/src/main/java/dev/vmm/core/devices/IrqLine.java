package dev.vmm.core.devices;

/**
 * One interrupt request wire from a device to an interrupt controller (8259 input, IOAPIC pin).
 *
 * <p>The wire is a level: the device calls {@code set(true)} while it has a reason to interrupt and
 * {@code set(false)} when the guest has serviced the reason. Edge-triggered controllers look for the
 * rising edge themselves. Devices call it only when the level changes, so an implementation may count
 * edges.
 */
@FunctionalInterface
public interface IrqLine {

    /** A wire that goes nowhere: for devices used without an interrupt controller (polled guests, tests). */
    IrqLine NONE = level -> { };

    /** Drives the wire to {@code level} (true = asserted). */
    void set(boolean level);
}
