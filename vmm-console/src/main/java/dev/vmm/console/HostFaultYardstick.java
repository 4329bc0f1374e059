package dev.vmm.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This host's own first-touch page faults per second (images/bench/first_touch.c, built with gcc into a
 * temporary directory like {@link NativeYardstick}): the yardstick for {@code vmm bench-vm}, measured
 * in the same session so the guest's fault rate can be stated as a ratio to it.
 */
public final class HostFaultYardstick {
    static final String SOURCE = "first_touch.c";
    private static final Pattern LINE = Pattern.compile("^faults (\\d+) seconds ([0-9.]+) rate (\\d+)$", Pattern.MULTILINE);

    /** @param faultsPerSecond the median over the repetitions; @param faults minflt counted in one repetition */
    public record Measurement(double faultsPerSecond, long faults, int repetitions) { }

    private HostFaultYardstick() { }

    /** images/bench/first_touch.c under the project root. */
    public static Path source() throws NativeYardstick.Unavailable {
        Path root = ProjectRoot.find().orElseThrow(() -> new NativeYardstick.Unavailable(
                "cannot find the project root (run through ./vmm, or set -Dvmm.home=DIR)"));
        Path src = root.resolve("images").resolve("bench").resolve(SOURCE);
        if (!Files.isRegularFile(src)) throw new NativeYardstick.Unavailable(src + " not found");
        return src;
    }

    /** Builds the program and runs it: {@code repetitions} rounds of {@code pages} first touches. */
    public static Measurement measure(Path source, int pages, int repetitions) throws NativeYardstick.Unavailable {
        Path work;
        try {
            work = Files.createTempDirectory("vmm-faults");
        } catch (IOException e) {
            throw new NativeYardstick.Unavailable("cannot create a temporary directory: " + e.getMessage());
        }
        try {
            Path exe = work.resolve("first_touch");
            NativeYardstick.exec(List.of("gcc", "-O2", "-o", exe.toString(), source.toString()), "gcc", 120);
            String out = NativeYardstick.exec(List.of(exe.toString(), Integer.toString(pages), Integer.toString(repetitions)),
                    "first_touch", 600);
            return parse(out);
        } finally {
            NativeYardstick.deleteTree(work);
        }
    }

    /** The median rate of the program's lines; Unavailable if it printed none. */
    static Measurement parse(String out) throws NativeYardstick.Unavailable {
        List<Double> rates = new ArrayList<>();
        long faults = 0;
        Matcher m = LINE.matcher(out);
        while (m.find()) {
            faults = Long.parseLong(m.group(1));
            rates.add(Double.parseDouble(m.group(3)));
        }
        if (rates.isEmpty()) throw new NativeYardstick.Unavailable("first_touch printed no result: " + out.strip());
        return new Measurement(Benchmark.median(rates), faults, rates.size());
    }
}
