package dev.vmm.console;

import dev.vmm.core.boot.ImageException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MIPS benchmark (shared/bench/README.md), without a machine: patching the iteration count into
 * the kernel, reading the checksum it prints, checking it, and the arithmetic
 * {@code MIPS = 169 * (N2 - N1) / (t2 - t1)}. Running a guest is behind {@link Runner}, so all of this is
 * tested with a fake.
 *
 * <p>The kernel prints {@code S}, runs the loop N times, prints the 64-bit checksum as 16 lower-case hex
 * digits, then {@code E\n}, and exits through the debug-exit port. Timing two runs that differ only in N
 * cancels boot and shutdown, so the difference is the loop alone.
 */
public final class Benchmark {
    /** Instructions one loop iteration executes, counted by QEMU's and Bochs' tracers alike. */
    public static final int INSTRUCTIONS_PER_ITERATION = 169;
    /** File offset of the little-endian 64-bit iteration count in kernel.bin. */
    public static final int ITERATIONS_OFFSET = 0x20;
    /** Multiboot v1 header magic, at offset 0 of the benchmark kernel. */
    public static final int MULTIBOOT_MAGIC = 0x1BADB002;
    /** Checksums every correct CPU prints for these N. */
    public static final Map<Long, String> KNOWN_CHECKSUMS = Map.of(
            10L, "9bbc6814b3871c3a",
            20L, "04959a152ab81a70",
            1_000_000L, "a80b42a43b92212c",
            100_000_000L, "62c7e0ebace2e4ee");

    private static final Pattern GUEST_CHECKSUM = Pattern.compile("S([0-9a-f]{16})E");
    private static final Pattern NATIVE_CHECKSUM = Pattern.compile("checksum=([0-9a-f]{16})");
    private static final Pattern NATIVE_MIPS = Pattern.compile("MIPS_wall=([0-9]+(?:\\.[0-9]+)?)");

    /** What one guest run left behind: its serial output, its wall-clock time, how it stopped. */
    public record Run(String serial, double seconds, String status) { }

    /** Boots a kernel image in a fresh machine, runs it to the end and captures COM1. */
    @FunctionalInterface
    public interface Runner {
        Run run(byte[] image) throws ImageException;
    }

    /** One timed run of N iterations; checksum is null when the guest printed none. */
    public record Sample(long iterations, double seconds, String checksum) { }

    /** An N1 run and an N2 run, and the MIPS their difference gives (NaN if t2 <= t1). */
    public record Pair(Sample first, Sample second, double mips) { }

    /**
     * Everything measured; {@link #ok()} is false when any checksum was missing or wrong. A NaN median
     * (no N2 run was slower than its N1 run) is a measurement too short to say, not a failure.
     */
    public record Result(List<Pair> pairs, double medianMips, Map<Long, String> checksums, List<String> problems) {
        public boolean ok() { return problems.isEmpty(); }
    }

    private Benchmark() { }

    /** A copy of {@code kernel} that runs the loop {@code n} times. */
    public static byte[] withIterations(byte[] kernel, long n) {
        checkKernel(kernel);
        if (n < 1) {
            throw new UserError("iteration count must be at least 1, got " + Long.toUnsignedString(n));
        }
        byte[] copy = kernel.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(ITERATIONS_OFFSET, n);
        return copy;
    }

    /** The iteration count patched into {@code kernel}. */
    public static long iterations(byte[] kernel) {
        checkKernel(kernel);
        return ByteBuffer.wrap(kernel).order(ByteOrder.LITTLE_ENDIAN).getLong(ITERATIONS_OFFSET);
    }

    /** @throws UserError unless {@code kernel} starts with a Multiboot header and has room for the count */
    public static void requireKernel(String name, byte[] kernel) {
        if (!isKernel(kernel)) {
            throw new UserError(name + ": not the benchmark kernel (no Multiboot header at offset 0 with the iteration count at 0x20)");
        }
    }

    private static boolean isKernel(byte[] kernel) {
        return kernel.length >= ITERATIONS_OFFSET + Long.BYTES
                && ByteBuffer.wrap(kernel).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == MULTIBOOT_MAGIC;
    }

    private static void checkKernel(byte[] kernel) {
        requireKernel("image", kernel);
    }

