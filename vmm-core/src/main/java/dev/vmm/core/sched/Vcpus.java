package dev.vmm.core.sched;

import dev.vmm.core.apic.LocalApic;
import dev.vmm.cpu.Cpu;

/** Small shared rules about a vCPU's state that both schedulers apply. */
final class Vcpus {
    private Vcpus() { }

    static final long IF = 1 << 9;

    static boolean interruptsEnabled(Cpu c) { return (c.rflags() & IF) != 0; }

    /** A vCPU that has something to execute now (not halted, or halted with an interrupt it can take). */
    static boolean runnable(Cpu c, LocalApic a) {
        if (a.eventsDeliverable()) return true;
        if (a.waitingForSipi()) return false;
        return !c.halted || (interruptsEnabled(c) && a.pending());
    }

    /** Whether a halted vCPU can be woken by something other than another vCPU (its timer, a device, host input). */
    static boolean wakeable(Cpu c, LocalApic a, SchedulerHost host) {
        if (a.waitingForSipi() || !interruptsEnabled(c)) return false;
        return a.nextTimerEvent() != Long.MAX_VALUE || host.nextDeviceEvent() != Long.MAX_VALUE || host.hostInputPossible();
    }
}
