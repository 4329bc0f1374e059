package dev.vmm.cpu;

import dev.vmm.mmu.Access;

/**
 * SSE/SSE2 data movement and 128-bit integer instructions (SDM vol. 1, chapters 10-11; the opcodes are
 * in {@link SseTable}). XMM registers live in {@link Cpu#xmm} as two longs each, low quadword first.
 *
 * <p>Every instruction here except MOVNTI first applies the SDM's "SIMD instructions" checks (vol. 3,
 * 2.5 and 13.1): #UD when CR0.EM is set or CR4.OSFXSR is clear, then #NM when CR0.TS is set (the lazy
 * FPU-switch trap). A 128-bit memory operand of a legacy-SSE instruction must be 16-byte aligned
 * (#GP(0)), except for the explicitly unaligned moves (MOVUPS/MOVUPD/MOVDQU).
 */
final class Sse {
    private Sse() { }

    // Insn.sub values below LANE: one id per instruction kind
    static final int MOVU_LOAD = 0, MOVA_LOAD = 1, MOVU_STORE = 2, MOVA_STORE = 3;
    static final int MOVSS_LOAD = 4, MOVSS_STORE = 5, MOVSD_LOAD = 6, MOVSD_STORE = 7;
    static final int MOVLPS_LOAD = 8, MOVLPS_STORE = 9, MOVHPS_LOAD = 10, MOVHPS_STORE = 11;
    static final int MOVD_LOAD = 12, MOVD_STORE = 13, MOVQ_LOAD = 14, MOVQ_STORE = 15;
    static final int MOVMSKPS = 16, MOVMSKPD = 17, PMOVMSKB = 18, MOVNTI = 19;
    static final int PSHUFD = 20, PSHUFHW = 21, PSHUFLW = 22, SHUFPS = 23, SHUFPD = 24;
    static final int LDMXCSR = 25, STMXCSR = 26, FXSAVE = 27, FXRSTOR = 28;
    /** SHIFT_IMM + sizeLog (1-3): groups 12-14, the shift in ModRM.reg. */
    static final int SHIFT_IMM = 40;
    /** LANE + kind * 4 + sizeLog: {@link PackedInt} operations with an XMM/m128 source. */
    static final int LANE = 64;
    // lane kinds
    static final int ADD = 0, SUB = 1, ADDS = 2, ADDUS = 3, SUBS = 4, SUBUS = 5, CMPEQ = 6, CMPGT = 7;
    static final int MINU = 8, MAXU = 9, MINS = 10, MAXS = 11, AVG = 12, MULL = 13, MULH = 14, MULHU = 15;
    static final int MULUDQ = 16, MADDWD = 17, SADBW = 18, AND = 19, ANDN = 20, OR = 21, XOR = 22;
    static final int SRL = 23, SRA = 24, SLL = 25, UNPCKL = 26, UNPCKH = 27, PACKSS = 28, PACKUS = 29;

    static int lane(int kind, int sizeLog) { return LANE + kind * 4 + sizeLog; }

    /** MXCSR bits that exist (MXCSR_MASK, as FXSAVE reports it); setting others raises #GP(0). */
    static final int MXCSR_MASK = 0xFFFF;
    /** Source-operand scratch slots in {@link Cpu#xmm}, after XMM15. */
    private static final int SRC = 32;

