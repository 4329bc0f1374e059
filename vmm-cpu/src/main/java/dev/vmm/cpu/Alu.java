package dev.vmm.cpu;

import java.math.BigInteger;

/**
 * Integer arithmetic and logic with their flags (SDM vol. 2 per instruction, vol. 1 appendix A):
 * the eight ALU operations, INC/DEC/NOT/NEG, shifts and rotates, multiply and divide, bit tests and
 * scans, and the exchange family, with LOCK done as a compare-and-set loop on guest RAM.
 */
final class Alu {
    private Alu() { }

    static final int K_ALU = 0, K_INC = 1, K_DEC = 2, K_NOT = 3, K_NEG = 4, K_SHIFT = 5, K_BTX = 6;
    private static final Object SPLIT_LOCK = new Object();

    /** ADD OR ADC SBB AND SUB XOR CMP on zero-extended operands; sets the lazy flags; returns the result. */
    static long alu(Cpu c, int op, int size, long a, long b) {
        int w = Flags.lg(size);
        long res;
        switch (op) {
            case 0 -> { res = a + b; lazy(c, Flags.ADD, w, a, b, res); }
            case 1 -> { res = a | b; logic(c, w, res); }
            case 2 -> {
                long cin = Flags.cf(c) ? 1 : 0;
                res = a + b + cin;
                lazy(c, Flags.ADC, w, a, b, res);
                c.lfAux = cin;
            }
            case 3 -> {
                long cin = Flags.cf(c) ? 1 : 0;
                res = a - b - cin;
                lazy(c, Flags.SBB, w, a, b, res);
                c.lfAux = cin;
            }
            case 4 -> { res = a & b; logic(c, w, res); }
            case 6 -> { res = a ^ b; logic(c, w, res); }
            default -> { res = a - b; lazy(c, Flags.SUB, w, a, b, res); } // SUB, CMP
        }
        return res;
    }

    static void lazy(Cpu c, int kind, int w, long a, long b, long res) {
        c.lfOp = kind << 2 | w;
        c.lfA = a;
        c.lfB = b;
        c.lfRes = res;
    }

    private static void logic(Cpu c, int w, long res) {
        c.lfOp = Flags.LOGIC << 2 | w;
        c.lfRes = res;
    }

    static void logicFlags(Cpu c, int size, long res) { logic(c, Flags.lg(size), res); }

    /** Computes a read-modify-write operation of kind {@code k} on {@code v}. */
    private static long compute(Cpu c, Insn d, int k, long v, long src) {
        int size = d.osize;
        return switch (k) {
            case K_ALU -> alu(c, d.sub, size, v, src);
            case K_INC -> { long cf = Flags.cf(c) ? Flags.CF : 0; long r = v + 1; lazy(c, Flags.INC, Flags.lg(size), v, 1, r); c.lfAux = cf; yield r; }
            case K_DEC -> { long cf = Flags.cf(c) ? Flags.CF : 0; long r = v - 1; lazy(c, Flags.DEC, Flags.lg(size), v, 1, r); c.lfAux = cf; yield r; }
            case K_NOT -> ~v;
            case K_NEG -> alu(c, 5, size, 0, v);
            case K_SHIFT -> Shifts.shift(c, d.sub, size, v, src);
            default -> btx(c, d.sub & 3, v, src);
        };
    }

    /** Read-modify-write of the r/m operand (register, memory, or LOCKed memory). */
    static void rmw(Cpu c, Insn d, int k, long src) {
        int size = d.osize;
        if (!d.mem) {
            long res = compute(c, d, k, c.reg(d.rm, size), src);
            if (k != K_ALU || d.sub != 7) c.setReg(d.rm, size, res);
            return;
        }
        long la = c.lin(d);
        if (k == K_ALU && d.sub == 7) { alu(c, 7, size, c.read(la, size), src); return; }
        long pa = c.rmwAddress(la, size);
        if (pa < 0) { // crosses a page: both pages were checked for writing
            synchronized (SPLIT_LOCK) { c.write(la, size, compute(c, d, k, c.read(la, size), src)); }
            return;
        }
        if (!d.lock) {
            c.mem.write(pa, size, compute(c, d, k, c.mem.read(pa, size), src));
            return;
        }
        while (true) {
            long old = c.mem.read(pa, size);
            long res = compute(c, d, k, old, src);
            if (c.mem.cmpxchg(pa, size, old, res) == old) return;
        }
    }