    /** The checksum in a guest's serial output ({@code S<16 hex digits>E}). */
    public static Optional<String> checksum(String serial) {
        Matcher m = GUEST_CHECKSUM.matcher(serial);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** A message if {@code checksum} is not what every correct CPU prints for {@code n}; empty if it is or if unknown. */
    public static Optional<String> verify(long n, String checksum) {
        String expected = KNOWN_CHECKSUMS.get(n);
        if (expected == null || expected.equals(checksum)) {
            return Optional.empty();
        }
        return Optional.of("CHECKSUM MISMATCH for N=" + n + ": guest printed " + checksum + ", a correct CPU prints " + expected);
    }

    /** Guest MIPS from two runs; NaN unless {@code t2 > t1} and {@code n2 > n1}. */
    public static double mips(long n1, double t1, long n2, double t2) {
        if (!(t2 > t1) || n2 <= n1) {
            return Double.NaN;
        }
        return INSTRUCTIONS_PER_ITERATION * (double) (n2 - n1) / (t2 - t1) / 1e6;
    }

    /** The median of the non-NaN values, NaN if there are none. */
    public static double median(List<Double> values) {
        double[] v = values.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** MIPS_wall figures the native yardstick printed, one per repetition. */
    public static List<Double> nativeMips(String output) {
        List<Double> result = new ArrayList<>();
        Matcher m = NATIVE_MIPS.matcher(output);
        while (m.find()) {
            result.add(Double.parseDouble(m.group(1)));
        }
        return result;
    }

    /** The checksum the native yardstick printed (all its repetitions print the same). */
    public static Optional<String> nativeChecksum(String output) {
        Matcher m = NATIVE_CHECKSUM.matcher(output);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** "1/141" for 0.0071: how many times slower than native, the way the bench README states ratios. */
    public static String ratio(double guestMips, double nativeMips) {
        if (!(guestMips > 0) || !(nativeMips > 0)) {
            return "n/a";
        }
        double r = guestMips / nativeMips;
        return r >= 1 ? String.format(Locale.ROOT, "%.2f", r)
                : String.format(Locale.ROOT, "1/%.1f (%.4f)", 1 / r, r);
    }

    /**
     * Runs N1 and then N2 once to warm the JIT up (timed, not counted: HotSpot keeps recompiling the
     * interpreter's dispatch for the first few hundred million instructions, and a figure taken before
     * that measures the JIT, not vmm), then {@code repeat} pairs of N1 and N2,
     * checking every checksum: against the known values, and each N against its earlier runs.
     * Stops early when a run prints no checksum.
     *
     * @param log receives one line per run as it finishes
     */
    public static Result measure(Runner runner, byte[] kernel, long n1, long n2, int repeat, Consumer<String> log)
            throws ImageException {
        return measure(runner, kernel, n1, n2, repeat, log, pair -> { });
    }

    /** As {@link #measure(Runner, byte[], long, long, int, Consumer)}, calling {@code afterPair} after each pair. */
    public static Result measure(Runner runner, byte[] kernel, long n1, long n2, int repeat, Consumer<String> log,
            Consumer<Pair> afterPair) throws ImageException {
        if (n1 < 1 || n2 <= n1) {
            throw new UserError("need 1 <= N1 < N2, got N1=" + n1 + " N2=" + n2);
        }
        if (repeat < 1) {
            throw new UserError("repeat must be at least 1, got " + repeat);
        }
        byte[] image1 = withIterations(kernel, n1);
        byte[] image2 = withIterations(kernel, n2);
        Map<Long, String> checksums = new HashMap<>();
        List<String> problems = new ArrayList<>();
        List<Pair> pairs = new ArrayList<>();

        for (byte[] image : List.of(image1, image2)) {
            if (!problems.isEmpty()) break;
            Sample warm = sample(runner, image, image == image1 ? n1 : n2, checksums, problems);
            log.accept("warm-up: " + describe("N", warm));
        }
        for (int i = 1; i <= repeat && problems.isEmpty(); i++) {
            Sample first = sample(runner, image1, n1, checksums, problems);
            if (!problems.isEmpty()) {
                break;
            }
            Sample second = sample(runner, image2, n2, checksums, problems);
            double mips = mips(n1, first.seconds(), n2, second.seconds());
            pairs.add(new Pair(first, second, mips));
            log.accept(String.format(Locale.ROOT, "pair %d/%d: %s, %s -> %s", i, repeat,
                    describe("N1", first), describe("N2", second),
                    Double.isNaN(mips) ? "no MIPS (the N2 run was not slower)" : String.format(Locale.ROOT, "%.1f MIPS", mips)));
            afterPair.accept(pairs.get(pairs.size() - 1));
        }
        double median = median(pairs.stream().map(Pair::mips).toList());
        return new Result(List.copyOf(pairs), median, Map.copyOf(checksums), List.copyOf(problems));
    }

    private static Sample sample(Runner runner, byte[] image, long n, Map<Long, String> checksums, List<String> problems)
            throws ImageException {
        Run run = runner.run(image);
        String sum = checksum(run.serial()).orElse(null);
        if (sum == null) {
            problems.add("N=" + n + ": the guest printed no checksum (stopped: " + run.status()
                    + "; serial output: \"" + abbreviate(run.serial()) + "\")");
        } else {
            verify(n, sum).ifPresent(problems::add);
            String earlier = checksums.putIfAbsent(n, sum);
            if (earlier != null && !earlier.equals(sum)) {
                problems.add("CHECKSUM MISMATCH for N=" + n + ": " + sum + " this run, " + earlier + " before (not deterministic)");
            }
        }
        return new Sample(n, run.seconds(), sum);
    }

    private static String describe(String label, Sample s) {
        return String.format(Locale.ROOT, "%s=%d %.3f s", label, s.iterations(), s.seconds())
                + (s.checksum() == null ? "" : " checksum " + s.checksum());
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace("\r", "\\r").replace("\n", "\\n");
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 80) + "...";
    }
}