    static void execute(Cpu c, Insn d) {
        int s = d.sub;
        switch (s) {
            case MOVNTI -> { // a general-purpose store: no SIMD checks
                int size = d.osize == 8 ? 8 : 4;
                c.write(c.lin(d), size, c.reg(d.reg, size));
                return;
            }
            case FXSAVE, FXRSTOR -> {
                if ((c.cr0 & (SystemRegs.CR0_EM | SystemRegs.CR0_TS)) != 0) throw c.raise(Interrupts.NM, -1);
                long lin = c.lin(d);
                if ((lin & 15) != 0) throw c.gp(0);
                if (s == FXSAVE) Fpu.fxsave(c, lin, d.osize == 8); else Fpu.fxrstor(c, lin, d.osize == 8);
                return;
            }
            default -> { }
        }
        if (s >= SHIFT_IMM && s < LANE) {
            int g = d.reg & 7;
            boolean valid = g == 2 || g == 4 || g == 6 || (s == SHIFT_IMM + 3 && (g == 3 || g == 7));
            if (!valid || (s == SHIFT_IMM + 3 && g == 4)) throw c.ud(); // no PSRAQ before AVX-512
        }
        check(c);
        if (s >= LANE) { lane(c, d, (s - LANE) >>> 2, s & 3); return; }
        if (s >= SHIFT_IMM) { shiftImm(c, d, s - SHIFT_IMM); return; }
        long[] x = c.xmm;
        int v = 2 * d.reg;
        switch (s) {
            case MOVU_LOAD, MOVA_LOAD -> {
                load128(c, d, s == MOVA_LOAD);
                x[v] = x[SRC];
                x[v + 1] = x[SRC + 1];
            }
            case MOVU_STORE, MOVA_STORE -> {
                if (d.mem) store128(c, d, x[v], x[v + 1], s == MOVA_STORE);
                else { x[2 * d.rm] = x[v]; x[2 * d.rm + 1] = x[v + 1]; }
            }
            case MOVSS_LOAD -> {
                if (d.mem) { x[v] = c.read(c.lin(d), 4); x[v + 1] = 0; }
                else x[v] = (x[v] & ~0xFFFF_FFFFL) | (x[2 * d.rm] & 0xFFFF_FFFFL);
            }
            case MOVSS_STORE -> {
                if (d.mem) c.write(c.lin(d), 4, x[v]);
                else x[2 * d.rm] = (x[2 * d.rm] & ~0xFFFF_FFFFL) | (x[v] & 0xFFFF_FFFFL);
            }
            case MOVSD_LOAD -> {
                if (d.mem) { x[v] = c.read(c.lin(d), 8); x[v + 1] = 0; }
                else x[v] = x[2 * d.rm];
            }
            case MOVSD_STORE -> {
                if (d.mem) c.write(c.lin(d), 8, x[v]);
                else x[2 * d.rm] = x[v];
            }
            case MOVLPS_LOAD -> x[v] = d.mem ? c.read(c.lin(d), 8) : x[2 * d.rm + 1];      // register form: MOVHLPS
            case MOVHPS_LOAD -> x[v + 1] = d.mem ? c.read(c.lin(d), 8) : x[2 * d.rm];      // register form: MOVLHPS
            case MOVLPS_STORE -> c.write(c.lin(d), 8, x[v]);
            case MOVHPS_STORE -> c.write(c.lin(d), 8, x[v + 1]);
            case MOVD_LOAD -> {
                int size = d.osize == 8 ? 8 : 4;
                x[v] = d.mem ? c.read(c.lin(d), size) : c.reg(d.rm, size);
                x[v + 1] = 0;
            }
            case MOVD_STORE -> {
                int size = d.osize == 8 ? 8 : 4;
                if (d.mem) c.write(c.lin(d), size, x[v]); else c.setReg(d.rm, size, x[v]);
            }
            case MOVQ_LOAD -> {
                x[v] = d.mem ? c.read(c.lin(d), 8) : x[2 * d.rm];
                x[v + 1] = 0;
            }
            case MOVQ_STORE -> {
                if (d.mem) c.write(c.lin(d), 8, x[v]);
                else { x[2 * d.rm] = x[v]; x[2 * d.rm + 1] = 0; }
            }
            case MOVMSKPS -> c.setReg(d.reg, d.osize == 8 ? 8 : 4, signs(x[2 * d.rm], 2) | signs(x[2 * d.rm + 1], 2) << 2);
            case MOVMSKPD -> c.setReg(d.reg, d.osize == 8 ? 8 : 4, (x[2 * d.rm] >>> 63) | (x[2 * d.rm + 1] >>> 63) << 1);
            case PMOVMSKB -> c.setReg(d.reg, d.osize == 8 ? 8 : 4, signs(x[2 * d.rm], 0) | signs(x[2 * d.rm + 1], 0) << 8);
            case PSHUFD, SHUFPS -> {
                load128(c, d, true);
                int imm = (int) d.imm;
                long a = s == PSHUFD ? x[SRC] : x[v], b = s == PSHUFD ? x[SRC + 1] : x[v + 1];
                long lo = dword(a, b, imm & 3) | dword(a, b, imm >>> 2 & 3) << 32;
                long hi = dword(x[SRC], x[SRC + 1], imm >>> 4 & 3) | dword(x[SRC], x[SRC + 1], imm >>> 6 & 3) << 32;
                x[v] = lo;
                x[v + 1] = hi;
            }
            case PSHUFHW -> {
                load128(c, d, true);
                x[v] = x[SRC];
                x[v + 1] = shuffleWords(x[SRC + 1], (int) d.imm);
            }
            case PSHUFLW -> {
                load128(c, d, true);
                x[v] = shuffleWords(x[SRC], (int) d.imm);
                x[v + 1] = x[SRC + 1];
            }
            case SHUFPD -> {
                load128(c, d, true);
                long lo = (d.imm & 1) != 0 ? x[v + 1] : x[v];
                x[v + 1] = (d.imm & 2) != 0 ? x[SRC + 1] : x[SRC];
                x[v] = lo;
            }
            case LDMXCSR -> {
                long m = c.read(c.lin(d), 4);
                if ((m & ~MXCSR_MASK) != 0) throw c.gp(0);
                c.mxcsr = (int) m;
            }
            case STMXCSR -> c.write(c.lin(d), 4, c.mxcsr & 0xFFFF_FFFFL);
            default -> throw c.ud();
        }
    }

    /** #UD without OSFXSR or with EM; #NM with TS (SDM vol. 3, table 2-2 and 13.1.1). */
    static void check(Cpu c) {
        if ((c.cr0 & SystemRegs.CR0_EM) != 0 || (c.cr4 & SystemRegs.CR4_OSFXSR) == 0) throw c.ud();
        if ((c.cr0 & SystemRegs.CR0_TS) != 0) throw c.raise(Interrupts.NM, -1);
    }

