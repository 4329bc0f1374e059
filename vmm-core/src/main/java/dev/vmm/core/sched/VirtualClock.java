package dev.vmm.core.sched;

import dev.vmm.core.apic.ApicBus;
import dev.vmm.core.apic.LocalApic;
import dev.vmm.cpu.Cpu;

import java.util.function.LongSupplier;

/**
 * The machine's time base. Virtual (the default): a vCPU's time is its TSC, which counts one tick per
 * instruction retired (a 1 GHz nominal clock, so one tick is one nanosecond) plus the time it spent
 * halted, credited by the scheduler; runs are reproducible to the instruction. Host ({@code --clock
 * host}): each vCPU's TSC is pulled forward to host time at every slice boundary, so timers follow the
 * wall clock (never backwards: a TSC ahead of host time waits for it).
 *
 * <p>Devices that belong to no vCPU (PIT, ACPI PM timer) read the clock of the vCPU whose access they are
 * serving, or the scheduler's global time when called from elsewhere.
 */
public final class VirtualClock implements LongSupplier {
    private final ApicBus bus;
    private final boolean host;
    private final long hostStart = System.nanoTime();
    private volatile long global;

    public VirtualClock(ApicBus bus, boolean host) {
        this.bus = bus;
        this.host = host;
    }

    public boolean followsHost() { return host; }

    /** A vCPU's TSC. */
    public static long tsc(Cpu c) { return c.tscOffset + c.instructions; }

    /** Moves a vCPU's TSC forward to {@code t} (time spent halted or waiting); never backwards. */
    public static void advance(Cpu c, long t) {
        if (t > tsc(c)) c.tscOffset = t - c.instructions;
    }

    /** Host mode: pulls the vCPU's TSC forward to host time. */
    public void sync(Cpu c) {
        if (host) advance(c, System.nanoTime() - hostStart);
    }

    public long hostNanos() { return System.nanoTime() - hostStart; }

    public void setGlobal(long t) { if (t > global) global = t; }

    public long global() { return global; }

    /** Now, in nanoseconds: the current vCPU's TSC, else the scheduler's global time. */
    @Override
    public long getAsLong() {
        LocalApic a = bus.current();
        if (a != null) return tsc(a.cpu());
        return host ? hostNanos() : global;
    }
}
