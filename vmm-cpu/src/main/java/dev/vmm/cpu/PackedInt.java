package dev.vmm.cpu;

/**
 * The SSE2 packed-integer operations on one 64-bit half of an XMM register (SDM vol. 1, 11.4.1): every
 * element-wise operation works on the two halves independently, so each is written once for a 64-bit
 * chunk of {@code 8 >> sizeLog} elements. Cross-half operations (unpacks, packs) take both halves.
 */
final class PackedInt {
    private PackedInt() { }

    /** {@code kind} (an {@link Sse} lane kind) on each element of a and b; b is the source operand. */
    static long chunk(int kind, int sizeLog, long a, long b) {
        switch (kind) {
            case Sse.AND: return a & b;
            case Sse.ANDN: return ~a & b;
            case Sse.OR: return a | b;
            case Sse.XOR: return a ^ b;
            case Sse.MULUDQ: return (a & 0xFFFF_FFFFL) * (b & 0xFFFF_FFFFL);
            case Sse.SADBW: {
                long sum = 0;
                for (int i = 0; i < 64; i += 8) sum += Math.abs((int) (a >>> i & 0xFF) - (int) (b >>> i & 0xFF));
                return sum;
            }
            case Sse.MADDWD: {
                long r = 0;
                for (int i = 0; i < 64; i += 32) {
                    int lo = (short) (a >>> i) * (short) (b >>> i), hi = (short) (a >>> i + 16) * (short) (b >>> i + 16);
                    r |= ((lo + hi) & 0xFFFF_FFFFL) << i; // wraps only for 0x8000 * 0x8000 twice, as the SDM says
                }
                return r;
            }
            default: break;
        }
        int bits = 8 << sizeLog;
        long m = bits == 64 ? -1L : (1L << bits) - 1;
        long r = 0;
        for (int i = 0; i < 64; i += bits) {
            long x = a >>> i & m, y = b >>> i & m;
            r |= (element(kind, bits, x, y) & m) << i;
        }
        return r;
    }

    private static long sx(long v, int bits) { return v << (64 - bits) >> (64 - bits); }

    private static long element(int kind, int bits, long x, long y) {
        long sm = (1L << (bits - 1)) - 1, um = bits == 64 ? -1L : (1L << bits) - 1;
        return switch (kind) {
            case Sse.ADD -> x + y;
            case Sse.SUB -> x - y;
            case Sse.ADDS -> Math.clamp(sx(x, bits) + sx(y, bits), -sm - 1, sm);
            case Sse.SUBS -> Math.clamp(sx(x, bits) - sx(y, bits), -sm - 1, sm);
            case Sse.ADDUS -> Math.min(x + y, um);
            case Sse.SUBUS -> Math.max(x - y, 0);
            case Sse.CMPEQ -> x == y ? -1 : 0;
            case Sse.CMPGT -> sx(x, bits) > sx(y, bits) ? -1 : 0;
            case Sse.MINU -> Math.min(x, y);
            case Sse.MAXU -> Math.max(x, y);
            case Sse.MINS -> Math.min(sx(x, bits), sx(y, bits));
            case Sse.MAXS -> Math.max(sx(x, bits), sx(y, bits));
            case Sse.AVG -> (x + y + 1) >>> 1;
            case Sse.MULL -> x * y;
            case Sse.MULH -> (sx(x, bits) * sx(y, bits)) >> bits;
            case Sse.MULHU -> (x * y) >>> bits;
            default -> throw new IllegalStateException("lane kind " + kind);
        };
    }

    /** Shifts every element by {@code count} (unsigned, taken whole: counts past the width clear or fill). */
    static long shift(int kind, int sizeLog, long a, long count) {
        int bits = 8 << sizeLog;
        if (Long.compareUnsigned(count, bits - 1) > 0) {
            if (kind != Sse.SRA) return 0;
            count = bits - 1;
        }
        int n = (int) count;
        long m = bits == 64 ? -1L : (1L << bits) - 1;
        long r = 0;
        for (int i = 0; i < 64; i += bits) {
            long x = a >>> i & m;
            long v = switch (kind) {
                case Sse.SRL -> x >>> n;
                case Sse.SLL -> x << n;
                default -> sx(x, bits) >> n;
            };
            r |= (v & m) << i;
        }
        return r;
    }

    /** Interleaves the elements of two 64-bit halves: a0 b0 a1 b1 ...; returns the low half, high half in {@code out[1]}. */
    static long interleave(int sizeLog, long a, long b, long[] out, int at) {
        int bits = 8 << sizeLog;
        if (bits == 64) { out[at] = a; out[at + 1] = b; return a; }
        long m = (1L << bits) - 1;
        long lo = 0, hi = 0;
        int n = 64 / bits;
        for (int i = 0; i < n; i++) {
            long x = a >>> (i * bits) & m, y = b >>> (i * bits) & m;
            int k = 2 * i; // element positions k (from a) and k + 1 (from b) of the 128-bit result
            if (k < n) lo |= x << (k * bits) | y << ((k + 1) * bits);
            else hi |= x << ((k - n) * bits) | y << ((k + 1 - n) * bits);
        }
        out[at] = lo;
        out[at + 1] = hi;
        return lo;
    }

    /** Packs the elements of a 64-bit half (elements of {@code 8 << sizeLog} bits) to half their width, saturating. */
    static long pack(int sizeLog, boolean unsigned, long v) {
        int bits = 8 << sizeLog, half = bits / 2;
        long m = (1L << bits) - 1, hm = (1L << half) - 1;
        long r = 0;
        for (int i = 0, j = 0; i < 64; i += bits, j += half) {
            long x = sx(v >>> i & m, bits);
            long s = unsigned ? Math.clamp(x, 0, hm) : Math.clamp(x, -(1L << (half - 1)), (1L << (half - 1)) - 1);
            r |= (s & hm) << j;
        }
        return r;
    }
}
