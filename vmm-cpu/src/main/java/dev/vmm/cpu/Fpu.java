package dev.vmm.cpu;

import dev.vmm.mmu.Access;

/**
 * x87 FPU state and the part of the x87 instruction set that system code and compiler runtimes use
 * to manage it (SDM vol. 1, chapter 8): FNINIT, FNCLEX, FLDCW/FNSTCW, FNSTSW, FLDENV/FNSTENV, FNOP,
 * FWAIT; and FXSAVE/FXRSTOR of the whole x87+SSE state (vol. 1, 10.5.1). No floating-point arithmetic:
 * the other ESC opcodes raise #UD, and CPUID does not claim an FPU.
 *
 * <p>ESC instructions (D8-DF) raise #NM when CR0.EM or CR0.TS is set; WAIT raises #NM when CR0.MP and
 * CR0.TS are both set (vol. 3, table 2-2).
 */
public final class Fpu {
    /** Control, status and tag word (two bits per physical register: 00 valid, 01 zero, 10 special, 11 empty). */
    public int fcw = 0x40, fsw, ftw = 0x5555;
    /**
     * Last instruction opcode (11 bits), instruction and data pointers and their selectors. FCS and FDS
     * are deprecated (CPUID.7.EBX[13]) and always stored as 0, as current Intel processors do.
     */
    public int fop, fcs, fds;
    public long fip, fdp;
    /** Physical registers R0-R7 as 80-bit values: 64-bit significand and sign+exponent. ST(i) is R[(TOP+i) & 7]. */
    public final long[] mant = new long[8];
    public final int[] sexp = new int[8];

    /** The state FNINIT leaves (SDM FINIT): registers untouched, all tagged empty. */
    void init() {
        fcw = 0x37F;
        fsw = 0;
        ftw = 0xFFFF;
        fop = 0;
        fip = fdp = 0;
        fcs = fds = 0;
    }

    /** Power-on state (SDM vol. 3, table 9-1): FCW 0040H, tags 5555H, registers zero. */
    void reset() {
        fcw = 0x40;
        fsw = 0;
        ftw = 0x5555;
        fop = fcs = fds = 0;
        fip = fdp = 0;
        java.util.Arrays.fill(mant, 0);
        java.util.Arrays.fill(sexp, 0);
    }

    /**
     * Loads the control word: bits 7 and 13-15 are reserved and read as 0, bit 6 reads as 1 (as the
     * host CPU shows); the status word's ES and B then say whether an unmasked exception is pending.
     */
    void setFcw(int v) {
        fcw = (v & 0x1F7F) | 0x40;
        updateSummary();
    }

    /** FSW.ES (bit 7) and B (bit 15): set exactly when an exception flag is set whose mask bit is clear. */
    void updateSummary() {
        if ((fsw & 0x3F & ~fcw) != 0) fsw |= 0x8080; else fsw &= ~0x8080;
    }

    /** The tag word from empty/non-empty per register, with non-empty tags computed from the contents. */
    void retag(int nonEmpty) {
        int tw = 0;
        for (int r = 0; r < 8; r++) tw |= ((nonEmpty >>> r & 1) == 0 ? 3 : tagOf(mant[r], sexp[r])) << (2 * r);
        ftw = tw;
    }

    /** Insn.sub: the ESC opcode's low three bits (D8-DF); {@link #WAIT} for 9B. */
    static final int WAIT = 8;