    static void xchg(Cpu c, Insn d) {
        int size = d.osize;
        long src = c.reg(d.reg, size);
        if (!d.mem) {
            c.setReg(d.reg, size, c.reg(d.rm, size));
            c.setReg(d.rm, size, src);
            return;
        }
        long la = c.lin(d);
        long pa = c.rmwAddress(la, size);
        long old;
        if (pa < 0) {
            synchronized (SPLIT_LOCK) { old = c.read(la, size); c.write(la, size, src); }
        } else {
            do { old = c.mem.read(pa, size); } while (c.mem.cmpxchg(pa, size, old, src) != old); // XCHG is always locked
        }
        c.setReg(d.reg, size, old);
    }

    static void xadd(Cpu c, Insn d) {
        int size = d.osize;
        long src = c.reg(d.reg, size);
        if (!d.mem) {
            long dst = c.reg(d.rm, size);
            long sum = alu(c, 0, size, dst, src);
            c.setReg(d.reg, size, dst);
            c.setReg(d.rm, size, sum);
            return;
        }
        long la = c.lin(d);
        long pa = c.rmwAddress(la, size);
        long old;
        if (pa < 0) {
            synchronized (SPLIT_LOCK) { old = c.read(la, size); c.write(la, size, alu(c, 0, size, old, src)); }
        } else {
            do { old = c.mem.read(pa, size); } while (c.mem.cmpxchg(pa, size, old, alu(c, 0, size, old, src)) != old);
        }
        c.setReg(d.reg, size, old);
    }

    static void cmpxchg(Cpu c, Insn d) {
        int size = d.osize;
        long acc = c.reg(0, size), src = c.reg(d.reg, size);
        long old;
        if (!d.mem) {
            old = c.reg(d.rm, size);
            if (old == acc) c.setReg(d.rm, size, src);
        } else {
            long la = c.lin(d);
            long pa = c.rmwAddress(la, size); // the destination is written whether or not they compare equal
            if (pa < 0) {
                synchronized (SPLIT_LOCK) { old = c.read(la, size); c.write(la, size, old == acc ? src : old); }
            } else {
                old = c.mem.cmpxchg(pa, size, acc, src);
            }
        }
        alu(c, 7, size, acc, old);
        if (old != acc) c.setReg(0, size, old);
    }

    /** CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W; the operand must be 16-byte aligned, else #GP(0)). */
    static void cmpxchg8b(Cpu c, Insn d) {
        if (d.osize == 8) { cmpxchg16b(c, d); return; }
        long la = c.lin(d);
        long expect = (c.r[0] & 0xFFFF_FFFFL) | (c.r[2] << 32);
        long update = (c.r[3] & 0xFFFF_FFFFL) | (c.r[1] << 32);
        long pa = c.rmwAddress(la, 8);
        long old;
        if (pa < 0) {
            synchronized (SPLIT_LOCK) { old = c.read(la, 8); c.write(la, 8, old == expect ? update : old); }
        } else {
            old = c.mem.cmpxchg(pa, 8, expect, update);
        }
        boolean eq = old == expect;
        if (!eq) { c.setReg(0, 4, old); c.setReg(2, 4, old >>> 32); }
        setZf(c, eq);
    }

    /**
     * Guest RAM offers no 16-byte compare-and-set, so CMPXCHG16B serialises on a host lock: atomic with
     * respect to other CMPXCHG16Bs and split-lock operations, not to plain 8-byte LOCKed accesses.
     */
    private static void cmpxchg16b(Cpu c, Insn d) {
        long la = c.lin(d);
        if ((la & 15) != 0) throw c.gp(0);
        long lo, hi;
        synchronized (SPLIT_LOCK) {
            c.rmwAddress(la, 16);
            lo = c.read(la, 8);
            hi = c.read(la + 8, 8);
            boolean eq = lo == c.r[0] && hi == c.r[2];
            c.write(la, 8, eq ? c.r[3] : lo);
            c.write(la + 8, 8, eq ? c.r[1] : hi);
        }
        boolean eq = lo == c.r[0] && hi == c.r[2];
        if (!eq) { c.r[0] = lo; c.r[2] = hi; }
        setZf(c, eq);
    }

    private static void setZf(Cpu c, boolean zf) {
        long f = c.rflags() & ~Flags.ZF;
        c.setRflags(zf ? f | Flags.ZF : f);
    }