    private static void lane(Cpu c, Insn d, int kind, int sizeLog) {
        load128(c, d, true);
        long[] x = c.xmm;
        int v = 2 * d.reg;
        long a = x[v], b = x[v + 1];
        switch (kind) {
            case SRL, SRA, SLL -> {
                x[v] = PackedInt.shift(kind, sizeLog, a, x[SRC]);
                x[v + 1] = PackedInt.shift(kind, sizeLog, b, x[SRC]);
            }
            case UNPCKL -> PackedInt.interleave(sizeLog, a, x[SRC], x, v);
            case UNPCKH -> PackedInt.interleave(sizeLog, b, x[SRC + 1], x, v);
            case PACKSS, PACKUS -> {
                boolean u = kind == PACKUS;
                int sh = 32;
                x[v] = PackedInt.pack(sizeLog, u, a) | PackedInt.pack(sizeLog, u, b) << sh;
                x[v + 1] = PackedInt.pack(sizeLog, u, x[SRC]) | PackedInt.pack(sizeLog, u, x[SRC + 1]) << sh;
            }
            default -> {
                x[v] = PackedInt.chunk(kind, sizeLog, a, x[SRC]);
                x[v + 1] = PackedInt.chunk(kind, sizeLog, b, x[SRC + 1]);
            }
        }
    }

    /** Groups 12-14 (66 0F 71/72/73 /r ib): PSRL, PSRA, PSLL by an immediate, PSRLDQ/PSLLDQ by bytes. */
    private static void shiftImm(Cpu c, Insn d, int sizeLog) {
        long[] x = c.xmm;
        int v = 2 * d.rm, g = d.reg & 7;
        long count = d.imm & 0xFF;
        if (g == 3 || g == 7) {
            int n = (int) Math.min(count, 16) * 8;
            long lo = x[v], hi = x[v + 1];
            if (g == 3) { x[v] = shr128lo(lo, hi, n); x[v + 1] = n >= 64 ? 0 : hi >>> n; }
            else { x[v + 1] = shl128hi(lo, hi, n); x[v] = n >= 64 ? 0 : lo << n; }
            return;
        }
        int kind = g == 2 ? SRL : g == 4 ? SRA : SLL;
        x[v] = PackedInt.shift(kind, sizeLog, x[v], count);
        x[v + 1] = PackedInt.shift(kind, sizeLog, x[v + 1], count);
    }

    private static long shr128lo(long lo, long hi, int n) {
        if (n == 0) return lo;
        if (n >= 128) return 0;
        if (n >= 64) return hi >>> (n - 64);
        return lo >>> n | hi << (64 - n);
    }

    private static long shl128hi(long lo, long hi, int n) {
        if (n == 0) return hi;
        if (n >= 128) return 0;
        if (n >= 64) return lo << (n - 64);
        return hi << n | lo >>> (64 - n);
    }

    private static long dword(long lo, long hi, int i) {
        long q = i < 2 ? lo : hi;
        return (i & 1) == 0 ? q & 0xFFFF_FFFFL : q >>> 32;
    }

    private static long shuffleWords(long q, int imm) {
        long r = 0;
        for (int i = 0; i < 4; i++) r |= (q >>> ((imm >>> (2 * i) & 3) * 16) & 0xFFFF) << (16 * i);
        return r;
    }

    /** The sign bits of the elements of a 64-bit half (bytes for sizeLog 0, dwords for 2), packed. */
    private static long signs(long q, int sizeLog) {
        int bits = 8 << sizeLog;
        long r = 0;
        for (int i = 0, k = 0; i < 64; i += bits, k++) r |= (q >>> (i + bits - 1) & 1) << k;
        return r;
    }

    /** Reads the XMM/m128 source operand into the scratch slots (aligned: #GP(0) unless 16-byte aligned). */
    private static void load128(Cpu c, Insn d, boolean aligned) {
        long[] x = c.xmm;
        if (!d.mem) {
            x[SRC] = x[2 * d.rm];
            x[SRC + 1] = x[2 * d.rm + 1];
            return;
        }
        long lin = c.lin(d);
        if (aligned && (lin & 15) != 0) throw c.gp(0);
        long lo = c.read(lin, 8);
        x[SRC + 1] = c.read(c.linear(d.seg, c.ea(d) + 8), 8);
        x[SRC] = lo;
    }

    /** Writes 16 bytes; both pages are checked before either is written, so a fault leaves memory unchanged. */
    private static void store128(Cpu c, Insn d, long lo, long hi, boolean aligned) {
        long lin = c.lin(d);
        if (aligned && (lin & 15) != 0) throw c.gp(0);
        long lin2 = c.linear(d.seg, c.ea(d) + 8);
        if ((lin & 0xFFF) > 0xFF0) { c.translate(lin, Access.WRITE); c.translate(c.linear(d.seg, c.ea(d) + 15), Access.WRITE); }
        c.write(lin, 8, lo);
        c.write(lin2, 8, hi);
    }
}
