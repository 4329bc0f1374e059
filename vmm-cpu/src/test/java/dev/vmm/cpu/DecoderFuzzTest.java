package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Random instruction bytes through the decoder and executor: whatever the bytes, the vCPU may only
 * execute them or raise a guest exception (#UD for what is not implemented, #GP, #PF, #DE ...), which
 * is then delivered as {@link Cpu#run} would deliver it. A host exception (an array index, a null, an
 * arithmetic exception, an assertion) escaping is a bug. Seeded, so a failure reproduces.
 *
 * <p>Bytes are biased towards prefixes, REX and escape bytes so that the two- and three-byte maps and
 * prefix combinations get as many hits as the one-byte map; registers point into mapped memory half of
 * the time so that memory operands reach the executor rather than stopping at a #PF.
 */
class DecoderFuzzTest {
    private static final int[] PREFIXES = {0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65,
        0x40, 0x41, 0x44, 0x48, 0x4C, 0x4F, 0x0F, 0x0F, 0x0F};

    @ParameterizedTest(name = "{0}-bit mode, CPL {1}")
    @CsvSource({"16, 0", "32, 0", "32, 3", "64, 0", "64, 3"})
    void randomBytesRaiseOnlyGuestExceptions(int mode, int cpl) {
        SplittableRandom rnd = new SplittableRandom(0x5EED_0000L + mode * 10L + cpl);
        List<String> failures = new ArrayList<>();
        long executed = 0;
        int[] faults = new int[32];
        TestCpu t = new TestCpu(mode, cpl);
        long cr0 = t.cpu.cr0, cr4 = t.cpu.cr4, efer = t.cpu.efer;
        byte[] code = new byte[24];
        for (int seq = 0; seq < 30_000 && failures.size() < 20; seq++) {
            Cpu c = t.cpu;
            if (c.codeMode != mode || c.cr0 != cr0 || c.cr4 != cr4 || c.efer != efer || c.cpl != cpl || c.shutdown
                || seq % 1000 == 0) {
                t.reset();
                t.fillWindow();
            }
            int n = 0;
            int prefixes = rnd.nextInt(4);
            for (int k = 0; k < prefixes; k++) code[n++] = (byte) PREFIXES[rnd.nextInt(PREFIXES.length)];
            if (rnd.nextInt(4) == 0) { code[n++] = 0x0F; code[n++] = (byte) (rnd.nextBoolean() ? 0x38 : 0x3A); }
            while (n < code.length) code[n++] = (byte) rnd.nextInt(256);
            String where = mode + "-bit CPL " + cpl + " bytes " + HexFormat.of().formatHex(code);
            try {
                t.loadCode(code);
                for (int r = 0; r < 16; r++) {
                    c.r[r] = rnd.nextBoolean() ? TestCpu.WINDOW + rnd.nextInt(0x1F00) : rnd.nextLong() >>> rnd.nextInt(64);
                }
                c.r[4] = TestCpu.STACK_TOP;
                c.setRflags(2 | (rnd.nextLong() & (Flags.ARITH | Flags.DF)));
                c.halted = false;
                for (int step = 0; step < 4 && !c.halted && !c.shutdown; step++) {
                    try {
                        c.step();
                        executed++;
                    } catch (CpuFault f) {
                        faults[f.vector]++;
                        Interrupts.exception(c, f.vector, f.errorCode);
                        break;
                    }
                }
            } catch (RuntimeException | AssertionError e) {
                failures.add(where + ": " + e + " at " + e.getStackTrace()[0]);
                t.reset();
            }
        }
        // the run must have executed instructions and raised #UD and memory faults, or it proved nothing
        String stats = "executed " + executed + ", faults by vector " + java.util.Arrays.toString(faults);
        System.out.println("fuzz " + mode + "-bit CPL " + cpl + ": " + stats);
        assertTrue(executed > 20_000 && faults[Interrupts.UD] > 100 && faults[Interrupts.GP] + faults[Interrupts.PF] > 100, stats);
        assertTrue(failures.isEmpty(), failures.size() + " host exceptions escaped:\n" + String.join("\n", failures));
    }
}