    static void execute(Cpu c, Insn d) {
        Fpu f = c.fpu;
        if (d.sub == WAIT) {
            if ((c.cr0 & (SystemRegs.CR0_MP | SystemRegs.CR0_TS)) == (SystemRegs.CR0_MP | SystemRegs.CR0_TS)) {
                throw c.raise(Interrupts.NM, -1);
            }
            return;
        }
        if ((c.cr0 & (SystemRegs.CR0_EM | SystemRegs.CR0_TS)) != 0) throw c.raise(Interrupts.NM, -1);
        int esc = d.sub, reg = d.reg & 7;
        if (d.mem) {
            switch (esc << 3 | reg) {
                case 1 << 3 | 5 -> f.setFcw((int) c.read(c.lin(d), 2));          // FLDCW
                case 1 << 3 | 7 -> c.write(c.lin(d), 2, f.fcw);                   // FNSTCW
                case 5 << 3 | 7 -> c.write(c.lin(d), 2, f.fsw);                   // FNSTSW m16
                case 1 << 3 | 6 -> storeEnv(c, d);                                 // FNSTENV
                case 1 << 3 | 4 -> loadEnv(c, d);                                  // FLDENV
                default -> throw c.ud();
            }
            return;
        }
        int rm = d.rm & 7;
        switch (esc << 6 | reg << 3 | rm) {
            case 3 << 6 | 4 << 3 | 3 -> f.init();                                 // DB E3 FNINIT
            case 3 << 6 | 4 << 3 | 2 -> f.fsw &= 0x7F00;                          // DB E2 FNCLEX
            case 7 << 6 | 4 << 3 -> c.setReg(0, 2, f.fsw);                       // DF E0 FNSTSW AX
            case 1 << 6 | 2 << 3 -> { }                                           // D9 D0 FNOP
            default -> throw c.ud();
        }
    }

    /** FNSTENV: the 28-byte (32-bit operand size) or 14-byte (16-bit) protected-mode environment; then masks all exceptions. */
    private static void storeEnv(Cpu c, Insn d) {
        Fpu f = c.fpu;
        long lin = c.lin(d);
        boolean wide = d.osize != 2;
        int n = wide ? 4 : 2;
        c.translate(lin, Access.WRITE);
        c.translate(c.linear(d.seg, c.ea(d) + 7 * n - 1), Access.WRITE);
        envWrite(c, d, 0, n, f.fcw | 0xFFFF_0000L);
        envWrite(c, d, 1, n, f.fsw | 0xFFFF_0000L);
        envWrite(c, d, 2, n, f.ftw | 0xFFFF_0000L);
        envWrite(c, d, 3, n, f.fip);
        envWrite(c, d, 4, n, f.fcs | (long) f.fop << 16);
        envWrite(c, d, 5, n, f.fdp);
        envWrite(c, d, 6, n, f.fds | 0xFFFF_0000L);
        f.fcw |= 0x3F;
    }

    private static void loadEnv(Cpu c, Insn d) {
        Fpu f = c.fpu;
        int n = d.osize != 2 ? 4 : 2;
        int cw = (int) envRead(c, d, 0, n), sw = (int) envRead(c, d, 1, n), tw = (int) envRead(c, d, 2, n);
        f.fip = envRead(c, d, 3, n);
        long sel = envRead(c, d, 4, n);
        f.fop = n == 4 ? (int) (sel >>> 16) & 0x7FF : 0;
        f.fdp = envRead(c, d, 5, n);
        f.fsw = sw & 0xFFFF;
        f.setFcw(cw);
        f.retag(abridgedTags(tw));
    }

    private static void envWrite(Cpu c, Insn d, int i, int n, long v) { c.write(c.linear(d.seg, c.ea(d) + (long) i * n), n, v); }

    private static long envRead(Cpu c, Insn d, int i, int n) { return c.read(c.linear(d.seg, c.ea(d) + (long) i * n), n); }

    // ---- FXSAVE / FXRSTOR ----------------------------------------------------------------------

