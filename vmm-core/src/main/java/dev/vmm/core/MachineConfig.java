package dev.vmm.core;

import dev.vmm.core.sched.Scheduler;
import dev.vmm.mmu.TlbChecker;
import dev.vmm.mmu.TlbConfig;

import java.nio.file.Path;
import java.util.List;

/**
 * What a machine is built from: the command line's options after parsing.
 *
 * @param memBytes  guest RAM in bytes (a multiple of 1 MiB)
 * @param cmdline   the Multiboot command line (--append), never null
 * @param initrd    Multiboot modules in order (--initrd a,b)
 * @param smp       number of vCPUs
 * @param tlb       each vCPU's TLB geometry
 * @param checkTlb  run the TLB checker ({@code --check-tlb})
 * @param checkTlbGrace instructions another vCPU may use a stale entry after a page-table write before
 *                  the checker suspects a missing shootdown ({@code --check-tlb-grace})
 * @param pv        pv memory mode ({@code vmm run --pv}): the VMM's VM layer owns the upper half of low
 *                  RAM and serves the pv hypercalls; off, VMCALL is #UD and all RAM is the guest's
 * @param scheduler how the vCPUs share host threads (--scheduler)
 * @param seed      the deterministic scheduler's preemption seed (--seed)
 * @param hostClock whether TSC and timers follow host time (--clock host) instead of instructions
 */
public record MachineConfig(long memBytes, String cmdline, List<Path> initrd, int smp, TlbConfig tlb,
                            boolean checkTlb, long checkTlbGrace, boolean pv,
                            Scheduler.Kind scheduler, long seed, boolean hostClock) {
    public static final long DEFAULT_MEM = 256L << 20;

    public MachineConfig {
        cmdline = cmdline == null ? "" : cmdline;
        initrd = initrd == null ? List.of() : List.copyOf(initrd);
        tlb = tlb == null ? TlbConfig.intel() : tlb;
        scheduler = scheduler == null ? Scheduler.Kind.DETERMINISTIC : scheduler;
    }

    public MachineConfig(long memBytes, String cmdline, List<Path> initrd, int smp, TlbConfig tlb,
                         boolean checkTlb, long checkTlbGrace) {
        this(memBytes, cmdline, initrd, smp, tlb, checkTlb, checkTlbGrace, false, Scheduler.Kind.DETERMINISTIC, 0, false);
    }

    public MachineConfig(long memBytes, String cmdline, List<Path> initrd, int smp) {
        this(memBytes, cmdline, initrd, smp, TlbConfig.intel(), false, TlbChecker.DEFAULT_GRACE);
    }

    public static MachineConfig defaults() { return new MachineConfig(DEFAULT_MEM, "", List.of(), 1); }

    /** This configuration with pv memory mode on or off. */
    public MachineConfig withPv(boolean on) {
        return new MachineConfig(memBytes, cmdline, initrd, smp, tlb, checkTlb, checkTlbGrace, on, scheduler, seed, hostClock);
    }

    /** This configuration with another scheduler, seed and clock. */
    public MachineConfig withScheduling(Scheduler.Kind kind, long seed, boolean hostClock) {
        return new MachineConfig(memBytes, cmdline, initrd, smp, tlb, checkTlb, checkTlbGrace, pv, kind, seed, hostClock);
    }
}
