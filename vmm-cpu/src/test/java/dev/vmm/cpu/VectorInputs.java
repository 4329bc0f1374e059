package dev.vmm.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Chooses the inputs of a {@link DiffCase}: edge operands of its width (0, 1, -1, the sign boundaries,
 * values that carry into every nibble) mixed with random ones, random garbage above the width (so that
 * partial-register merging and zero-extension are checked), and random arithmetic flags. Seeded by the
 * case name, so the same catalogue always yields the same inputs.
 *
 * <p>An input is a {@code long[DiffCase.IN_LENGTH]}: RAX..R15, RFLAGS, then XMM0-15.
 */
final class VectorInputs {
    private VectorInputs() { }

    static final int PER_CASE = 20;

    static List<long[]> of(DiffCase c) {
        SplittableRandom rnd = new SplittableRandom(c.name().hashCode() * 0x9E37_79B9_7F4A_7C15L);
        long m = c.width() == 64 ? -1L : (1L << c.width()) - 1, sign = 1L << (c.width() - 1);
        long[] edges = {0, 1, 2, m, m - 1, sign, sign - 1, sign + 1, 0x0F0F_0F0F_0F0F_0F0FL & m, 0x10,
            0x5555_5555_5555_5555L & m, 0xAAAA_AAAA_AAAA_AAAAL & m, 0x8000_0000L & m, 0xFFFF_FFFFL & m, 0x7F, 0x80};
        int n = switch (c.inputs()) {
            case COUNT -> 2 * c.width() + 6;
            case BCD -> 160;
            default -> PER_CASE;
        };
        List<long[]> out = new ArrayList<>(n);
        for (int v = 0; v < n; v++) {
            long[] in = DiffCase.defaults();
            for (int k = 0; k < c.regs().length; k++) {
                if (c.regs()[k] >= DiffCase.XMM0) { xmm(rnd, in, c.regs(), k, v); continue; }
                long val;
                if (v < edges.length && k == 0) val = edges[v];
                else if (v < edges.length && k > 0) val = edges[(v * 7 + 3 * k) % edges.length];
                else if (rnd.nextInt(3) == 0) val = edges[rnd.nextInt(edges.length)];
                else val = rnd.nextLong() >>> (rnd.nextInt(4) == 0 ? rnd.nextInt(64) : 0);
                in[c.regs()[k]] = (val & m) | (rnd.nextLong() & ~m);
            }
            switch (c.inputs()) {
                case COUNT -> in[DiffCase.RCX] = (rnd.nextLong() & ~0xFFL)
                    | (v <= 2 * c.width() + 1 ? v : new int[] {255, 64 + 3, 128 + 1, 96}[v - 2 * c.width() - 2]);
                case DIVIDE -> divide(rnd, in, c.width(), v);
                case BIT_OFFSET -> in[DiffCase.RCX] = v == 0 ? -300 : v == 1 ? 1299 : rnd.nextInt(-300, 1300);
                case BCD -> in[DiffCase.RAX] = (rnd.nextLong() & ~0xFFFFL) | (rnd.nextInt(256) << 8)
                    | (v < 64 ? (v * 3 + (v >> 4)) & 0xFF : v < 100 ? new int[] {0x09, 0x0A, 0x99, 0x9A, 0xF9, 0xFA}[v % 6] : rnd.nextInt(256));
                default -> { }
            }
            in[16] = (rnd.nextLong() & DiffCase.ARITH) | 2;
            out.add(in);
        }
        return out;
    }

    private static final long[] BYTE_EDGES = {0, 1, 0x7F, 0x80, 0xFF, 0xFE, 0x81, 0x01};

    /**
     * An XMM input: whole random quadwords, or elements built from edge bytes (so that saturation,
     * sign and carry cases come up at every element width); a second XMM input is often a near copy
     * of the first, so that compares find equal elements.
     */
    private static void xmm(SplittableRandom rnd, long[] in, int[] regs, int k, int v) {
        int at = DiffCase.xmmAt(regs[k] - DiffCase.XMM0);
        int first = -1;
        for (int j = 0; j < k; j++) if (regs[j] >= DiffCase.XMM0) { first = DiffCase.xmmAt(regs[j] - DiffCase.XMM0); break; }
        for (int h = 0; h < 2; h++) {
            long q;
            int style = v < 4 ? v : rnd.nextInt(4);
            if (style == 0) q = rnd.nextLong();
            else if (style == 1 && first >= 0) q = in[first + h] ^ (rnd.nextBoolean() ? 0 : 0xFFL << (8 * rnd.nextInt(8)));
            else {
                q = 0;
                for (int b = 0; b < 64; b += 8) q |= (rnd.nextInt(3) == 0 ? rnd.nextInt(256) : BYTE_EDGES[rnd.nextInt(BYTE_EDGES.length)]) << b;
                if (style == 3) q = Long.reverseBytes(q) ^ (rnd.nextInt(4) == 0 ? -1L : 0);
            }
            in[at + h] = q;
        }
    }

    /** Mostly dividends whose quotient fits (so results, not just #DE, get compared); 1 in 5 may fault. */
    private static void divide(SplittableRandom rnd, long[] in, int width, int v) {
        long m = width == 64 ? -1L : (1L << width) - 1;
        long divisor = in[DiffCase.RBX] & m;
        if (divisor == 0 && v != 0) in[DiffCase.RBX] |= 3;
        if (v % 5 == 4) return; // leave RDX as generated: often a quotient overflow
        long hiPart;
        if (v % 2 == 0) hiPart = 0;
        else hiPart = ((in[DiffCase.RAX] << (64 - width)) >> 63) & m; // sign of the low half: fits IDIV
        if (v % 5 == 3) hiPart = Long.remainderUnsigned(rnd.nextLong() & m, Math.max(1, divisor | 1)) >>> 1;
        if (width == 8) {
            in[DiffCase.RAX] = (in[DiffCase.RAX] & ~0xFF00L) | ((hiPart & 0xFF) << 8);
        } else {
            in[DiffCase.RDX] = (in[DiffCase.RDX] & ~m) | hiPart;
        }
    }
}