    /** ADCX (sub 0) / ADOX (sub 1): unsigned add with carry through CF, or through OF; no other flag changes. */
    static void adx(Cpu c, Insn d, long src) {
        int size = d.osize;
        long flags = c.rflags(), bit = d.sub == 0 ? Flags.CF : Flags.OF;
        long a = c.reg(d.reg, size), b = Exec.mask(src, size), cin = (flags & bit) != 0 ? 1 : 0;
        long sum = a + b + cin;
        boolean carry = size == 8 ? Long.compareUnsigned(sum, a) < 0 || (cin == 1 && sum == a) : (sum >>> 32) != 0;
        c.setReg(d.reg, size, sum);
        c.setRflags(carry ? flags | bit : flags & ~bit);
    }

    // ---- multiply and divide ------------------------------------------------------------------

    static void mul(Cpu c, Insn d, long src) {
        int size = d.osize, w = Flags.lg(size);
        boolean signed = d.op == Op.IMUL1;
        long a = c.reg(0, size);
        long lo, hi;
        boolean over;
        switch (size) {
            case 1, 2, 4 -> {
                int bits = size * 8;
                long p = signed ? sx(a, size) * sx(src, size) : a * src;
                lo = Exec.mask(p, size);
                hi = Exec.mask(p >> bits, size);
                over = signed ? p != sx(lo, size) : hi != 0;
                if (size == 1) c.setReg(0, 2, p);
                else { c.setReg(0, size, lo); c.setReg(2, size, hi); }
            }
            default -> {
                lo = a * src;
                hi = signed ? Math.multiplyHigh(a, src) : Math.unsignedMultiplyHigh(a, src);
                over = signed ? hi != (lo >> 63) : hi != 0;
                c.r[0] = lo;
                c.r[2] = hi;
            }
        }
        mulFlags(c, w, lo, over);
    }

    /**
     * MUL/IMUL: CF = OF = the product did not fit; SF, ZF, AF and PF are undefined (SDM). Intel processors
     * set SF and PF from the low half, clear ZF and AF; so does this (host vectors confirm it).
     */
    private static void mulFlags(Cpu c, int w, long lo, boolean over) {
        long f = over ? Flags.CF | Flags.OF : 0;
        if ((lo & Flags.SIGN[w]) != 0) f |= Flags.SF;
        if ((Integer.bitCount((int) lo & 0xFF) & 1) == 0) f |= Flags.PF;
        c.lfOp = Flags.EAGER;
        c.lfAux = f;
    }

    static long imul2(Cpu c, int size, long a, long b) {
        long lo, r;
        boolean over;
        if (size == 8) {
            r = a * b;
            over = Math.multiplyHigh(a, b) != (r >> 63);
        } else {
            long p = sx(a, size) * sx(b, size);
            r = p;
            over = p != sx(p, size);
        }
        lo = Exec.mask(r, size);
        mulFlags(c, Flags.lg(size), lo, over);
        return lo;
    }

    static void div(Cpu c, Insn d, long src) {
        int size = d.osize;
        boolean signed = d.op == Op.IDIV;
        if (Exec.mask(src, size) == 0) throw c.raise(Interrupts.DE, -1);
        if (size == 8) { div64(c, signed, src); return; }
        int bits = size * 8;
        long dividend = size == 1 ? c.r[0] & 0xFFFF : (c.reg(2, size) << bits) | c.reg(0, size);
        long q, r;
        if (signed) {
            long n = size == 4 ? dividend : sx(dividend, size * 2);
            long s = sx(src, size);
            q = n / s;
            r = n % s;
            if (q != sx(q, size)) throw c.raise(Interrupts.DE, -1);
        } else {
            q = Long.divideUnsigned(dividend, src);
            r = Long.remainderUnsigned(dividend, src);
            if (Exec.mask(q, size) != q) throw c.raise(Interrupts.DE, -1);
        }
        if (size == 1) c.setReg(0, 2, (Exec.mask(r, 1) << 8) | Exec.mask(q, 1));
        else { c.setReg(0, size, q); c.setReg(2, size, r); }
    }

