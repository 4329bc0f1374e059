package dev.vmm.console;

import dev.vmm.core.hv.PvFaultBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code vmm bench-vm}: page faults resolved per second through the whole pv path (ring-3 guest code
 * on the interpreter -> page walker -> #PF -> vm_fault -> pmap_enter -> restart) and pmap_enter calls
 * per second, next to this host's own first-touch faults per second measured by a C program in the
 * same run. Warm-up rounds let the JIT compile the path first; the figures are medians.
 */
@Command(name = "bench-vm", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Measure page faults/s through vmm's pv fault path and pmap_enter/s, beside this host's",
            "own first-touch faults/s (images/bench/first_touch.c, built with gcc; skipped without it)."
        })
final class BenchVmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--pages", paramLabel = "N", defaultValue = "16384",
            description = "Fresh 4 KiB pages touched per round (default: ${DEFAULT-VALUE}, 64 MiB).")
    int pages = 16384;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "15",
            description = "Untimed rounds first, for the JIT (default: ${DEFAULT-VALUE}).")
    int warmup = 15;

    @Option(names = "--repeat", paramLabel = "R", defaultValue = "7",
            description = "Timed rounds; medians are reported (default: ${DEFAULT-VALUE}).")
    int repeat = 7;

    @Option(names = "--no-host", description = "Skip the host's own first-touch measurement.")
    boolean noHost;

    @Override
    public Integer call() {
        if (pages < 1 || pages > (1 << 20)) throw new ParameterException(spec.commandLine(), "--pages must be in 1..1048576, got " + pages);
        if (repeat < 1 || warmup < 0) throw new ParameterException(spec.commandLine(), "need --repeat >= 1 and --warmup >= 0");
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "bench-vm: %d fresh pages per round, %d warm-up + %d timed rounds, superpages off%n", pages, warmup, repeat);
        out.flush();
        PvFaultBenchmark b = new PvFaultBenchmark(pages);
        for (int i = 0; i < warmup; i++) {
            b.faultRound();
            b.enterRound();
        }
        List<Double> faultRates = new ArrayList<>(), enterRatesInFaults = new ArrayList<>(), enterRates = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            PvFaultBenchmark.Round r = b.faultRound();
            faultRates.add(r.faultsPerSecond());
            enterRatesInFaults.add(r.entersPerSecond());
            enterRates.add(b.enterRound());
            out.printf(Locale.ROOT, "  round %d: %d faults in %.1f ms = %.0f faults/s%n", i + 1, r.faults(), r.seconds() * 1e3, r.faultsPerSecond());
            out.flush();
        }
        b.checkInvariants();
        double guest = Benchmark.median(faultRates);
        out.printf(Locale.ROOT, "guest faults/s: %.0f (median of %d; CPU -> walker -> vm_fault -> pmap_enter -> restart)%n", guest, repeat);
        out.printf(Locale.ROOT, "pmap_enter/s: %.0f in the fault path, %.0f alone (median of %d)%n",
                Benchmark.median(enterRatesInFaults), Benchmark.median(enterRates), repeat);
        if (noHost) return 0;
        try {
            HostFaultYardstick.Measurement h = HostFaultYardstick.measure(HostFaultYardstick.source(), pages, Math.max(repeat, 5));
            out.printf(Locale.ROOT, "host first-touch faults/s: %.0f (median of %d, %d minor faults per round)%n",
                    h.faultsPerSecond(), h.repetitions(), h.faults());
            out.println("guest/host: " + Benchmark.ratio(guest, h.faultsPerSecond()));
        } catch (NativeYardstick.Unavailable e) {
            out.println("host: skipped (" + e.getMessage() + ")");
        }
        return 0;
    }
}
