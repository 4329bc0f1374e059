package dev.vmm.core.sched;

import dev.vmm.core.apic.ApicBus;
import dev.vmm.core.apic.LocalApic;
import dev.vmm.cpu.Cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * One host thread per vCPU, for speed. Each thread runs its vCPU in slices of {@link #SLICE}
 * instructions (shorter when its APIC timer is due sooner) and applies INIT, start-up and NMI between
 * them; fixed interrupts are taken at the next instruction boundary, since the interpreter polls its
 * APIC's volatile ready flag there. A halted vCPU parks its thread (no host CPU burnt) until an
 * interrupt's kick unparks it or its timer is due.
 *
 * <p>Time: each vCPU's TSC counts its own instructions; a halted vCPU's TSC follows the furthest-ahead
 * vCPU (the published global time), and when every vCPU is idle the calling thread jumps global time to
 * the earliest timer. The calling thread also polls host input, drives the PIT and stops the machine
 * when nothing can wake any vCPU. The interleaving depends on host timing: runs are not reproducible
 * (use the deterministic scheduler for that).
 */
public final class ParallelScheduler implements Scheduler {
    public static final long SLICE = 100_000;
    private static final long PARK_NANOS = 1_000_000;

    private final List<Thread> threads = new ArrayList<>();
    private AtomicIntegerArray idle;

    @Override
    public void run(SchedulerHost host) {
        List<Cpu> cpus = host.cpus();
        int n = cpus.size();
        idle = new AtomicIntegerArray(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            Thread t = Thread.ofPlatform().name("vcpu" + i).daemon().unstarted(() -> vcpuLoop(host, index));
            host.apicBus().apic(i).setKick(() -> LockSupport.unpark(t));
            threads.add(t);
        }
        threads.forEach(Thread::start);
        int quietChecks = 0;
        try {
            while (!host.stopped()) {
                LockSupport.parkNanos(PARK_NANOS);
                host.pollDevices();
                long now = host.clock().global();
                host.updateDevices(now);
                quietChecks = allIdle(host, cpus) ? quietChecks + 1 : 0;
                if (quietChecks >= 2) { idleMachine(host, cpus); quietChecks = 0; }
            }
        } finally {
            wakeAll();
            for (Thread t : threads) {
                try { t.join(); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            }
            for (int i = 0; i < n; i++) host.apicBus().apic(i).setKick(() -> { });
        }
    }

    @Override
    public void wakeAll() {
        for (Thread t : threads) LockSupport.unpark(t);
    }

    private boolean allIdle(SchedulerHost host, List<Cpu> cpus) {
        ApicBus bus = host.apicBus();
        for (int i = 0; i < cpus.size(); i++) {
            if (idle.get(i) == 0 || Vcpus.runnable(cpus.get(i), bus.apic(i))) return false;
        }
        return true;
    }

    /** Every vCPU idles: jump time to the earliest timer, or stop if nothing can wake one. */
    private void idleMachine(SchedulerHost host, List<Cpu> cpus) {
        ApicBus bus = host.apicBus();
        long next = host.nextDeviceEvent();
        boolean wakeable = false;
        for (int i = 0; i < cpus.size(); i++) {
            LocalApic a = bus.apic(i);
            if (Vcpus.wakeable(cpus.get(i), a, host)) { wakeable = true; next = Math.min(next, a.nextTimerEvent()); }
        }
        if (!wakeable) { host.allHalted(); return; }
        if (next != Long.MAX_VALUE && !host.clock().followsHost()) {
            host.clock().setGlobal(next);
            host.updateDevices(next);
            wakeAll();
        }
    }

    private void vcpuLoop(SchedulerHost host, int i) {
        Cpu c = host.cpus().get(i);
        LocalApic a = host.apicBus().apic(i);
        host.apicBus().setCurrent(a);
        a.setOwnThread(true);
        try {
            runVcpu(host, c, a, i);
        } finally {
            a.setOwnThread(false); // VMM requests (TLB shootdowns) now run on their sender's thread
        }
    }

    private void runVcpu(SchedulerHost host, Cpu c, LocalApic a, int i) {
        VirtualClock clock = host.clock();
        while (!host.stopped()) {
            a.serviceEvents();
            clock.sync(c);
            long now = VirtualClock.tsc(c);
            clock.setGlobal(now);
            if (a.waitingForSipi()) { park(i); continue; }
            a.updateTimer(now);
            long deadline = a.nextTimerEvent();
            if (c.halted && !Vcpus.runnable(c, a)) {
                if (!clock.followsHost()) VirtualClock.advance(c, Math.min(clock.global(), deadline));
                if (VirtualClock.tsc(c) >= deadline) continue;
                park(i);
                continue;
            }
            long budget = deadline == Long.MAX_VALUE ? SLICE : Math.max(1, Math.min(SLICE, deadline - now));
            Cpu.Exit why = c.run(budget);
            if (why == Cpu.Exit.SHUTDOWN) host.shutdown(c);
            else if (why == Cpu.Exit.BREAKPOINT) host.breakpoint(c);
        }
    }

    private void park(int i) {
        idle.set(i, 1);
        LockSupport.parkNanos(PARK_NANOS);
        idle.set(i, 0);
    }
}
