package dev.vmm.console;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarkTest {
    /** A stand-in for kernel.bin: the Multiboot magic at 0 and room for the count at 0x20. */
    static byte[] fakeKernel() {
        byte[] k = new byte[64];
        ByteBuffer.wrap(k).order(ByteOrder.LITTLE_ENDIAN).putInt(0, Benchmark.MULTIBOOT_MAGIC).putLong(0x20, 1000);
        return k;
    }

    @Test
    void patchesTheCountLittleEndianAtOffset0x20WithoutTouchingTheOriginal() {
        byte[] kernel = fakeKernel();
        byte[] patched = Benchmark.withIterations(kernel, 0x0102030405060708L);
        assertEquals(1000, Benchmark.iterations(kernel));
        assertEquals(0x0102030405060708L, Benchmark.iterations(patched));
        assertEquals(0x08, patched[0x20]);
        assertEquals(0x01, patched[0x27]);
        for (int i = 0; i < kernel.length; i++) {
            if (i < 0x20 || i >= 0x28) {
                assertEquals(kernel[i], patched[i], "byte " + i);
            }
        }
    }

    @Test
    void refusesSomethingThatIsNotTheKernel() {
        assertThrows(UserError.class, () -> Benchmark.withIterations(new byte[64], 10));
        assertThrows(UserError.class, () -> Benchmark.withIterations(new byte[0x27], 10));
        assertThrows(UserError.class, () -> Benchmark.withIterations(fakeKernel(), 0));
        UserError e = assertThrows(UserError.class, () -> Benchmark.requireKernel("/etc/hostname", "x\n".getBytes()));
        assertTrue(e.getMessage().startsWith("/etc/hostname: not the benchmark kernel"), e.getMessage());
    }

    @Test
    void readsTheChecksumFromSerialOutput() {
        assertEquals(Optional.of("a80b42a43b92212c"), Benchmark.checksum("Sa80b42a43b92212cE\n"));
        assertEquals(Optional.of("04959a152ab81a70"), Benchmark.checksum("boot noise\r\nS04959a152ab81a70E\n"));
        assertEquals(Optional.empty(), Benchmark.checksum("S"));
        assertEquals(Optional.empty(), Benchmark.checksum("Sa80b42a43b92212E\n"));
        assertEquals(Optional.empty(), Benchmark.checksum("SA80B42A43B92212CE\n"));
        assertEquals(Optional.empty(), Benchmark.checksum(""));
    }

    @Test
    void verifiesKnownChecksumsAndLetsUnknownNPass() {
        assertEquals(Optional.empty(), Benchmark.verify(10, "9bbc6814b3871c3a"));
        assertEquals(Optional.empty(), Benchmark.verify(20, "04959a152ab81a70"));
        assertEquals(Optional.empty(), Benchmark.verify(1_000_000, "a80b42a43b92212c"));
        assertEquals(Optional.empty(), Benchmark.verify(100_000_000, "62c7e0ebace2e4ee"));
        assertEquals(Optional.empty(), Benchmark.verify(12345, "0000000000000000"));
        String problem = Benchmark.verify(1_000_000, "0000000000000000").orElseThrow();
        assertTrue(problem.contains("MISMATCH") && problem.contains("a80b42a43b92212c"), problem);
    }

    @Test
    void mipsIs169InstructionsPerIterationOverTheTimeDifference() {
        // 169 * 900000 instructions in 3 s = 50.7 MIPS
        assertEquals(50.7, Benchmark.mips(100_000, 0.5, 1_000_000, 3.5), 1e-9);
        assertEquals(169.0 * 99_999_990 / 10 / 1e6, Benchmark.mips(10, 1, 100_000_000, 11), 1e-9);
        assertTrue(Double.isNaN(Benchmark.mips(10, 2, 20, 2)));
        assertTrue(Double.isNaN(Benchmark.mips(10, 2, 20, 1)));
        assertTrue(Double.isNaN(Benchmark.mips(20, 1, 10, 2)));
    }

    @Test
    void medianIgnoresNaN() {
        assertEquals(2, Benchmark.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, Benchmark.median(List.of(4.0, 1.0, 2.0, 3.0, Double.NaN)));
        assertTrue(Double.isNaN(Benchmark.median(List.of(Double.NaN))));
        assertTrue(Double.isNaN(Benchmark.median(List.of())));
    }

    @Test
    void parsesTheNativeYardsticksOutput() {
        String out = """
                N=1000000 checksum=a80b42a43b92212c wall=0.021337 s cpu=0.021300 s  MIPS_wall=7920.4 MIPS_cpu=7934.2
                N=1000000 checksum=a80b42a43b92212c wall=0.021000 s cpu=0.021000 s  MIPS_wall=8047.6 MIPS_cpu=8047.6
                N=1000000 checksum=a80b42a43b92212c wall=0.030000 s cpu=0.030000 s  MIPS_wall=5633.3 MIPS_cpu=5633.3
                """;
        assertEquals(List.of(7920.4, 8047.6, 5633.3), Benchmark.nativeMips(out));
        assertEquals(7920.4, Benchmark.median(Benchmark.nativeMips(out)));
        assertEquals(Optional.of("a80b42a43b92212c"), Benchmark.nativeChecksum(out));
        assertEquals(List.of(), Benchmark.nativeMips("gcc: not found"));
    }

    @Test
    void statesRatiosTheWayTheBenchReadmeDoes() {
        assertEquals("1/100.0 (0.0100)", Benchmark.ratio(79.26, 7926));
        assertEquals("2.00", Benchmark.ratio(200, 100));
        assertEquals("n/a", Benchmark.ratio(Double.NaN, 100));
    }

    /** A guest that runs at a fixed speed and prints a checksum from a table. */
    record FakeGuest(double mips, double bootSeconds, Map<Long, String> sums, List<Long> seen) implements Benchmark.Runner {
        @Override
        public Benchmark.Run run(byte[] image) {
            long n = Benchmark.iterations(image);
            seen.add(n);
            double seconds = bootSeconds + n * 169.0 / (mips * 1e6);
            String sum = sums.get(n);
            return new Benchmark.Run(sum == null ? "S" : "S" + sum + "E\n", seconds, "DEBUG_EXIT 1");
        }
    }

    @Test
    void measureWarmsUpThenTimesPairsAndCancelsBootTime() throws Exception {
        List<Long> seen = new ArrayList<>();
        FakeGuest guest = new FakeGuest(50, 0.7, Map.of(100_000L, "1111111111111111", 1_000_000L, "a80b42a43b92212c"), seen);
        List<String> log = new ArrayList<>();
        Benchmark.Result r = Benchmark.measure(guest, fakeKernel(), 100_000, 1_000_000, 3, log::add);
        assertTrue(r.ok(), r.problems().toString());
        // warm-up N1 and N2, then three timed pairs
        assertEquals(List.of(100_000L, 1_000_000L, 100_000L, 1_000_000L, 100_000L, 1_000_000L, 100_000L, 1_000_000L), seen);
        assertEquals(3, r.pairs().size());
        assertEquals(50, r.medianMips(), 1e-6);
        assertEquals("a80b42a43b92212c", r.checksums().get(1_000_000L));
        assertEquals(5, log.size());
        assertTrue(log.get(0).startsWith("warm-up: N=100000"), log.get(0));
        assertTrue(log.get(1).startsWith("warm-up: N=1000000"), log.get(1));
        assertTrue(log.get(4).contains("50.0 MIPS"), log.get(4));
    }

    @Test
    void aWrongKnownChecksumFailsLoudly() throws Exception {
        FakeGuest guest = new FakeGuest(50, 0.1, Map.of(10L, "9bbc6814b3871c3a", 20L, "04959a152ab81a71"), new ArrayList<>());
        Benchmark.Result r = Benchmark.measure(guest, fakeKernel(), 10, 20, 1, s -> { });
        assertFalse(r.ok());
        assertTrue(r.problems().getFirst().contains("CHECKSUM MISMATCH for N=20"), r.problems().toString());
    }

    @Test
    void aMissingChecksumStopsTheMeasurement() throws Exception {
        List<Long> seen = new ArrayList<>();
        FakeGuest guest = new FakeGuest(50, 0.1, Map.of(), seen);
        Benchmark.Result r = Benchmark.measure(guest, fakeKernel(), 10, 20, 5, s -> { });
        assertFalse(r.ok());
        assertEquals(List.of(10L), seen);
        assertTrue(r.problems().getFirst().contains("printed no checksum"), r.problems().toString());
        assertTrue(r.problems().getFirst().contains("DEBUG_EXIT 1"), r.problems().toString());
    }

    @Test
    void aChecksumThatChangesBetweenRunsIsCaught() throws Exception {
        int[] calls = {0};
        Benchmark.Runner flaky = image -> {
            long n = Benchmark.iterations(image);
            String sum = n == 100 && calls[0]++ > 0 ? "bbbbbbbbbbbbbbbb" : "aaaaaaaaaaaaaaaa";
            return new Benchmark.Run("S" + sum + "E\n", n / 100.0, "DEBUG_EXIT 1");
        };
        Benchmark.Result r = Benchmark.measure(flaky, fakeKernel(), 100, 1000, 2, s -> { });
        assertFalse(r.ok());
        assertTrue(r.problems().getFirst().contains("not deterministic"), r.problems().toString());
    }

    @Test
    void tooShortARunGivesNoMipsButIsNoFailure() throws Exception {
        Benchmark.Runner constant = image -> new Benchmark.Run("S0000000000000000E\n", 1.0, "DEBUG_EXIT 1");
        Benchmark.Result r = Benchmark.measure(constant, fakeKernel(), 100, 1000, 2, s -> { });
        assertTrue(r.ok(), r.problems().toString());
        assertTrue(Double.isNaN(r.medianMips()));
    }

    @Test
    void refusesNonsenseParameters() {
        Benchmark.Runner never = image -> { throw new AssertionError("must not run"); };
        assertThrows(UserError.class, () -> Benchmark.measure(never, fakeKernel(), 0, 10, 1, s -> { }));
        assertThrows(UserError.class, () -> Benchmark.measure(never, fakeKernel(), 10, 10, 1, s -> { }));
        assertThrows(UserError.class, () -> Benchmark.measure(never, fakeKernel(), 10, 20, 0, s -> { }));
    }
}
