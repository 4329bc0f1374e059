package dev.vmm.core.apic;

import dev.vmm.core.devices.IrqLine;
import dev.vmm.mmu.MmioHandler;

/**
 * The I/O APIC (Intel 82093AA datasheet): 24 input pins, each with a 64-bit redirection entry that turns
 * the pin's edge or level into a message on the {@link ApicBus}. Registers are reached indirectly
 * through IOREGSEL (offset 0x00) and IOWIN (offset 0x10) at {@link #DEFAULT_BASE}.
 *
 * <p>Level-triggered entries set Remote IRR when their message is accepted and clear it on the local
 * APIC's EOI for their vector; a pin still asserted then sends again, which is how a shared or
 * still-busy level interrupt is not lost.
 *
 * <p>Thread safety: synchronized; devices drive pins from any thread.
 */
public final class IoApic implements MmioHandler {
    public static final long DEFAULT_BASE = 0xFEC0_0000L;
    public static final int PINS = 24, VERSION = 0x11;
    static final long MASK = 1L << 16, LEVEL = 1L << 15, REMOTE_IRR = 1L << 14, LOW_ACTIVE = 1L << 13;

    private final ApicBus bus;
    private final int id;
    private final long[] redirection = new long[PINS];
    private final boolean[] pinLevel = new boolean[PINS];
    private int select;
    private long messages;

    public IoApic(ApicBus bus, int id) {
        this.bus = bus;
        this.id = id;
        java.util.Arrays.fill(redirection, MASK);
        bus.setEoiListener(this::eoi);
    }

    public int id() { return id; }

    /** System reset: every redirection entry masked, as after power-on (82093AA); the pins' wires stay. */
    public synchronized void reset() {
        java.util.Arrays.fill(redirection, MASK);
        select = 0;
    }

    /** The wire into pin {@code n} (an ISA IRQ after the MADT's overrides). */
    public IrqLine pin(int n) {
        if (n < 0 || n >= PINS) throw new IllegalArgumentException("IOAPIC pin " + n);
        return level -> setPin(n, level);
    }

    /** Messages sent so far (statistics, tests). */
    public synchronized long messagesSent() { return messages; }

    public synchronized long redirectionEntry(int pin) { return redirection[pin]; }

    /** Whether pin {@code n}'s wire is asserted now (after its polarity), for the monitor's {@code info irq}. */
    public synchronized boolean pinAsserted(int n) { return pinLevel[n]; }

    /** Whether pin {@code n}'s entry is masked (its device cannot interrupt anyone). */
    public synchronized boolean masked(int n) { return (redirection[n] & MASK) != 0; }

    synchronized void setPin(int n, boolean level) {
        boolean active = level ^ ((redirection[n] & LOW_ACTIVE) != 0);
        boolean was = pinLevel[n];
        pinLevel[n] = active;
        long e = redirection[n];
        if ((e & LEVEL) != 0) { if (active) send(n); }
        else if (active && !was) send(n);
    }

    private void send(int n) {
        long e = redirection[n];
        if ((e & MASK) != 0) return;
        boolean level = (e & LEVEL) != 0;
        if (level) {
            if ((e & REMOTE_IRR) != 0) return;
            redirection[n] = e | REMOTE_IRR;
        }
        messages++;
        bus.sendMessage((int) (e >>> 8) & 7, (int) e & 0xFF, (e & (1L << 11)) != 0, e >>> 56, level);
    }

    /** A local APIC retired a level-triggered vector: clear Remote IRR of the entries that use it. */
    synchronized void eoi(int vector) {
        for (int n = 0; n < PINS; n++) {
            long e = redirection[n];
            if ((e & REMOTE_IRR) != 0 && (e & 0xFF) == vector) {
                redirection[n] = e & ~REMOTE_IRR;
                if (pinLevel[n]) send(n);
            }
        }
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (offset == 0) return select;
        if (offset != 0x10) return 0;
        return switch (select) {
            case 0 -> (long) (id & 0xF) << 24;
            case 1 -> VERSION | ((PINS - 1) << 16);
            case 2 -> (long) (id & 0xF) << 24;
            default -> {
                int n = (select - 0x10) >> 1;
                if (select < 0x10 || n >= PINS) yield 0;
                yield (select & 1) == 0 ? redirection[n] & 0xFFFF_FFFFL : redirection[n] >>> 32;
            }
        };
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (offset == 0) { select = (int) value & 0xFF; return; }
        if (offset != 0x10 || select < 0x10) return;
        int n = (select - 0x10) >> 1;
        if (n >= PINS) return;
        long e = redirection[n];
        if ((select & 1) == 0) {
            long ro = REMOTE_IRR | (1L << 12); // remote IRR and delivery status are read-only
            e = (e & (0xFFFF_FFFF_0000_0000L | ro)) | (value & 0xFFFF_FFFFL & ~ro);
        } else {
            e = (e & 0xFFFF_FFFFL) | (value & 0xFF00_0000L) << 32;
        }
        redirection[n] = e;
        if (pinLevel[n] && (e & LEVEL) != 0 && (e & MASK) == 0) send(n); // unmasked while asserted
    }
}
