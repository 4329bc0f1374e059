package dev.vmm.core.sched;

import dev.vmm.core.apic.ApicBus;
import dev.vmm.core.apic.LocalApic;
import dev.vmm.cpu.Cpu;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One host thread interleaves every vCPU. Time advances in rounds of {@link #QUANTUM} virtual
 * nanoseconds; in each round the vCPUs run in an order shuffled by a generator seeded with
 * {@code --seed}, each up to its own slice end drawn from [start + Q/2, start + 3Q/2), so the seed decides
 * where each vCPU is preempted. Nothing else (host time, thread timing) enters the schedule, so one
 * image, one set of options and one seed give the same interleaving, serial output and instruction
 * counts on every run (host input excepted: it arrives when it arrives).
 *
 * <p>A halted vCPU does not execute: its TSC is moved to its timer's deadline or its slice end, and an
 * APIC timer fires at the exact instruction its deadline names (the run budget stops there). When a whole
 * round passes with every vCPU idle, time jumps to the earliest timer; when nothing can wake any vCPU the
 * machine stops.
 */
public final class DeterministicScheduler implements Scheduler {
    /** Virtual nanoseconds (= instructions) per round. */
    public static final long QUANTUM = 20_000;

    private final long seed;
    private long slices;

    public DeterministicScheduler(long seed) { this.seed = seed; }

    /** Slices run so far (statistics). */
    public long slices() { return slices; }

    @Override
    public void run(SchedulerHost host) {
        List<Cpu> cpus = host.cpus();
        ApicBus bus = host.apicBus();
        int n = cpus.size();
        SplittableRandom rng = new SplittableRandom(seed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        long start = 0;
        for (Cpu c : cpus) start = Math.max(start, VirtualClock.tsc(c));
        try {
            while (!host.stopped()) {
                if (host.clock().followsHost()) start = Math.max(start, host.clock().hostNanos());
                for (int i = n - 1; i > 0; i--) { int j = rng.nextInt(i + 1), t = order[i]; order[i] = order[j]; order[j] = t; }
                long executed = 0;
                for (int k = 0; k < n && !host.stopped(); k++) {
                    long end = start + QUANTUM / 2 + (n > 1 ? rng.nextLong(QUANTUM) : QUANTUM / 2);
                    executed += runUntil(host, cpus.get(order[k]), bus.apic(order[k]), end);
                }
                start += QUANTUM;
                host.clock().setGlobal(start);
                host.updateDevices(start);
                host.pollDevices();
                if (executed == 0 && !host.stopped()) start = idle(host, cpus, bus, start);
            }
        } finally {
            bus.setCurrent(null);
        }
    }

    /** Runs one vCPU until its TSC reaches {@code end}; returns the instructions it executed. */
    private long runUntil(SchedulerHost host, Cpu c, LocalApic a, long end) {
        host.apicBus().setCurrent(a);
        long before = c.instructions;
        VirtualClock clock = host.clock();
        while (!host.stopped()) {
            a.serviceEvents();
            clock.sync(c);
            long now = VirtualClock.tsc(c);
            if (now >= end) break;
            if (a.waitingForSipi()) { VirtualClock.advance(c, end); break; }
            a.updateTimer(now);
            long stopAt = Math.min(end, a.nextTimerEvent());
            if (c.halted && !Vcpus.runnable(c, a)) {
                if (clock.followsHost()) break; // host time: the wait is real; the next round looks again
                VirtualClock.advance(c, Math.max(stopAt, now));
                continue;
            }
            slices++;
            Cpu.Exit why = c.run(Math.max(1, stopAt - now));
            if (why == Cpu.Exit.SHUTDOWN) { host.shutdown(c); break; }
            if (why == Cpu.Exit.BREAKPOINT) { host.breakpoint(c); break; }
        }
        return c.instructions - before;
    }

    /** Every vCPU was idle for a round: jump to the next timer, wait for host input, or stop. */
    private static long idle(SchedulerHost host, List<Cpu> cpus, ApicBus bus, long start) {
        boolean wakeable = false;
        long next = host.nextDeviceEvent();
        for (int i = 0; i < cpus.size(); i++) {
            Cpu c = cpus.get(i);
            LocalApic a = bus.apic(i);
            if (Vcpus.runnable(c, a)) return start;
            if (Vcpus.wakeable(c, a, host)) {
                wakeable = true;
                next = Math.min(next, a.nextTimerEvent());
            }
        }
        if (!wakeable) { host.allHalted(); return start; }
        if (next != Long.MAX_VALUE && !host.clock().followsHost()) return Math.max(start, next - QUANTUM / 2);
        try {
            Thread.sleep(1); // host time or host input will wake the guest: wait without spinning
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return start;
    }
}
