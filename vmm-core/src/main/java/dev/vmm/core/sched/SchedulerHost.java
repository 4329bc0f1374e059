package dev.vmm.core.sched;

import dev.vmm.core.apic.ApicBus;
import dev.vmm.cpu.Cpu;

import java.util.List;

/** What a scheduler needs from the machine it runs: the vCPUs, their APICs, the devices, the stop latch. */
public interface SchedulerHost {
    List<Cpu> cpus();

    ApicBus apicBus();

    VirtualClock clock();

    /**
     * Whether the scheduler must return: the machine has been told to stop (a device, the guest, another
     * thread) or the monitor asked for a pause.
     */
    boolean stopped();

    /** Polls host input into the UARTs and flushes their output; called between slices. */
    void pollDevices();

    /** Virtual nanoseconds of the next device timer event (PIT), or {@link Long#MAX_VALUE}. */
    long nextDeviceEvent();

    /** Raises the device interrupts that are due by {@code nanos}. */
    void updateDevices(long nanos);

    /** Whether the host side can still wake a halted guest (a UART with live input). */
    boolean hostInputPossible();

    /** A vCPU shut down (triple fault): stops the machine. */
    void shutdown(Cpu cpu);

    /** A vCPU reached a monitor breakpoint (its RIP is the breakpoint): pauses the machine. */
    void breakpoint(Cpu cpu);

    /** Every vCPU is halted and nothing can wake one: stops the machine. */
    void allHalted();
}
