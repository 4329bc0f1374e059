package dev.vmm.mmu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A vCPU's TLB statistics, declared once here and read by `vmm run --stats`, the monitor and tests.
 *
 * <p>Per array (see {@link Tlb#arrays()}): lookups that reached it, hits by page size, evictions. A
 * modelled lookup probes every first-level array of its side until one hits; a fast hit counts as a
 * lookup and a hit of its entry's array only. "data lookups" counts each data access once.
 * A hit in the fast lookup in front of the first-level data TLB is a first-level hit: it is counted per
 * fast slot on the hot path and added to the page size of its entry when read.
 */
public final class TlbStats {
    /** Why translations were invalidated. */
    public enum FlushCause {
        MOV_CR3("MOV CR3"), MOV_CR3_NOFLUSH("MOV CR3 (bit 63: no flush)"), CR4("CR4.PGE/PCIDE/paging change"),
        CR0("CR0.PG/WP change"), INVLPG("INVLPG"), INVPCID_ADDRESS("INVPCID type 0"),
        INVPCID_CONTEXT("INVPCID type 1"), INVPCID_ALL_GLOBAL("INVPCID type 2"), INVPCID_ALL("INVPCID type 3"),
        PAGE_FAULT("#PF on the address"), HOST("host request (pmap, monitor)");

        public final String label;

        FlushCause(String label) { this.label = label; }
    }

    /** Page-size classes counted: 4 KiB, 2 MiB, 4 MiB, 1 GiB. */
    public static final int[] SHIFTS = {12, 21, 22, 30};

    static int sizeIndex(int shift) {
        return switch (shift) { case 12 -> 0; case 21 -> 1; case 22 -> 2; default -> 3; };
    }

    public static String sizeName(int shift) {
        return switch (shift) { case 12 -> "4K"; case 21 -> "2M"; case 22 -> "4M"; case 30 -> "1G"; default -> shift + "b"; };
    }

    final long[] lookups, misses, evictions;
    final long[][] hits;
    public long dataLookups, fetchLookups, walks, walkFaults, adUpdates, pscHits, pscMisses, fills;
    final long[] flushes = new long[FlushCause.values().length];

    TlbStats(int arrays) {
        lookups = new long[arrays];
        misses = new long[arrays];
        evictions = new long[arrays];
        hits = new long[arrays][SHIFTS.length];
    }

    public long flushes(FlushCause c) { return flushes[c.ordinal()]; }

    private static double pct(long a, long b) { return b == 0 ? 0.0 : 100.0 * a / b; }

    /** One line per array and one per global counter, for `--stats`. */
    static List<String> format(Tlb tlb) {
        TlbStats s = tlb.stats();
        List<String> out = new ArrayList<>();
        List<TlbArray> arrays = tlb.arrays();
        for (int a = 0; a < arrays.size(); a++) {
            TlbArray arr = arrays.get(a);
            long h = tlb.hits(a);
            long l = tlb.lookups(a);
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-12s lookups %d hits %d (%.2f%%) misses %d evictions %d",
                arr.name, l, h, l == 0 ? 0.0 : 100.0 * h / l, s.misses[a], s.evictions[a]));
            for (int sh : arr.shifts) {
                sb.append(' ').append(sizeName(sh)).append(':').append(tlb.hits(a, sh));
            }
            out.add(sb.toString());
        }
        long[] d = tlb.dataHits();
        out.add(String.format(Locale.ROOT, "  data lookups %d: L1 hit %.2f%%, STLB hit %.2f%%, walked %.2f%%; fetch lookups (entries into a code page not among the last four) %d",
            d[2], pct(d[0], d[2]), pct(d[1], d[2]), pct(d[2] - d[0] - d[1], d[2]), s.fetchLookups));
        out.add(String.format(Locale.ROOT, "  walks %d (faulting %d), A/D updates %d, fills %d, paging-structure cache hits %d misses %d",
            s.walks, s.walkFaults, s.adUpdates, s.fills, s.pscHits, s.pscMisses));
        StringBuilder f = new StringBuilder("  flushes:");
        boolean any = false;
        for (FlushCause c : FlushCause.values()) {
            if (s.flushes[c.ordinal()] != 0) { f.append(' ').append(c.label).append(' ').append(s.flushes[c.ordinal()]).append(','); any = true; }
        }
        out.add(any ? f.substring(0, f.length() - 1) : "  flushes: none");
        return out;
    }
}
