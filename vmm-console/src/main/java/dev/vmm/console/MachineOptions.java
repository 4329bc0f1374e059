package dev.vmm.console;

import dev.vmm.core.MachineConfig;
import dev.vmm.mmu.TlbChecker;
import dev.vmm.mmu.TlbConfig;
import dev.vmm.core.sched.Scheduler;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options that describe the machine, shared by every command that builds one ({@code run},
 * {@code bench}). Values are checked by their converters so a bad one is a usage error (status 2).
 */
public final class MachineOptions {
    public static final int MAX_SMP = 64;

    @Option(names = "--mem", paramLabel = "SIZE", defaultValue = "256M", converter = MemorySize.Converter.class,
            description = "Guest RAM: bytes or K/M/G/T (binary), a multiple of 1M (default: ${DEFAULT-VALUE}).")
    long memBytes = MachineConfig.DEFAULT_MEM;

    @Option(names = "--append", paramLabel = "CMDLINE", defaultValue = "",
            description = "Kernel command line passed through Multiboot.")
    String cmdline = "";

    @Option(names = "--initrd", paramLabel = "FILE", split = ",",
            description = "Multiboot modules, in order (comma-separated list of files).")
    List<String> initrd = new ArrayList<>();

    @Option(names = "--smp", paramLabel = "N", defaultValue = "1", converter = VcpuCount.class,
            description = "Number of vCPUs, 1.." + MAX_SMP + " (default: ${DEFAULT-VALUE}).")
    int smp = 1;

    @Option(names = "--tlb", paramLabel = "SPEC", defaultValue = "",
            description = "TLB geometry changes, e.g. l1d4k=64x4,stlb=1536x12,repl=lru|fifo|random,psc=4/8/32 (default: an Intel-like core).")
    String tlb = "";

    @Option(names = "--check-tlb", description = "Check every TLB hit against the page tables and report stale uses.")
    boolean checkTlb;

    @Option(names = "--check-tlb-grace", paramLabel = "N", defaultValue = "100000",
            description = "Instructions another vCPU may still use a stale entry after a page-table write (default: ${DEFAULT-VALUE}).")
    long checkTlbGrace = TlbChecker.DEFAULT_GRACE;

    @Option(names = "--pv", description = "pv memory mode: the VMM's VM layer owns the upper half of RAM (reported"
            + " reserved) and serves the pv hypercalls (README, \"pv hypercalls\").")
    boolean pv;

    @Option(names = "--scheduler", paramLabel = "KIND", defaultValue = "deterministic", converter = SchedulerKind.class,
            description = "How vCPUs share host threads: deterministic (one thread, reproducible) or parallel "
                + "(one thread per vCPU) (default: ${DEFAULT-VALUE}).")
    Scheduler.Kind scheduler = Scheduler.Kind.DETERMINISTIC;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the deterministic scheduler's preemption points (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--clock", paramLabel = "SOURCE", defaultValue = "virtual", converter = ClockSource.class,
            description = "Time base of TSC and timers: virtual (instructions executed) or host (default: ${DEFAULT-VALUE}).")
    String clock = "virtual";

    /**
     * The machine these options describe; initrd files are checked (they must be readable regular
     * files) and made absolute against the current directory.
     *
     * @throws UserError naming the first initrd file that cannot be read
     */
    public MachineConfig toConfig() {
        if (pv && memBytes < dev.vmm.core.hv.PvMemory.MIN_RAM) {
            throw new UserError("--pv needs --mem of at least " + (dev.vmm.core.hv.PvMemory.MIN_RAM >> 20)
                    + "M (the upper half of RAM is the VM layer's page pool)");
        }
        List<Path> modules = new ArrayList<>();
        for (String file : initrd) {
            if (!file.isEmpty()) {
                modules.add(ImageResolver.readableFile(file));
            }
        }
        TlbConfig geometry;
        try {
            geometry = TlbConfig.parse(tlb);
        } catch (IllegalArgumentException e) {
            throw new UserError("--tlb: " + e.getMessage());
        }
        if (checkTlbGrace < 0) throw new UserError("--check-tlb-grace: must be 0 or more instructions");
        return new MachineConfig(memBytes, cmdline, modules, smp, geometry, checkTlb, checkTlbGrace, pv,
            scheduler, seed, clock.equals("host"));
    }

    /** Picocli's converter for {@code --scheduler}. */
    public static final class SchedulerKind implements ITypeConverter<Scheduler.Kind> {
        @Override
        public Scheduler.Kind convert(String value) {
            try {
                return Scheduler.Kind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Picocli's converter for {@code --clock}: "virtual" or "host". */
    public static final class ClockSource implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "virtual" -> "virtual";
                case "host" -> "host";
                default -> throw new TypeConversionException("unknown clock '" + value + "': virtual or host");
            };
        }
    }

    /** Picocli's converter for {@code --smp}. */
    public static final class VcpuCount implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n;
            try {
                n = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number of vCPUs");
            }
            if (n < 1 || n > MAX_SMP) {
                throw new TypeConversionException("'" + value + "' is out of range: 1.." + MAX_SMP + " vCPUs");
            }
            return n;
        }
    }
}
