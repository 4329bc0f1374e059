package dev.vmm.cpu;

/**
 * Shifts and rotates (SDM SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD). The count is masked to 5 bits
 * (6 with a 64-bit operand); a masked count of 0 changes nothing, flags included. Rotates change only CF
 * and OF.
 *
 * <p>OF is defined only for a count of 1; for larger counts Intel processors report the OF of the first
 * one-bit step (ROL/RCL/SHL/SHLD: MSB xor the bit below it; ROR/SHRD: MSB xor the bit rotated in;
 * RCR: MSB xor CF in; SHR: the MSB; SAR: 0), which the host differential vectors confirm. A 16-bit
 * SHLD/SHRD with a count above 16 shifts the 48-bit string dst:src:dst, as Intel processors do.
 */
final class Shifts {
    private Shifts() { }

    /**
     * Set in the count when it came from an immediate: ROL/ROR by an immediate above 1 leave OF unchanged
     * on Intel processors, while by CL they report the first step's OF (host vectors show both).
     */
    static final int IMM_COUNT = 0x100;

    static long shift(Cpu c, int op, int size, long v, long rawCount) {
        int bits = size * 8;
        int count = (int) (rawCount & (size == 8 ? 63 : 31));
        if (count == 0) return v;
        v = Exec.mask(v, size);
        long sign = Flags.SIGN[Flags.lg(size)];
        long res;
        boolean cf, of;
        switch (op) {
            case 0 -> { // ROL
                int n = count % bits;
                res = Exec.mask((v << n) | (n == 0 ? 0 : v >>> (bits - n)), size);
                cf = (res & 1) != 0;
                of = (rawCount & IMM_COUNT) != 0 && count > 1 ? Flags.of(c) : ((v ^ (v << 1)) & sign) != 0;
                return rotateFlags(c, res, cf, of);
            }
            case 1 -> { // ROR
                int n = count % bits;
                res = Exec.mask((v >>> n) | (n == 0 ? 0 : v << (bits - n)), size);
                cf = (res & sign) != 0;
                of = (rawCount & IMM_COUNT) != 0 && count > 1 ? Flags.of(c) : ((v & sign) != 0) != ((v & 1) != 0);
                return rotateFlags(c, res, cf, of);
            }
            case 2 -> { // RCL: rotate through CF, over bits+1 positions
                int n = count % (bits + 1);
                res = v;
                cf = Flags.cf(c);
                for (int i = 0; i < n; i++) {
                    boolean out = (res & sign) != 0;
                    res = Exec.mask((res << 1) | (cf ? 1 : 0), size);
                    cf = out;
                }
                of = ((v ^ (v << 1)) & sign) != 0;
                return n == 0 ? v : rotateFlags(c, res, cf, of);
            }
            case 3 -> { // RCR
                int n = count % (bits + 1);
                res = v;
                cf = Flags.cf(c);
                of = ((res & sign) != 0) != cf;
                for (int i = 0; i < n; i++) {
                    boolean out = (res & 1) != 0;
                    res = (res >>> 1) | (cf ? sign : 0);
                    cf = out;
                }
                return n == 0 ? v : rotateFlags(c, res, cf, of);
            }
            case 4, 6 -> { // SHL/SAL
                res = count < 64 ? Exec.mask(v << count, size) : 0;
                cf = count <= bits && ((v >>> (bits - count)) & 1) != 0;
                of = ((v ^ (v << 1)) & sign) != 0;
            }
            case 5 -> { // SHR
                res = count < 64 ? v >>> count : 0;
                cf = ((v >>> (count - 1)) & 1) != 0;
                of = (v & sign) != 0;
            }
            default -> { // SAR
                long sv = Alu.sx(v, size);
                res = Exec.mask(sv >> Math.min(count, 63), size);
                cf = ((sv >> Math.min(count - 1, 63)) & 1) != 0;
                of = false;
            }
        }
        c.lfOp = Flags.AUX << 2 | Flags.lg(size);
        c.lfRes = res;
        c.lfAux = (cf ? Flags.CF : 0) | (of ? Flags.OF : 0);
        return res;
    }

    /** Rotates leave SF, ZF, AF and PF as they were. */
    private static long rotateFlags(Cpu c, long res, boolean cf, boolean of) {
        long f = c.rflags() & ~(Flags.CF | Flags.OF);
        if (cf) f |= Flags.CF;
        if (of) f |= Flags.OF;
        c.setRflags(f);
        return res;
    }

    static long shiftDouble(Cpu c, boolean left, int size, long dst, long src, int count) {
        int bits = size * 8;
        dst = Exec.mask(dst, size);
        src = Exec.mask(src, size);
        long sign = Flags.SIGN[Flags.lg(size)];
        long res;
        boolean cf, of;
        if (size == 2) {
            long wide = dst << 32 | src << 16 | dst; // dst:src:dst, so counts 17..31 stay defined as Intel does
            if (left) { res = (wide << count >>> 32) & 0xFFFF; cf = ((wide >>> (48 - count)) & 1) != 0; }
            else { res = (wide >>> count) & 0xFFFF; cf = ((wide >>> (count - 1)) & 1) != 0; }
        } else if (left) {
            res = Exec.mask((dst << count) | (src >>> (bits - count)), size);
            cf = ((dst >>> (bits - count)) & 1) != 0;
        } else {
            res = Exec.mask((dst >>> count) | (src << (bits - count)), size);
            cf = ((dst >>> (count - 1)) & 1) != 0;
        }
        if (left) of = ((dst ^ (dst << 1)) & sign) != 0;
        else of = ((dst & sign) != 0) != ((src & 1) != 0);
        c.lfOp = Flags.AUX << 2 | Flags.lg(size);
        c.lfRes = res;
        c.lfAux = (cf ? Flags.CF : 0) | (of ? Flags.OF : 0);
        return res;
    }
}
