package dev.vmm.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The benchmark loop as a Linux program (images/bench/native.S, native_main.c and the workload.inc
 * they include), built with gcc into a
 * temporary directory and run with the guest's N, so a guest speed can be stated as a ratio to this
 * host's native speed measured in the same session.
 */
public final class NativeYardstick {
    static final String ASM = "native.S";
    static final String MAIN = "native_main.c";
    /** The loop itself, included by native.S (and by the benchmark kernel). */
    static final String WORKLOAD = "workload.inc";

    /** Why the yardstick could not be measured; the bench goes on without it. */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** @param mips the median MIPS_wall over the repetitions */
    public record Measurement(double mips, String checksum, int repetitions) { }

    private NativeYardstick() { }

    /** images/bench under the project root, if both sources are there. */
    public static Path sources() throws Unavailable {
        Path root = ProjectRoot.find().orElseThrow(() -> new Unavailable(
                "cannot find the project root (run through ./vmm, or set -Dvmm.home=DIR)"));
        Path dir = root.resolve("images").resolve("bench");
        for (String file : new String[] {ASM, MAIN, WORKLOAD}) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new Unavailable(dir.resolve(file) + " not found");
            }
        }
        return dir;
    }

    /** Builds the yardstick from {@code sourceDir} and runs it {@code repetitions} times with N = {@code n}. */
    public static Measurement measure(Path sourceDir, long n, int repetitions) throws Unavailable {
        try (Built exe = build(sourceDir)) {
            return exe.run(n, repetitions);
        }
    }

    /** Compiles the yardstick from {@code sourceDir} into a temporary directory (removed by close). */
    public static Built build(Path sourceDir) throws Unavailable {
        Path work;
        try {
            work = Files.createTempDirectory("vmm-native");
        } catch (IOException e) {
            throw new Unavailable("cannot create a temporary directory: " + e.getMessage());
        }
        Path exe = work.resolve("native");
        try {
            exec(List.of("gcc", "-O2", "-static", "-no-pie", "-o", exe.toString(),
                    sourceDir.resolve(MAIN).toString(), sourceDir.resolve(ASM).toString()), "gcc", 120);
        } catch (Unavailable e) {
            deleteTree(work);
            throw e;
        }
        return new Built(work, exe);
    }

    /** The compiled yardstick, run as often as wanted (between guest runs, by {@code vmm bench --native}). */
    public static final class Built implements AutoCloseable {
        private final Path work, exe;

        private Built(Path work, Path exe) {
            this.work = work;
            this.exe = exe;
        }

        /** Runs the loop N = {@code n} times, {@code repetitions} times over; the median MIPS. */
        public Measurement run(long n, int repetitions) throws Unavailable {
            String out = exec(List.of(exe.toString(), Long.toString(n), Integer.toString(repetitions)), "native", 600);
            List<Double> mips = Benchmark.nativeMips(out);
            String checksum = Benchmark.nativeChecksum(out).orElse(null);
            if (mips.isEmpty() || checksum == null) {
                throw new Unavailable("the native program printed no result: " + firstLine(out));
            }
            return new Measurement(Benchmark.median(mips), checksum, mips.size());
        }

        @Override
        public void close() { deleteTree(work); }
    }

    static String exec(List<String> command, String what, int timeoutSeconds) throws Unavailable {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            throw new Unavailable(what + " cannot be started (" + e.getMessage() + ")");
        }
        try {
            byte[] bytes = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new Unavailable(what + " did not finish within " + timeoutSeconds + " s");
            }
            String out = new String(bytes, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new Unavailable(what + " failed with status " + process.exitValue() + ": " + firstError(out));
            }
            return out;
        } catch (IOException e) {
            process.destroyForcibly();
            throw new Unavailable(what + ": " + e.getMessage());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new Unavailable(what + " interrupted");
        }
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    /** The first line that says "error", else the last line: what gcc's failure was about. */
    private static String firstError(String s) {
        String t = s.strip();
        return t.lines().filter(l -> l.contains("error")).findFirst().orElse(t.substring(t.lastIndexOf('\n') + 1));
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(paths.toList());
            all.sort(Comparator.reverseOrder());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover in the temporary directory is harmless.
        }
    }
}
