package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The interpreter against the host CPU: every case of the catalogue ({@link ArithCases},
 * {@link ShiftCases}, {@link BitCases}, {@link MiscCases}) must leave every register, the arithmetic
 * flags and DF, the bytes of the memory window, or the fault raised, exactly as the processor did.
 *
 * <p>Two sources of truth: the vectors committed under src/test/resources (recorded on an Intel host,
 * so the test runs where gcc is missing), and, when gcc and binutils are present, a fresh recording on
 * this machine. Flags the SDM leaves undefined are compared in full against Intel recordings (the
 * interpreter reproduces what Intel processors do, e.g. MUL's SF/ZF/PF, BSF's flags, OF of multi-bit
 * shifts) and masked off against recordings from other vendors, whose undefined results differ.
 * {@code -Dvmm.recordVectors=true} rewrites the committed file from the host.
 */
class HostDifferentialTest {
    static final String RESOURCE = "host-vectors.txt.gz";

    static List<DiffCase> catalogue() {
        List<DiffCase> all = new ArrayList<>();
        ArithCases.add(all);
        ShiftCases.add(all);
        BitCases.add(all);
        MiscCases.add(all);
        FlowCases.add(all);
        SseCases.add(all);
        return all;
    }

    @Test
    void committedVectorsMatchTheInterpreter() throws Exception {
        VectorFile.Set set;
        try (InputStream is = HostDifferentialTest.class.getResourceAsStream(RESOURCE)) {
            assertTrue(is != null, "missing resource " + RESOURCE);
            set = VectorFile.read(is);
        }
        assertTrue(set.vectorCount() > 10_000, "too few vectors: " + set.vectorCount());
        compare(set);
    }

    @Test
    void liveHostMatchesTheInterpreter() throws Exception {
        assumeTrue(HostRecorder.available(), "needs Linux x86-64 with gcc and binutils");
        VectorFile.Set set = new HostRecorder(Path.of("target", "host-vectors").toAbsolutePath(), Path.of("src", "test", "native").toAbsolutePath()).record(catalogue());
        if (Boolean.getBoolean("vmm.recordVectors")) {
            Path res = Path.of("src", "test", "resources", "dev", "vmm", "cpu", RESOURCE);
            Files.createDirectories(res.getParent());
            try (OutputStream os = Files.newOutputStream(res)) { VectorFile.write(set, os); }
        }
        compare(set);
    }

    private static void compare(VectorFile.Set set) {
        boolean intel = set.vendor().equals("GenuineIntel");
        InterpreterReplay replay = new InterpreterReplay();
        Map<String, Integer> failing = new LinkedHashMap<>();
        StringBuilder report = new StringBuilder();
        StringBuilder all = new StringBuilder();
        int failures = 0, shown = 0;
        for (VectorFile.Recorded rc : set.cases()) {
            DiffCase c = rc.c();
            int mask = intel ? DiffCase.COMPARED : DiffCase.COMPARED & ~c.undef();
            for (VectorFile.Vector v : rc.vectors()) {
                String want = maskFlags(v.out(), mask), got;
                try {
                    got = maskFlags(replay.run(c, rc.code(), v.in()), mask);
                } catch (RuntimeException e) {
                    got = "host exception " + e;
                }
                if (!want.equals(got)) {
                    failures++;
                    failing.merge(c.name(), 1, Integer::sum);
                    String line = String.format("%s [%s] in=%s%n   host: %s%n   vmm:  %s%n", c.name(),
                        java.util.HexFormat.of().formatHex(rc.code()), inputs(c, v.in()), want, got);
                    all.append(line);
                    if (shown++ < 60) {
                        report.append(String.format("%s [%s] in=%s%n   host: %s%n   vmm:  %s%n", c.name(),
                            java.util.HexFormat.of().formatHex(rc.code()), inputs(c, v.in()), want, got));
                    }
                }
            }
        }
        if (failures > 0) {
            try {
                Files.writeString(Path.of("target", "host-diff-" + set.vendor() + ".txt"), all);
            } catch (java.io.IOException e) {
                report.append("(could not write target/host-diff: ").append(e).append(")\n");
            }
        }
        assertEquals(0, failures, failures + " of " + set.vectorCount() + " vectors differ; by case: " + failing + "\n" + report);
    }

    private static String inputs(DiffCase c, long[] in) {
        StringBuilder sb = new StringBuilder();
        for (int r : c.regs()) {
            if (r >= DiffCase.XMM0) {
                int at = DiffCase.xmmAt(r - DiffCase.XMM0);
                sb.append('x').append(r - DiffCase.XMM0).append('=').append(Long.toHexString(in[at + 1])).append('.')
                    .append(Long.toHexString(in[at])).append(' ');
            } else {
                sb.append(r).append('=').append(Long.toHexString(in[r])).append(' ');
            }
        }
        return sb.append("f=").append(Long.toHexString(in[16])).toString();
    }

    static String maskFlags(String out, int mask) {
        int i = out.indexOf("f=");
        if (i < 0) return out;
        int end = out.indexOf(' ', i);
        if (end < 0) end = out.length();
        long f = Long.parseUnsignedLong(out.substring(i + 2, end), 16) & mask;
        return out.substring(0, i + 2) + Long.toHexString(f) + out.substring(end);
    }
}
