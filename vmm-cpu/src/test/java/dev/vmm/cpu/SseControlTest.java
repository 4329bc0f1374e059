package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control-register rules for x87 and SSE instructions that a user-mode host process cannot show
 * (SDM vol. 3, table 2-2 "Action taken by x87 FPU instructions for different combinations of EM, MP
 * and TS", 13.1 and the exception sections of FXSAVE, LDMXCSR and the SSE instructions), run at CPL 0.
 */
class SseControlTest {
    private static final byte[] PXOR = {0x66, 0x0F, (byte) 0xEF, (byte) 0xC0};          // pxor %xmm0,%xmm0
    private static final byte[] FNINIT = {(byte) 0xDB, (byte) 0xE3};
    private static final byte[] FWAIT = {(byte) 0x9B};
    private static final byte[] FXSAVE = {0x0F, (byte) 0xAE, 0x07};                      // fxsave (%rdi)
    private static final byte[] FXRSTOR = {0x0F, (byte) 0xAE, 0x0F};                     // fxrstor (%rdi)
    private static final byte[] LDMXCSR = {0x0F, (byte) 0xAE, 0x17};                     // ldmxcsr (%rdi)
    private static final byte[] MOVNTI = {0x0F, (byte) 0xC3, 0x07};                      // movnti %eax,(%rdi)

    private final TestCpu t = new TestCpu(64, 0);

    @BeforeEach
    void reset() { t.reset(); t.fillWindow(); }

    private int run(byte[] code) {
        t.loadCode(code);
        t.cpu.r[7] = TestCpu.WINDOW + 0x100;
        t.cpu.r[4] = TestCpu.STACK_TOP;
        return t.runUntil(TestCpu.CODE + code.length, 4);
    }

    private void cr0(long set, long clear) { t.cpu.cr0 = (t.cpu.cr0 | set) & ~clear; }

    @Test
    void withoutOsfxsrSseRaisesUdButFxsaveWorks() {
        t.cpu.cr4 &= ~SystemRegs.CR4_OSFXSR;
        assertEquals(Interrupts.UD, run(PXOR));
        assertEquals(Interrupts.UD, run(LDMXCSR));
        assertEquals(-1, run(FXSAVE));
        assertEquals(-1, run(FNINIT));
    }

    @Test
    void emulationBitMakesSseUdAndX87Nm() {
        cr0(SystemRegs.CR0_EM, 0);
        assertEquals(Interrupts.UD, run(PXOR));
        assertEquals(Interrupts.UD, run(LDMXCSR));
        assertEquals(Interrupts.NM, run(FNINIT));
        assertEquals(Interrupts.NM, run(FXSAVE));
        assertEquals(-1, run(FWAIT), "WAIT ignores EM");
        assertEquals(-1, run(MOVNTI), "MOVNTI is a general-purpose store");
    }

    @Test
    void taskSwitchedBitRaisesNm() {
        cr0(SystemRegs.CR0_TS, SystemRegs.CR0_MP);
        assertEquals(Interrupts.NM, run(PXOR));
        assertEquals(Interrupts.NM, run(LDMXCSR));
        assertEquals(Interrupts.NM, run(FNINIT));
        assertEquals(Interrupts.NM, run(FXSAVE));
        assertEquals(Interrupts.NM, run(FXRSTOR));
        assertEquals(-1, run(FWAIT), "WAIT with TS but not MP runs");
        cr0(SystemRegs.CR0_MP, 0);
        assertEquals(Interrupts.NM, run(FWAIT), "WAIT with MP and TS raises #NM");
        assertEquals(-1, run(MOVNTI));
        cr0(0, SystemRegs.CR0_TS); // CLTS: the lazy-switch handler's way out
        assertEquals(-1, run(PXOR));
    }

    @Test
    void udBeatsNmWhenBothApply() {
        cr0(SystemRegs.CR0_TS | SystemRegs.CR0_EM, 0);
        assertEquals(Interrupts.UD, run(PXOR));
    }

    @Test
    void reservedMxcsrBitsRaiseGp() {
        t.mem.write32(TestCpu.WINDOW + 0x100, 0x1_1F80);
        assertEquals(Interrupts.GP, run(LDMXCSR));
        t.mem.write32(TestCpu.WINDOW + 0x100, 0xFFFF);
        assertEquals(-1, run(LDMXCSR));
        assertEquals(0xFFFF, t.cpu.mxcsr);
        t.mem.write32(TestCpu.WINDOW + 0x100 + 24, 0x2_0000);
        assertEquals(Interrupts.GP, run(FXRSTOR));
    }

    @Test
    void fxsaveNeedsSixteenByteAlignment() {
        t.loadCode(FXSAVE);
        t.cpu.r[7] = TestCpu.WINDOW + 0x108;
        assertEquals(Interrupts.GP, t.runUntil(TestCpu.CODE + FXSAVE.length, 2));
    }

    @Test
    void fxsaveImageRoundTrips() {
        for (int i = 0; i < 32; i++) t.cpu.xmm[i] = 0x1111_1111_1111_1111L * (i % 15 + 1);
        t.cpu.mxcsr = 0x9FC0;
        assertEquals(-1, run(new byte[] {0x48, 0x0F, (byte) 0xAE, 0x07}));            // fxsave64 (%rdi)
        assertEquals(0xFFFF, t.mem.read32(TestCpu.WINDOW + 0x100 + 28), "MXCSR_MASK");
        java.util.Arrays.fill(t.cpu.xmm, 0);
        t.cpu.mxcsr = 0x1F80;
        assertEquals(-1, run(new byte[] {0x48, 0x0F, (byte) 0xAE, 0x0F}));            // fxrstor64 (%rdi)
        assertEquals(0x9FC0, t.cpu.mxcsr);
        for (int i = 0; i < 32; i++) assertEquals(0x1111_1111_1111_1111L * (i % 15 + 1), t.cpu.xmm[i], "xmm slot " + i);
    }

    @Test
    void invalidEncodingsRaiseUd() {
        assertEquals(-1, run(new byte[] {0x66, 0x0F, 0x72, (byte) 0xE0, 3}), "66 0F 72 /4 is PSRAD");
        assertEquals(Interrupts.UD, run(new byte[] {0x66, 0x0F, 0x73, (byte) 0xE0, 3}), "PSRAQ does not exist before AVX-512");
        assertEquals(Interrupts.UD, run(new byte[] {0x0F, (byte) 0xEF, (byte) 0xC0}), "MMX PXOR is not implemented");
        assertEquals(Interrupts.UD, run(new byte[] {0x66, 0x0F, 0x73, 0x17, 3}), "group 14 has no memory form");
        assertEquals(Interrupts.UD, run(new byte[] {(byte) 0xF0, 0x66, 0x0F, (byte) 0xEF, 0x07}), "LOCK");
        assertEquals(Interrupts.UD, run(new byte[] {0x66, 0x0F, 0x58, (byte) 0xC1}), "ADDPD: no SSE arithmetic");
    }

    @Test
    void cpuidAdvertisesWhatIsImplemented() {
        t.cpu.r[0] = 1;
        assertEquals(-1, run(new byte[] {0x0F, (byte) 0xA2}));
        long edx = t.cpu.r[2];
        assertTrue((edx & (1 << 24)) != 0 && (edx & (1 << 25)) != 0 && (edx & (1 << 26)) != 0, "FXSR, SSE, SSE2");
        assertEquals(0, edx & 1, "no FPU: there is no x87 arithmetic");
        assertEquals(0, edx & (1 << 23), "no MMX");
        assertEquals(0, t.cpu.r[1] & (1 << 27), "no OSXSAVE/XSAVE: XGETBV raises #UD");
        assertEquals(Interrupts.UD, run(new byte[] {0x0F, 0x01, (byte) 0xD0}), "XGETBV");
    }
}
