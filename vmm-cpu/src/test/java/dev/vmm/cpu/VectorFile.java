package dev.vmm.cpu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The recorded differential vectors, gzipped text (numbers in hex):
 * <pre>
 * # vendor GenuineIntel                         the host that produced them
 * C name mode codebytes undefmask r,r,r        a case: its registers with generated inputs
 * V in,in,in,rflags > r=v r=v xN=hi.lo mx=v fcw=v fsw=v ftw=v f=rflags m=off=bb,off=bb
 *                                               changed registers, XMM registers, MXCSR and x87 words
 *                                               (those that differ from their start values), RFLAGS,
 *                                               changed window bytes; an XMM input is two entries, lo,hi
 * V in,in,in,rflags > F signal                  the host raised a signal (fault)
 * </pre>
 * Registers not listed in a case's input list start at {@link DiffCase#defaultReg}; an output register
 * not listed kept its input value.
 */
final class VectorFile {
    private VectorFile() { }

    record Vector(long[] in, String out) { }

    record Recorded(DiffCase c, byte[] code, List<Vector> vectors) { }

    record Set(String vendor, List<Recorded> cases) {
        int vectorCount() { return cases.stream().mapToInt(r -> r.vectors().size()).sum(); }
    }

    static void write(Set s, OutputStream os) throws IOException {
        try (PrintWriter w = new PrintWriter(new GZIPOutputStream(os), false, StandardCharsets.US_ASCII)) {
            w.println("# host differential vectors for vmm-cpu; regenerate with HostDifferentialTest -Dvmm.recordVectors=true");
            w.println("# vendor " + s.vendor());
            for (Recorded r : s.cases()) {
                DiffCase c = r.c();
                StringBuilder regs = new StringBuilder();
                for (int x : c.regs()) regs.append(regs.isEmpty() ? "" : ",").append(x);
                w.println("C " + c.name() + " " + c.mode() + " " + HexFormat.of().formatHex(r.code()) + " "
                    + Integer.toHexString(c.undef()) + " " + c.width() + " " + regs);
                for (Vector v : r.vectors()) {
                    StringBuilder sb = new StringBuilder("V ");
                    for (int x : c.regs()) {
                        if (x >= DiffCase.XMM0) {
                            int at = DiffCase.xmmAt(x - DiffCase.XMM0);
                            sb.append(Long.toHexString(v.in()[at])).append(',').append(Long.toHexString(v.in()[at + 1])).append(',');
                        } else {
                            sb.append(Long.toHexString(v.in()[x])).append(',');
                        }
                    }
                    sb.append(Long.toHexString(v.in()[16])).append(" > ").append(v.out());
                    w.println(sb);
                }
            }
        }
    }

    static Set read(InputStream is) throws IOException {
        List<Recorded> cases = new ArrayList<>();
        String vendor = "unknown";
        try (BufferedReader rd = new BufferedReader(new InputStreamReader(new GZIPInputStream(is), StandardCharsets.US_ASCII))) {
            Recorded cur = null;
            for (String line; (line = rd.readLine()) != null; ) {
                if (line.startsWith("# vendor ")) vendor = line.substring(9).trim();
                if (line.startsWith("C ")) {
                    String[] f = line.split(" ");
                    int[] regs = f[6].isEmpty() ? new int[0] : java.util.Arrays.stream(f[6].split(",")).mapToInt(Integer::parseInt).toArray();
                    DiffCase c = new DiffCase(f[1], Integer.parseInt(f[2]), "", Integer.parseInt(f[5]), regs,
                        DiffCase.Inputs.VALUES, Integer.parseInt(f[4], 16));
                    cur = new Recorded(c, HexFormat.of().parseHex(f[3]), new ArrayList<>());
                    cases.add(cur);
                } else if (line.startsWith("V ") && cur != null) {
                    int gt = line.indexOf(" > ");
                    String[] ins = line.substring(2, gt).split(",");
                    long[] in = DiffCase.defaults();
                    int[] regs = cur.c().regs();
                    int k = 0;
                    for (int x : regs) {
                        if (x >= DiffCase.XMM0) {
                            int at = DiffCase.xmmAt(x - DiffCase.XMM0);
                            in[at] = Long.parseUnsignedLong(ins[k++], 16);
                            in[at + 1] = Long.parseUnsignedLong(ins[k++], 16);
                        } else {
                            in[x] = Long.parseUnsignedLong(ins[k++], 16);
                        }
                    }
                    in[16] = Long.parseUnsignedLong(ins[k], 16);
                    cur.vectors().add(new Vector(in, line.substring(gt + 3)));
                }
            }
        }
        return new Set(vendor, cases);
    }

    /**
     * The canonical output text of a run: changed registers (compared at 32 bits in 32-bit mode), RFLAGS
     * masked to {@code flagMask}, changed window bytes; or "F signal".
     */
    static String output(int mode, long[] in, long[] regs, long rflags, int flagMask, String memDiff) {
        return output(mode, in, regs, "", rflags, flagMask, memDiff);
    }

    /** The x87/SSE part of an output: XMM registers that changed, and MXCSR and the x87 words that left their start values. */
    static String simd(long[] in, long[] xmm, int mxcsr, int fcw, int fsw, int abridgedTags) {
        StringBuilder sb = new StringBuilder();
        for (int x = 0; x < 16; x++) {
            int at = DiffCase.xmmAt(x);
            if (xmm[2 * x] != in[at] || xmm[2 * x + 1] != in[at + 1]) {
                sb.append('x').append(x).append('=').append(Long.toHexString(xmm[2 * x + 1])).append('.')
                    .append(Long.toHexString(xmm[2 * x])).append(' ');
            }
        }
        if (mxcsr != 0x1F80) sb.append("mx=").append(Integer.toHexString(mxcsr)).append(' ');
        if (fcw != 0x37F) sb.append("fcw=").append(Integer.toHexString(fcw)).append(' ');
        if (fsw != 0) sb.append("fsw=").append(Integer.toHexString(fsw)).append(' ');
        if (abridgedTags != 0) sb.append("ftw=").append(Integer.toHexString(abridgedTags)).append(' ');
        return sb.toString();
    }

    static String output(int mode, long[] in, long[] regs, String simd, long rflags, int flagMask, String memDiff) {
        StringBuilder sb = new StringBuilder();
        int n = mode == 64 ? 16 : 8;
        long m = mode == 64 ? -1L : 0xFFFF_FFFFL;
        for (int r = 0; r < n; r++) {
            if ((regs[r] & m) != (in[r] & m)) sb.append(r).append('=').append(Long.toHexString(regs[r] & m)).append(' ');
        }
        sb.append(simd).append("f=").append(Long.toHexString(rflags & flagMask));
        if (!memDiff.isEmpty()) sb.append(" m=").append(memDiff);
        return sb.toString();
    }
}
