package dev.vmm.core.devices;

import java.util.function.LongSupplier;

/**
 * The 8254 programmable interval timer (Intel 82C54 datasheet) as a PC wires it: channel 0 drives ISA
 * IRQ 0, channel 2's gate and output are bits 0 and 5 of port 0x61 (kernels calibrate their clocks with
 * it). Counters run at 1.193182 MHz on the machine's virtual clock. Modes 0 (interrupt on terminal
 * count), 2 (rate generator) and 3 (square wave) are modelled; the others count like mode 0.
 * Counter latch, read-back of counts, and the lobyte/hibyte/both access modes are supported; BCD is not.
 *
 * <p>The machine's scheduler asks {@link #nextEvent()} and calls {@link #update(long)} so IRQ 0 rises
 * at the right virtual time; as on the real part, it is an edge (OUT going high).
 */
public final class Pit8254 implements PortDevice {
    public static final long HZ = 1_193_182;

    private final LongSupplier nanos;
    private final IrqLine irq0;
    private final Channel[] ch = {new Channel(), new Channel(), new Channel()};
    private boolean gate2;

    private static final class Channel {
        int mode, access = 3, reload = 0x10000, latched = -1, readHigh, writeLow = -1;
        boolean writeHi, readHi;
        long start = -1; // tick at which the count was loaded; -1 = not counting
        long nextIrq = Long.MAX_VALUE; // nanos of the next IRQ edge (channel 0)
    }

    public PitChannelView channel(int n) { return new PitChannelView(ch[n].mode, ch[n].reload); }

    /** A read-only look at a channel (tests, monitor). */
    public record PitChannelView(int mode, int reload) { }

    public Pit8254(LongSupplier nanos, IrqLine irq0) {
        this.nanos = nanos;
        this.irq0 = irq0 == null ? IrqLine.NONE : irq0;
    }

    public void attach(PortIoBus bus) {
        bus.register(0x40, 4, this);
        bus.register(0x61, 1, this);
    }

    private long ticks() { return (long) (nanos.getAsLong() * (HZ / 1e9)); }

    private static long nanosOf(long tick) { return (long) Math.ceil(tick * (1e9 / HZ)); }

    private int count(Channel c, long now) {
        if (c.start < 0) return c.reload & 0xFFFF;
        long elapsed = now - c.start;
        if (c.mode == 2 || c.mode == 3) return (int) (c.reload - elapsed % c.reload) & 0xFFFF;
        return (int) (c.reload - elapsed) & 0xFFFF;
    }

    private boolean out(Channel c, long now) {
        if (c.start < 0) return c.mode != 0;
        long elapsed = now - c.start;
        return switch (c.mode) {
            case 2 -> elapsed % c.reload != c.reload - 1;
            case 3 -> elapsed % c.reload < (c.reload + 1) / 2;
            default -> elapsed >= c.reload;
        };
    }

    @Override
    public synchronized int in(int port, int size) {
        long now = ticks();
        if (port == 0x61) return (gate2 ? 1 : 0) | (out(ch[2], now) ? 0x20 : 0);
        if (port == 0x43) return 0xFF;
        Channel c = ch[port - 0x40];
        int v = c.latched >= 0 ? c.latched : count(c, now);
        int access = c.access;
        if (access == 1) { c.latched = -1; return v & 0xFF; }
        if (access == 2) { c.latched = -1; return v >>> 8 & 0xFF; }
        if (!c.readHi) { c.readHi = true; if (c.latched < 0) c.latched = v; return v & 0xFF; }
        c.readHi = false;
        c.latched = -1;
        return v >>> 8 & 0xFF;
    }

    @Override
    public synchronized void out(int port, int size, int value) {
        long now = ticks();
        value &= 0xFF;
        if (port == 0x61) { gate2 = (value & 1) != 0; if (gate2 && ch[2].start < 0) ch[2].start = now; return; }
        if (port == 0x43) { control(value, now); return; }
        Channel c = ch[port - 0x40];
        switch (c.access) {
            case 1 -> load(c, port - 0x40, value, now);
            case 2 -> load(c, port - 0x40, value << 8, now);
            default -> {
                if (!c.writeHi) { c.writeLow = value; c.writeHi = true; }
                else { c.writeHi = false; load(c, port - 0x40, c.writeLow | value << 8, now); }
            }
        }
    }

    private void control(int v, long now) {
        int sel = v >>> 6;
        if (sel == 3) { // read-back: latch counts of the selected channels
            for (int n = 0; n < 3; n++) if ((v & (2 << n)) != 0 && (v & 0x20) == 0) ch[n].latched = count(ch[n], now);
            return;
        }
        Channel c = ch[sel];
        int access = v >>> 4 & 3;
        if (access == 0) { c.latched = count(c, now); return; }
        c.access = access;
        c.mode = v >>> 1 & 7;
        if (c.mode > 5) c.mode -= 4;
        c.start = -1;
        c.writeHi = false;
        c.readHi = false;
        c.latched = -1;
        if (sel == 0) c.nextIrq = Long.MAX_VALUE; // IRQ 0 edges come only from counts reaching terminal count
    }

    private void load(Channel c, int n, int value, long now) {
        c.reload = value == 0 ? 0x10000 : value;
        if (n == 2 && !gate2) { c.start = -1; return; }
        c.start = now;
        if (n == 0) c.nextIrq = nanosOf(now + c.reload);
    }

    /** System reset: no channel counts until programmed, channel 2's gate low. */
    public synchronized void reset() {
        for (int n = 0; n < 3; n++) ch[n] = new Channel();
        gate2 = false;
    }

    /** Virtual nanoseconds of channel 0's next rising edge, or {@link Long#MAX_VALUE}. */
    public synchronized long nextEvent() { return ch[0].nextIrq; }

    /** Raises IRQ 0 if channel 0's OUT rose by {@code now} (nanoseconds). */
    public synchronized void update(long nowNanos) {
        Channel c = ch[0];
        if (c.nextIrq > nowNanos) return;
        irq0.set(false);
        irq0.set(true); // the rising edge the IOAPIC and 8259 look for
        if (c.mode == 2 || c.mode == 3) {
            long now = (long) (nowNanos * (HZ / 1e9));
            long periods = (now - c.start) / c.reload + 1;
            c.nextIrq = nanosOf(c.start + periods * c.reload);
        } else {
            c.nextIrq = Long.MAX_VALUE;
        }
    }
}