    /**
     * FXSAVE (SDM FXSAVE, table 10-2): the 512-byte image at a 16-byte-aligned address (checked by the
     * caller). FXSAVE64 (REX.W) stores 64-bit FIP/FDP instead of offset and selector. XMM8-15 only in
     * 64-bit mode; bytes 464-511 are left to software.
     */
    static void fxsave(Cpu c, long lin, boolean rexW) {
        Fpu f = c.fpu;
        c.translate(lin, Access.WRITE);
        c.translate(at(c, lin, 511), Access.WRITE);
        c.write(lin, 2, f.fcw);
        c.write(at(c, lin, 2), 2, f.fsw);
        c.write(at(c, lin, 4), 2, abridgedTags(f.ftw));
        c.write(at(c, lin, 6), 2, f.fop);
        if (rexW) {
            c.write(at(c, lin, 8), 8, f.fip);
            c.write(at(c, lin, 16), 8, f.fdp);
        } else {
            c.write(at(c, lin, 8), 4, f.fip);
            c.write(at(c, lin, 12), 4, f.fcs);
            c.write(at(c, lin, 16), 4, f.fdp);
            c.write(at(c, lin, 20), 4, f.fds);
        }
        c.write(at(c, lin, 24), 4, c.mxcsr & 0xFFFF_FFFFL);
        c.write(at(c, lin, 28), 4, MXCSR_MASK_SAVED);
        int top = f.fsw >>> 11 & 7;
        for (int i = 0; i < 8; i++) {
            int r = (top + i) & 7;
            c.write(at(c, lin, 32 + 16 * i), 8, f.mant[r]);
            c.write(at(c, lin, 40 + 16 * i), 8, f.sexp[r] & 0xFFFF);
        }
        int n = c.codeMode == 64 ? 16 : 8;
        for (int i = 0; i < n; i++) {
            c.write(at(c, lin, 160 + 16 * i), 8, c.xmm[2 * i]);
            c.write(at(c, lin, 168 + 16 * i), 8, c.xmm[2 * i + 1]);
        }
    }

    static final int MXCSR_MASK_SAVED = Sse.MXCSR_MASK;

    /** FXRSTOR: #GP(0) if the image's MXCSR sets reserved bits; tags are rebuilt from the abridged form and the registers. */
    static void fxrstor(Cpu c, long lin, boolean rexW) {
        Fpu f = c.fpu;
        long mx = c.read(at(c, lin, 24), 4);
        if ((mx & ~Sse.MXCSR_MASK) != 0) throw c.gp(0);
        c.read(at(c, lin, 511), 1); // the whole image must be readable before any state changes
        int cw = (int) c.read(lin, 2);
        f.fsw = (int) c.read(at(c, lin, 2), 2);
        int abridged = (int) c.read(at(c, lin, 4), 1);
        f.fop = (int) c.read(at(c, lin, 6), 2) & 0x7FF;
        if (rexW) {
            f.fip = c.read(at(c, lin, 8), 8);
            f.fdp = c.read(at(c, lin, 16), 8);
            f.fip &= 0x00FF_FFFF_FFFF_FFFFL; // the host keeps 56 bits of FIP
        } else {
            f.fip = c.read(at(c, lin, 8), 4);
            f.fdp = c.read(at(c, lin, 16), 4);
        }
        c.mxcsr = (int) mx;
        int top = f.fsw >>> 11 & 7;
        for (int i = 0; i < 8; i++) {
            int r = (top + i) & 7;
            f.mant[r] = c.read(at(c, lin, 32 + 16 * i), 8);
            f.sexp[r] = (int) c.read(at(c, lin, 40 + 16 * i), 2);
        }
        f.retag(abridged);
        f.setFcw(cw);
        int n = c.codeMode == 64 ? 16 : 8;
        for (int i = 0; i < n; i++) {
            c.xmm[2 * i] = c.read(at(c, lin, 160 + 16 * i), 8);
            c.xmm[2 * i + 1] = c.read(at(c, lin, 168 + 16 * i), 8);
        }
    }

    private static long at(Cpu c, long lin, int off) {
        long a = lin + off;
        return c.codeMode == 64 ? a : a & 0xFFFF_FFFFL;
    }

    /** One bit per physical register: 1 unless its tag is empty (11). */
    static int abridgedTags(int ftw) {
        int a = 0;
        for (int r = 0; r < 8; r++) if ((ftw >>> (2 * r) & 3) != 3) a |= 1 << r;
        return a;
    }

    /** The full tag of a non-empty register from its contents (SDM 8.1.7). */
    static int tagOf(long mant, int sexp) {
        int exp = sexp & 0x7FFF;
        if (exp == 0x7FFF) return 2;
        if (exp == 0) return mant == 0 ? 1 : 2;
        return mant < 0 ? 0 : 2; // integer bit clear: unnormal, special
    }
}
