package dev.vmm.core;

import dev.vmm.core.sched.Scheduler;

import java.nio.file.Path;
import java.util.List;

/**
 * What a machine is built from: the command line's options after parsing.
 *
 * @param memBytes  guest RAM in bytes (a multiple of 1 MiB)
 * @param cmdline   the Multiboot command line (--append), never null
 * @param initrd    Multiboot modules in order (--initrd a,b)
 * @param smp       number of vCPUs
 * @param scheduler how the vCPUs share host threads (--scheduler)
 * @param seed      the deterministic scheduler's preemption seed (--seed)
 * @param hostClock whether TSC and timers follow host time (--clock host) instead of instructions
 */
public record MachineConfig(long memBytes, String cmdline, List<Path> initrd, int smp,
                            Scheduler.Kind scheduler, long seed, boolean hostClock) {
    public static final long DEFAULT_MEM = 256L << 20;

    public MachineConfig {
        cmdline = cmdline == null ? "" : cmdline;
        initrd = initrd == null ? List.of() : List.copyOf(initrd);
        scheduler = scheduler == null ? Scheduler.Kind.DETERMINISTIC : scheduler;
    }

    public MachineConfig(long memBytes, String cmdline, List<Path> initrd, int smp) {
        this(memBytes, cmdline, initrd, smp, Scheduler.Kind.DETERMINISTIC, 0, false);
    }

    /** This configuration with another scheduler, seed and clock. */
    public MachineConfig withScheduling(Scheduler.Kind kind, long seed, boolean hostClock) {
        return new MachineConfig(memBytes, cmdline, initrd, smp, kind, seed, hostClock);
    }

    public static MachineConfig defaults() { return new MachineConfig(DEFAULT_MEM, "", List.of(), 1); }
}