    private static void div64(Cpu c, boolean signed, long src) {
        long hi = c.r[2], lo = c.r[0];
        long q, r;
        if (!signed && hi == 0) {
            q = Long.divideUnsigned(lo, src);
            r = Long.remainderUnsigned(lo, src);
        } else if (signed && hi == (lo >> 63) && !(lo == Long.MIN_VALUE && src == -1)) {
            q = lo / src;
            r = lo % src;
        } else { // a 128-bit dividend: rare enough for BigInteger
            BigInteger n = new BigInteger(1, toBytes(hi, lo));
            if (signed && hi < 0) n = n.subtract(BigInteger.ONE.shiftLeft(128));
            BigInteger s = signed ? BigInteger.valueOf(src) : new BigInteger(1, toBytes(0, src));
            BigInteger[] qr = n.divideAndRemainder(s);
            boolean fits = signed ? qr[0].bitLength() <= 63 : qr[0].bitLength() <= 64;
            if (!fits) throw c.raise(Interrupts.DE, -1);
            q = qr[0].longValue();
            r = qr[1].longValue();
        }
        c.r[0] = q;
        c.r[2] = r;
    }

    private static byte[] toBytes(long hi, long lo) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) { b[i] = (byte) (hi >>> (56 - 8 * i)); b[8 + i] = (byte) (lo >>> (56 - 8 * i)); }
        return b;
    }

    static long sx(long v, int size) {
        return switch (size) {
            case 1 -> (byte) v;
            case 2 -> (short) v;
            case 4 -> (int) v;
            default -> v;
        };
    }

    // ---- bits ---------------------------------------------------------------------------------

    private static long btx(Cpu c, int op, long v, long bit) {
        boolean set = ((v >>> bit) & 1) != 0;
        long f = c.rflags() & ~Flags.CF;
        c.setRflags(set ? f | Flags.CF : f);
        return switch (op) {
            case 1 -> v | (1L << bit);
            case 2 -> v & ~(1L << bit);
            case 3 -> v ^ (1L << bit);
            default -> v;
        };
    }

    /** BT/BTS/BTR/BTC: with a register bit offset a memory operand is a bit string (SDM BT). */
    static void bt(Cpu c, Insn d) {
        int size = d.osize, bits = size * 8;
        boolean imm = (d.sub & 4) != 0;
        long off = imm ? d.imm : sx(c.reg(d.reg, size), size);
        int op = d.sub & 3;
        if (!d.mem || imm) {
            long bit = off & (bits - 1);
            if (op == 0) btx(c, 0, Exec.readRm(c, d), bit);
            else rmwBit(c, d, bit);
            return;
        }
        long la = c.linear(d.seg, Exec.mask(c.ea(d) + (Math.floorDiv(off, bits) * size), d.asize));
        long bit = Math.floorMod(off, bits);
        long v = c.read(la, size);
        long res = btx(c, op, v, bit);
        if (op != 0) c.write(la, size, res);
    }

    private static void rmwBit(Cpu c, Insn d, long bit) {
        int saved = d.sub;
        rmw(c, d, K_BTX, bit);
        d.sub = saved;
    }

    /**
     * BSF/BSR: ZF = source is zero, the destination then unchanged (upper half included); CF, OF, SF, AF
     * and PF are undefined: Intel processors clear them but set PF from the result (and for a zero
     * source), which this reproduces.
     */
    static void bitScan(Cpu c, Insn d, long v) {
        v = Exec.mask(v, d.osize);
        c.lfOp = Flags.EAGER;
        if (v == 0) { c.lfAux = Flags.ZF | Flags.PF; return; }
        int idx = d.op == Op.BSF ? Long.numberOfTrailingZeros(v) : 63 - Long.numberOfLeadingZeros(v);
        c.lfAux = (Integer.bitCount(idx) & 1) == 0 ? Flags.PF : 0;
        c.setReg(d.reg, d.osize, idx);
    }

    static void shiftDouble(Cpu c, Insn d) {
        int size = d.osize;
        long count = (d.sub == 1 ? c.r[1] : d.imm) & (size == 8 ? 63 : 31);
        long dst = Exec.readRm(c, d), src = c.reg(d.reg, size);
        if (count == 0) { // flags and memory untouched, but a 32-bit register is still written (zero-extended)
            if (!d.mem) c.setReg(d.rm, size, dst);
            return;
        }
        long res = Shifts.shiftDouble(c, d.op == Op.SHLD, size, dst, src, (int) count);
        Exec.writeRm(c, d, res);
    }
}
