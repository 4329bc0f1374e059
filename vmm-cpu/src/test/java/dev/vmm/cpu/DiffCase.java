package dev.vmm.cpu;

import java.util.List;

/**
 * One differential test case: an instruction sequence (GNU as, AT&T syntax; ';' separates
 * instructions) run from chosen register and flag inputs on the host CPU and in the interpreter.
 *
 * @param name   unique id, also the label in the generated assembly
 * @param mode   64 (long mode) or 32 (compatibility mode on the host, flat protected mode here)
 * @param asm    the sequence
 * @param width  operand width in bits, for choosing edge operands (0, 1, -1, sign boundaries)
 * @param regs   registers (0-15, SDM numbering; {@link #XMM0}+n for XMMn) that get generated inputs;
 *               the others keep {@link #defaultReg} / {@link #defaultXmm}
 * @param inputs how the inputs are chosen
 * @param undef  RFLAGS bits the SDM leaves undefined for this case: compared only against vectors
 *               recorded on an Intel processor, whose behaviour the interpreter reproduces
 */
record DiffCase(String name, int mode, String asm, int width, int[] regs, Inputs inputs, int undef) {

    enum Inputs {
        /** Edge and random values of the operand width, upper bits random. */
        VALUES,
        /** As VALUES, but RCX is a shift/rotate count: every count 0..2*width+1 and a few larger. */
        COUNT,
        /** Dividends that mostly fit the quotient (RDX small or the sign of RAX), and some that fault. */
        DIVIDE,
        /** RCX is a bit offset in -300..1300 (bit strings in memory). */
        BIT_OFFSET,
        /** AL/AX cover packed and unpacked BCD digits and their invalid neighbours. */
        BCD
    }

    static final int CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800, DF = 0x400;
    static final int ARITH = CF | PF | AF | ZF | SF | OF;
    /** Flags compared: the arithmetic flags and DF. */
    static final int COMPARED = ARITH | DF;

    static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
    /** Register number of XMM0 in {@link #regs}; XMMn is XMM0 + n. */
    static final int XMM0 = 32;
    /**
     * An input vector: RAX..R15 at 0-15, RFLAGS at 16, then XMMn's low and high quadwords at
     * {@link #xmmAt}(n) and the next index.
     */
    static final int IN_LENGTH = 17 + 32;

    static int xmmAt(int n) { return 17 + 2 * n; }

    /** XMM registers not given inputs: distinct fixed values, so that a move of the wrong register shows. */
    static long defaultXmm(int n, int half) {
        return Long.rotateLeft(0x0123_4567_89AB_CDEFL, 8 * n + 4 * half) ^ (0x0101_0101L * (n + 1)) ^ (half == 0 ? 0 : -1L);
    }

    /** Fresh inputs holding every register's default. */
    static long[] defaults() {
        long[] in = new long[IN_LENGTH];
        for (int r = 0; r < 16; r++) in[r] = defaultReg(r);
        for (int x = 0; x < 16; x++) { in[xmmAt(x)] = defaultXmm(x, 0); in[xmmAt(x) + 1] = defaultXmm(x, 1); }
        return in;
    }

    /** Registers not given inputs: distinct fixed values; RSP, RSI and RDI point into the window. */
    static long defaultReg(int r) {
        return switch (r) {
            case RSP -> TestCpu.STACK_TOP;
            case RSI -> TestCpu.WINDOW + 0x200;
            case RDI -> TestCpu.WINDOW + 0x100;
            default -> Long.rotateLeft(0x0F1E_2D3C_4B5A_6978L, 8 * r) ^ (0x1111L * r);
        };
    }

    private static final List<String> R64 = List.of("rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15");
    private static final List<String> R8 = List.of("al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil");
    private static final List<String> R16 = List.of("ax", "cx", "dx", "bx", "sp", "bp", "si", "di");

    /** AT&T register name of register {@code r} at {@code bits} (8-bit 16-19 name AH, CH, DH, BH). */
    static String reg(int r, int bits) {
        if (bits == 8 && r >= 16) return "%" + "acdb".charAt(r - 16) + "h";
        return "%" + switch (bits) {
            case 8 -> r < 8 ? R8.get(r) : "r" + r + "b";
            case 16 -> r < 8 ? R16.get(r) : "r" + r + "w";
            case 32 -> r < 8 ? "e" + R16.get(r) : "r" + r + "d";
            default -> R64.get(r);
        };
    }

    /** AT&T operand-size suffix. */
    static String sfx(int bits) {
        return switch (bits) { case 8 -> "b"; case 16 -> "w"; case 32 -> "l"; default -> "q"; };
    }
}
