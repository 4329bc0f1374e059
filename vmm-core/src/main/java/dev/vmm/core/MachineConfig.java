package dev.vmm.core;

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
 */
public record MachineConfig(long memBytes, String cmdline, List<Path> initrd, int smp, TlbConfig tlb,
                            boolean checkTlb, long checkTlbGrace) {
    public static final long DEFAULT_MEM = 256L << 20;

    public MachineConfig {
        cmdline = cmdline == null ? "" : cmdline;
        initrd = initrd == null ? List.of() : List.copyOf(initrd);
        tlb = tlb == null ? TlbConfig.intel() : tlb;
    }

    public MachineConfig(long memBytes, String cmdline, List<Path> initrd, int smp) {
        this(memBytes, cmdline, initrd, smp, TlbConfig.intel(), false, dev.vmm.mmu.TlbChecker.DEFAULT_GRACE);
    }

    public static MachineConfig defaults() { return new MachineConfig(DEFAULT_MEM, "", List.of(), 1); }
}
