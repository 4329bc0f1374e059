package dev.vmm.console;

import dev.vmm.core.ExitStatus;
import dev.vmm.core.Machine;
import dev.vmm.core.MachineConfig;
import dev.vmm.core.boot.ImageException;
import dev.vmm.images.ImageCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code vmm bench}: guest MIPS from two runs of the benchmark kernel that differ only in the iteration
 * count, optionally next to the same loop run natively. Each run is a fresh machine, timed from
 * construction to the guest's exit, its serial output captured to read the checksum.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Measure guest MIPS = 169 * (N2 - N1) / (t2 - t1) with the benchmark kernel.",
            "Exits 1 if a checksum is missing or wrong."
        })
final class BenchCommand implements Callable<Integer> {
    /** Small enough to be mostly boot, large enough to get the JIT going in the warm-up run. */
    static final long DEFAULT_N1 = 100_000;
    /** 169 M instructions, about 3 s at 50 MIPS; its checksum is known, so every run is verified. */
    static final long DEFAULT_N2 = 1_000_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--n1", paramLabel = "N", defaultValue = "" + DEFAULT_N1,
            description = "Iterations of the short run (default: ${DEFAULT-VALUE}).")
    long n1 = DEFAULT_N1;

    @Option(names = "--n2", paramLabel = "N", defaultValue = "" + DEFAULT_N2,
            description = "Iterations of the long run (default: ${DEFAULT-VALUE}).")
    long n2 = DEFAULT_N2;

    @Option(names = "--repeat", paramLabel = "R", defaultValue = "3",
            description = "Pairs of runs; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeat = 3;

    @Option(names = "--native", description = "Also build and run the loop natively (needs gcc) and print the ratio.")
    boolean nativeToo;

    @Option(names = "--image", paramLabel = "PATH", description = "Benchmark kernel file (default: the catalog's bench).")
    Path imagePath;

    @Mixin
    MachineOptions machine = new MachineOptions();

    @Override
    public Integer call() throws ImageException {
        if (n1 < 1 || n2 <= n1) {
            throw new ParameterException(spec.commandLine(), "need 1 <= --n1 < --n2, got " + n1 + " and " + n2);
        }
        if (repeat < 1) {
            throw new ParameterException(spec.commandLine(), "--repeat must be at least 1, got " + repeat);
        }
        BootImage kernel = imagePath != null ? ImageResolver.readFile(imagePath.toString())
                : new BootImage("bench", ImageCatalog.find("bench").orElseThrow(
                        () -> new UserError("bench: no benchmark kernel in the catalog; give one with --image PATH")));
        Benchmark.requireKernel(kernel.name(), kernel.bytes());
        MachineConfig config = machine.toConfig();
        PrintWriter out = spec.commandLine().getOut();

        out.printf(Locale.ROOT, "bench: %s, N1=%d N2=%d, %d pair(s), %d instructions per iteration, %s RAM%n",
                kernel.name(), n1, n2, repeat, Benchmark.INSTRUCTIONS_PER_ITERATION, MemorySize.format(config.memBytes()));
        NativeBetweenPairs natives = new NativeBetweenPairs(out);
        try {
            if (nativeToo) {
                natives.build();
            }
            Benchmark.Result result = Benchmark.measure(image -> runOnce(config, kernel.name(), image),
                    kernel.bytes(), n1, n2, repeat, out::println, natives::afterPair);

            if (Double.isNaN(result.medianMips())) {
                out.println("guest MIPS: n/a (no N2 run was slower than its N1 run; raise --n2)");
            } else {
                out.printf(Locale.ROOT, "guest MIPS: %.1f (median of %d)%n", result.medianMips(), result.pairs().size());
            }
            result.checksums().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> out.println("checksum N=" + e.getKey() + ": " + e.getValue()
                            + (Benchmark.KNOWN_CHECKSUMS.containsKey(e.getKey()) ? " (verified)" : "")));

            boolean ok = result.ok() && natives.report(result.checksums().get(n2));
            PrintWriter err = spec.commandLine().getErr();
            for (String problem : result.problems()) {
                err.println("vmm: bench: " + problem);
            }
            if (!ok) {
                err.println("vmm: bench: FAILED");
            }
            return ok ? 0 : 1;
        } finally {
            natives.close();
        }
    }

    /**
     * The native yardstick, run right after every guest pair rather than once at the end: the host's
     * speed drifts by tens of percent within a minute on shared machines, and a pair's MIPS divided by
     * the native MIPS measured seconds later cancels that drift; the median of those per-pair ratios is
     * the figure reported.
     */
    private final class NativeBetweenPairs {
        /** Repetitions of the native loop after each pair (their median is that pair's yardstick). */
        private static final int REPETITIONS = 3;
        private final PrintWriter out;
        private NativeYardstick.Built exe;
        private final java.util.List<Double> mips = new java.util.ArrayList<>(), ratios = new java.util.ArrayList<>();
        private String checksum;

        NativeBetweenPairs(PrintWriter out) { this.out = out; }

        void build() {
            try {
                exe = NativeYardstick.build(NativeYardstick.sources());
            } catch (NativeYardstick.Unavailable e) {
                out.println("native: skipped (" + e.getMessage() + ")");
            }
        }

        void afterPair(Benchmark.Pair pair) {
            if (exe == null) {
                return;
            }
            try {
                NativeYardstick.Measurement m = exe.run(n2, REPETITIONS);
                mips.add(m.mips());
                checksum = m.checksum();
                double r = pair.mips() / m.mips();
                if (!Double.isNaN(r)) {
                    ratios.add(r);
                }
                out.printf(Locale.ROOT, "  native N=%d: %.1f MIPS (median of %d) -> this pair %s%n",
                        n2, m.mips(), m.repetitions(), Benchmark.ratio(pair.mips(), m.mips()));
            } catch (NativeYardstick.Unavailable e) {
                out.println("native: stopped (" + e.getMessage() + ")");
                close();
            }
        }

        /** Prints native MIPS and the ratio; false only if the native checksum contradicts the guest's. */
        boolean report(String guestChecksum) {
            if (mips.isEmpty()) {
                return true;
            }
            out.printf(Locale.ROOT, "native MIPS: %.1f (median of %d runs between the pairs, N=%d, checksum %s)%n",
                    Benchmark.median(mips), mips.size(), n2, checksum);
            out.println("guest/native: " + Benchmark.ratio(Benchmark.median(ratios), 1.0)
                    + " (median of the " + ratios.size() + " pairs' ratios to the native run after each)");
            if (guestChecksum != null && checksum != null && !guestChecksum.equals(checksum)) {
                spec.commandLine().getErr().println("vmm: bench: CHECKSUM MISMATCH for N=" + n2
                        + ": guest printed " + guestChecksum + ", the native loop " + checksum);
                return false;
            }
            return true;
        }

        void close() {
            if (exe != null) {
                exe.close();
                exe = null;
            }
        }
    }

    private static Benchmark.Run runOnce(MachineConfig config, String name, byte[] image) throws ImageException {
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        long start = System.nanoTime();
        ExitStatus status;
        try (Machine vm = new Machine(config, serial, null)) {
            vm.loadMultiboot(name, image);
            status = vm.run();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String report = status.kind() + " " + status.exitCode() + (status.report() == null ? "" : ": " + status.report());
        return new Benchmark.Run(serial.toString(StandardCharsets.ISO_8859_1), seconds, report);
    }
}
