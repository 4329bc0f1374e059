package dev.vmm.cpu;

/**
 * Runs a recorded case in the interpreter from a vector's inputs and describes the outcome in the same
 * form as the host's ({@link VectorFile#output}), so the two compare as strings.
 */
final class InterpreterReplay {
    private final TestCpu cpu64 = new TestCpu(64), cpu32 = new TestCpu(32);
    private byte[] loaded64, loaded32;

    String run(DiffCase c, byte[] code, long[] in) {
        TestCpu t = c.mode() == 64 ? cpu64 : cpu32;
        if (c.mode() == 64 ? loaded64 != code : loaded32 != code) {
            t.loadCode(code);
            if (c.mode() == 64) loaded64 = code; else loaded32 = code;
        }
        Cpu cpu = t.cpu;
        t.reset(); // segment registers and anything else an earlier case changed
        cpu.rip = TestCpu.CODE;
        long m = c.mode() == 64 ? -1L : 0xFFFF_FFFFL;
        for (int r = 0; r < 16; r++) cpu.r[r] = in[r] & m;
        cpu.setRflags(in[16] | Flags.IF); // user code on the host always runs with IF set
        for (int x = 0; x < 16; x++) { cpu.xmm[2 * x] = in[DiffCase.xmmAt(x)]; cpu.xmm[2 * x + 1] = in[DiffCase.xmmAt(x) + 1]; }
        // the harness starts every case from an FXRSTOR of this state: FNINIT's words, registers zero
        java.util.Arrays.fill(cpu.fpu.mant, 0);
        java.util.Arrays.fill(cpu.fpu.sexp, 0);
        cpu.fpu.init();
        cpu.mxcsr = 0x1F80;
        t.fillWindow();
        int vector = t.runUntil(TestCpu.CODE + code.length, 100_000);
        if (vector >= 0) return "F " + signal(vector);
        byte[] w = new byte[(int) TestCpu.WINDOW_SIZE];
        t.mem.readBytes(TestCpu.WINDOW, w, 0, w.length);
        StringBuilder mem = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            if (w[i] != TestCpu.pattern(i)) {
                mem.append(mem.isEmpty() ? "" : ",").append(Integer.toHexString(i)).append('=').append(Integer.toHexString(w[i] & 0xFF));
            }
        }
        String simd = VectorFile.simd(in, cpu.xmm, cpu.mxcsr, cpu.fpu.fcw, cpu.fpu.fsw, Fpu.abridgedTags(cpu.fpu.ftw));
        return VectorFile.output(c.mode(), in, cpu.r, simd, cpu.rflags(), DiffCase.COMPARED, mem.toString());
    }

    /** The signal Linux sends a process for an exception vector (arch/x86/kernel/traps.c). */
    static int signal(int vector) {
        return switch (vector) {
            case Interrupts.DE -> 8;         // SIGFPE
            case Interrupts.UD -> 4;         // SIGILL
            case 1, 3 -> 5;                  // SIGTRAP
            case 12, 17 -> 7;                // #SS, #AC: SIGBUS
            default -> 11;                   // #GP, #PF: SIGSEGV
        };
    }
}
