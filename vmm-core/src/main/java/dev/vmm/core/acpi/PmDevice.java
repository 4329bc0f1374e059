package dev.vmm.core.acpi;

import dev.vmm.core.devices.PortDevice;
import dev.vmm.core.devices.PortIoBus;

import java.util.function.LongSupplier;

/**
 * The ACPI fixed-hardware registers the FADT points at (ACPI 6.5, 4.8): PM1a event block (status and
 * enable, 0x600), PM1a control (0x604: SCI_EN always set, since there is no SMI_CMD to switch modes;
 * SLP_TYP with SLP_EN enters a sleep state) and the 32-bit PM timer (0x608, 3.579545 MHz on the
 * virtual clock). Entering S5 (the \_S5 SLP_TYP) powers the machine off.
 */
public final class PmDevice implements PortDevice {
    public static final int PM1A_EVT = 0x600, PM1A_CNT = 0x604, PM_TMR = 0x608;
    static final long PM_TIMER_HZ = 3_579_545;

    private final LongSupplier nanos;
    private final Runnable powerOff;
    private int status, enable, control = 1;

    /** @param nanos virtual time in nanoseconds; {@code powerOff} runs when the guest enters S5 */
    public PmDevice(LongSupplier nanos, Runnable powerOff) {
        this.nanos = nanos;
        this.powerOff = powerOff;
    }

    public void attach(PortIoBus bus) { bus.register(PM1A_EVT, 12, this); }

    @Override
    public synchronized int in(int port, int size) {
        return switch (port) {
            case PM1A_EVT -> status | (size >= 4 ? enable << 16 : 0);
            case PM1A_EVT + 2 -> enable;
            case PM1A_CNT -> control;
            case PM_TMR -> (int) (long) (nanos.getAsLong() * (PM_TIMER_HZ / 1e9)); // doubles: exact enough, and deterministic
            default -> 0;
        };
    }

    @Override
    public synchronized void out(int port, int size, int value) {
        switch (port) {
            case PM1A_EVT -> { status &= ~(value & 0xFFFF); if (size >= 4) enable = value >>> 16; }
            case PM1A_EVT + 2 -> enable = value & 0xFFFF;
            case PM1A_CNT -> {
                control = (value & 0x1C00) | 1;
                if ((value & (1 << 13)) != 0 && (value >>> 10 & 7) == AcpiTables.S5_SLP_TYP) powerOff.run();
            }
            default -> { }
        }
    }
}
