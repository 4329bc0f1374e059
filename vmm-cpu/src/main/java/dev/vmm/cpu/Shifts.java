package dev.vmm.cpu;

/**
 * Shifts and rotates (SDM SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD). The count is masked to 5 bits
 * (6 with a 64-bit operand); a masked count of 0 changes nothing, flags included. Rotates change only CF
 * and OF. OF is defined for a count of 1; for larger counts this computes it with the same formula, which
 * is what Intel processors do for ROL/ROR/SHL (differential tests will pin the rest down).
 */
final class Shifts {
    private Shifts() { }

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
                of = ((res & sign) != 0) != cf;
                return rotateFlags(c, res, cf, of);
            }
            case 1 -> { // ROR
                int n = count % bits;
                res = Exec.mask((v >>> n) | (n == 0 ? 0 : v << (bits - n)), size);
                cf = (res & sign) != 0;
                of = ((res & sign) != 0) != ((res & (sign >>> 1)) != 0);
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
                of = ((res & sign) != 0) != cf;
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
                of = ((res & sign) != 0) != cf;
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
        boolean cf;
        if (left) {
            // For 16-bit operands a count above 16 shifts bits of src back in (undefined per SDM; Intel does this).
            long wide = size == 8 ? 0 : (dst << bits) | src;
            if (size == 8) { res = (dst << count) | (src >>> (64 - count)); cf = ((dst >>> (64 - count)) & 1) != 0; }
            else {
                long r = count <= bits ? wide << count : (src << (count - bits)) | (dst << count);
                res = Exec.mask(r >>> bits, size);
                cf = ((wide >>> (2 * bits - count)) & 1) != 0;
            }
        } else {
            if (size == 8) { res = (dst >>> count) | (src << (64 - count)); cf = ((dst >>> (count - 1)) & 1) != 0; }
            else {
                long wide = (src << bits) | dst;
                res = Exec.mask(wide >>> count, size);
                cf = ((wide >>> (count - 1)) & 1) != 0;
            }
        }
        boolean of = ((res ^ dst) & sign) != 0;
        c.lfOp = Flags.AUX << 2 | Flags.lg(size);
        c.lfRes = res;
        c.lfAux = (cf ? Flags.CF : 0) | (of ? Flags.OF : 0);
        return res;
    }
}
