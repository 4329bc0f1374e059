package dev.vmm.mmu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The geometry of a vCPU's TLB: its arrays (level, instruction or data, sets, ways, page sizes,
 * replacement) and the paging-structure caches.
 *
 * <p>{@link #intel()} is shaped like a recent Intel core (Skylake/Ice Lake client, per logical processor):
 * <pre>
 *  L1 ITLB   4K        128 entries  8-way         L1 ITLB  2M/4M     8 entries fully associative
 *  L1 DTLB   4K         64 entries  4-way         L1 DTLB  2M/4M    32 entries 4-way
 *  L1 DTLB   1G          4 entries  fully         STLB     4K/2M/4M 1536 entries 12-way
 *  STLB      1G         16 entries  4-way         PML4E/PDPTE/PDE caches 4/8/32 entries fully
 * </pre>
 * The ITLB has no 1 GiB array: a 1 GiB page is cached there as 2 MiB pieces ("fractured"), as on
 * those cores. {@link #parse} reads a spec such as {@code l1d4k=64x4,stlb=2048x16,repl=fifo}.
 */
public record TlbConfig(List<Spec> arrays, int pml4eCache, int pdpteCache, int pdeCache) {
    /** One array: {@code entries = sets * ways}. */
    public record Spec(String key, String name, int level, boolean instruction, int sets, int ways,
                       TlbArray.Replacement policy, int... shifts) {
        TlbArray build() { return new TlbArray(name, level, instruction, sets, ways, policy, shifts); }
    }

    public TlbConfig {
        arrays = List.copyOf(arrays);
    }

    public static TlbConfig intel() {
        TlbArray.Replacement lru = TlbArray.Replacement.LRU;
        return new TlbConfig(List.of(
            new Spec("l1i4k", "L1 ITLB 4K", 1, true, 16, 8, lru, 12),
            new Spec("l1ilarge", "L1 ITLB 2M/4M", 1, true, 1, 8, lru, 21, 22),
            new Spec("l1d4k", "L1 DTLB 4K", 1, false, 16, 4, lru, 12),
            new Spec("l1dlarge", "L1 DTLB 2M/4M", 1, false, 8, 4, lru, 21, 22),
            new Spec("l1d1g", "L1 DTLB 1G", 1, false, 1, 4, lru, 30),
            new Spec("stlb", "STLB 4K/2M", 2, false, 128, 12, lru, 12, 21, 22),
            new Spec("stlb1g", "STLB 1G", 2, false, 4, 4, lru, 30)), 4, 8, 32);
    }

    /**
     * {@link #intel()} changed by a comma-separated list: {@code KEY=ENTRIESxWAYS} for an array
     * (keys l1i4k, l1ilarge, l1d4k, l1dlarge, l1d1g, stlb, stlb1g), {@code repl=lru|fifo|random} for all
     * arrays, {@code psc=PML4E/PDPTE/PDE} entry counts (0 turns a cache off).
     *
     * @throws IllegalArgumentException with a one-line message naming the bad item
     */
    public static TlbConfig parse(String spec) {
        TlbConfig base = intel();
        List<Spec> arrays = new ArrayList<>(base.arrays);
        int[] psc = {base.pml4eCache, base.pdpteCache, base.pdeCache};
        TlbArray.Replacement repl = null;
        if (spec == null || spec.isBlank()) return base;
        for (String item : spec.split(",")) {
            String[] kv = item.strip().split("=", 2);
            if (kv.length != 2) throw new IllegalArgumentException("TLB geometry item '" + item + "' is not KEY=VALUE");
            String key = kv[0].strip().toLowerCase(Locale.ROOT), v = kv[1].strip().toLowerCase(Locale.ROOT);
            try {
                if (key.equals("repl")) { repl = TlbArray.Replacement.valueOf(v.toUpperCase(Locale.ROOT)); continue; }
                if (key.equals("psc")) {
                    String[] n = v.split("/");
                    if (n.length != 3) throw new IllegalArgumentException("psc wants three counts: PML4E/PDPTE/PDE");
                    for (int i = 0; i < 3; i++) psc[i] = Integer.parseInt(n[i]);
                    continue;
                }
                int i = indexOf(arrays, key);
                String[] ew = v.split("x");
                int entries = Integer.parseInt(ew[0]);
                int ways = ew.length > 1 ? Integer.parseInt(ew[1]) : entries;
                if (ways <= 0 || entries % ways != 0) throw new IllegalArgumentException("entries must be a multiple of ways");
                Spec s = arrays.get(i);
                arrays.set(i, new Spec(s.key, s.name, s.level, s.instruction, entries / ways, ways, s.policy, s.shifts));
                new TlbArray(s.name, s.level, s.instruction, entries / ways, ways, s.policy, s.shifts); // validates
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("TLB geometry item '" + item + "': not a number");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("TLB geometry item '" + item + "': " + e.getMessage());
            }
        }
        if (repl != null) {
            for (int i = 0; i < arrays.size(); i++) {
                Spec s = arrays.get(i);
                arrays.set(i, new Spec(s.key, s.name, s.level, s.instruction, s.sets, s.ways, repl, s.shifts));
            }
        }
        for (int n : psc) if (n < 0 || n > 1024) throw new IllegalArgumentException("paging-structure cache size out of range: " + n);
        return new TlbConfig(arrays, psc[0], psc[1], psc[2]);
    }

    private static int indexOf(List<Spec> arrays, String key) {
        for (int i = 0; i < arrays.size(); i++) if (arrays.get(i).key.equals(key)) return i;
        throw new IllegalArgumentException("unknown TLB array (l1i4k, l1ilarge, l1d4k, l1dlarge, l1d1g, stlb, stlb1g, repl, psc)");
    }
}
