package dev.vmm.cpu;

/**
 * RFLAGS bits (SDM vol. 1, 3.4.3) and lazy evaluation of the six arithmetic flags.
 *
 * <p>An arithmetic instruction records only what it did ({@code lfOp} = kind << 2 | log2(size)) with
 * its operands and result; CF, PF, AF, ZF, SF and OF are computed when something reads them (Jcc, SETcc,
 * PUSHF, ADC). Kinds whose CF/OF do not follow from operands and result (shifts, multiplies, an explicit
 * load of RFLAGS) carry the flags in {@code lfAux} in their RFLAGS bit positions.
 */
public final class Flags {
    private Flags() { }

    public static final int CF = 1, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8, IF = 1 << 9;
    public static final int DF = 1 << 10, OF = 1 << 11, IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16, VM = 1 << 17;
    public static final int AC = 1 << 18, VIF = 1 << 19, VIP = 1 << 20, ID = 1 << 21;
    public static final int ARITH = CF | PF | AF | ZF | SF | OF;

    // lazy kinds
    public static final int EAGER = 0, ADD = 1, ADC = 2, SUB = 3, SBB = 4, LOGIC = 5, INC = 6, DEC = 7;
    public static final int AUX = 8; // CF, OF, AF from lfAux; ZF, SF, PF from the result (shifts, MUL)

    static final long[] MASK = {0xFFL, 0xFFFFL, 0xFFFF_FFFFL, -1L};
    static final long[] SIGN = {0x80L, 0x8000L, 0x8000_0000L, 0x8000_0000_0000_0000L};

    /** log2 of an operand size in bytes: 1->0, 2->1, 4->2, 8->3. */
    public static int lg(int size) { return size == 8 ? 3 : size >>> 1; }

    static boolean cf(Cpu c) {
        int w = c.lfOp & 3;
        long m = MASK[w];
        return switch (c.lfOp >>> 2) {
            case ADD -> Long.compareUnsigned(c.lfRes & m, c.lfA & m) < 0;
            case ADC -> (c.lfAux & 1) != 0 ? Long.compareUnsigned(c.lfRes & m, c.lfA & m) <= 0
                                            : Long.compareUnsigned(c.lfRes & m, c.lfA & m) < 0;
            case SUB -> Long.compareUnsigned(c.lfA & m, c.lfB & m) < 0;
            case SBB -> (c.lfAux & 1) != 0 ? Long.compareUnsigned(c.lfA & m, c.lfB & m) <= 0
                                            : Long.compareUnsigned(c.lfA & m, c.lfB & m) < 0;
            case LOGIC -> false;
            default -> (c.lfAux & CF) != 0; // EAGER, INC, DEC (CF kept), AUX
        };
    }

    static boolean of(Cpu c) {
        long s = SIGN[c.lfOp & 3];
        return switch (c.lfOp >>> 2) {
            case ADD, ADC, INC -> ((c.lfA ^ c.lfRes) & (c.lfB ^ c.lfRes) & s) != 0;
            case SUB, SBB, DEC -> ((c.lfA ^ c.lfB) & (c.lfA ^ c.lfRes) & s) != 0;
            case LOGIC -> false;
            default -> (c.lfAux & OF) != 0;
        };
    }

    static boolean af(Cpu c) {
        return switch (c.lfOp >>> 2) {
            case ADD, ADC, SUB, SBB, INC, DEC -> ((c.lfA ^ c.lfB ^ c.lfRes) & 0x10) != 0;
            case LOGIC -> false;
            default -> (c.lfAux & AF) != 0;
        };
    }

    static boolean zf(Cpu c) {
        if (c.lfOp == EAGER) return (c.lfAux & ZF) != 0;
        return (c.lfRes & MASK[c.lfOp & 3]) == 0;
    }

    static boolean sf(Cpu c) {
        if (c.lfOp == EAGER) return (c.lfAux & SF) != 0;
        return (c.lfRes & SIGN[c.lfOp & 3]) != 0;
    }

    static boolean pf(Cpu c) {
        if (c.lfOp == EAGER) return (c.lfAux & PF) != 0;
        return (Integer.bitCount((int) c.lfRes & 0xFF) & 1) == 0;
    }

    /** The six arithmetic flags in their RFLAGS positions. */
    static long arith(Cpu c) {
        if (c.lfOp == EAGER) return c.lfAux & ARITH;
        long f = 0;
        if (cf(c)) f |= CF;
        if (pf(c)) f |= PF;
        if (af(c)) f |= AF;
        if (zf(c)) f |= ZF;
        if (sf(c)) f |= SF;
        if (of(c)) f |= OF;
        return f;
    }

    /** Evaluates condition code {@code cc} (the low nibble of Jcc/SETcc/CMOVcc, SDM appendix B.1). */
    static boolean cond(Cpu c, int cc) {
        // JZ/JNZ after anything lazy (ZF comes from the result): the commonest branch, kept small to inline.
        if ((cc >>> 1) == 2 && c.lfOp != EAGER) return ((c.lfRes & MASK[c.lfOp & 3]) == 0) != ((cc & 1) != 0);
        return condGeneral(c, cc);
    }

    private static boolean condGeneral(Cpu c, int cc) {
        boolean r;
        if (c.lfOp >>> 2 == SUB) { // CMP/SUB: compare the operands directly
            int w = c.lfOp & 3;
            long m = MASK[w];
            int sh = 64 - (8 << w);
            long a = c.lfA, b = c.lfB;
            r = switch (cc >>> 1) {
                case 1 -> Long.compareUnsigned(a & m, b & m) < 0;
                case 2 -> ((a ^ b) & m) == 0;
                case 3 -> Long.compareUnsigned(a & m, b & m) <= 0;
                case 6 -> (a << sh) < (b << sh);
                case 7 -> (a << sh) <= (b << sh);
                default -> slowCond(c, cc >>> 1);
            };
        } else {
            r = slowCond(c, cc >>> 1);
        }
        return r ^ ((cc & 1) != 0);
    }

    private static boolean slowCond(Cpu c, int half) {
        return switch (half) {
            case 0 -> of(c);
            case 1 -> cf(c);
            case 2 -> zf(c);
            case 3 -> cf(c) || zf(c);
            case 4 -> sf(c);
            case 5 -> pf(c);
            case 6 -> sf(c) != of(c);
            default -> zf(c) || sf(c) != of(c);
        };
    }
}
