package dev.vmm.core;

import java.nio.file.Path;
import java.util.List;

/**
 * What a machine is built from: the command line's options after parsing.
 *
 * @param memBytes  guest RAM in bytes (a multiple of 1 MiB)
 * @param cmdline   the Multiboot command line (--append), never null
 * @param initrd    Multiboot modules in order (--initrd a,b)
 * @param smp       number of vCPUs
 */
public record MachineConfig(long memBytes, String cmdline, List<Path> initrd, int smp) {
    public static final long DEFAULT_MEM = 256L << 20;

    public MachineConfig {
        cmdline = cmdline == null ? "" : cmdline;
        initrd = initrd == null ? List.of() : List.copyOf(initrd);
    }

    public static MachineConfig defaults() { return new MachineConfig(DEFAULT_MEM, "", List.of(), 1); }
}
