package dev.vmm.mmu;

import java.util.Arrays;

/**
 * One set-associative translation array of a {@link Tlb} (for example "L1 DTLB, 4 KiB pages, 64
 * entries, 4-way"), as parallel primitive arrays so that a lookup allocates nothing.
 *
 * <p>An array may hold several page sizes (the unified second-level TLB holds 4 KiB and 2 MiB pages):
 * a lookup probes the set that each accepted size indexes, as a real STLB probes once per size.
 * An entry is identified by {@code set * ways + way} ("slot"); the owning {@link Tlb} adds a base so
 * that every entry of a vCPU has one id (the fast lookup and the checker refer to entries by it).
 *
 * <p>Entry fields: {@code vpn} = linear address >>> page shift (-1 when invalid), {@code shift},
 * {@code pcid}, {@code global}, {@code base} (physical address of the page), {@code perm}
 * ({@link Tlb} rights bits), {@code stamp} (last use or fill, for LRU and FIFO).
 *
 * <p>Thread safety: owned by one vCPU.
 */
public final class TlbArray {
    /** Replacement policies. LRU ages on every modelled hit; FIFO only on fill; RANDOM is seeded. */
    public enum Replacement { LRU, FIFO, RANDOM }

    final String name;
    final int level;
    final boolean instruction;
    final int sets, ways;
    final int[] shifts;
    final Replacement policy;
    int idBase;

    final long[] vpn;
    final byte[] shift;
    final short[] pcid;
    final boolean[] global;
    final long[] base;
    final int[] perm;
    final long[] stamp;
    private long clock;
    private long rnd = 0x9E37_79B9_7F4A_7C15L;

    /**
     * @param level       1 or 2
     * @param instruction true for an ITLB (filled by fetches), false for a DTLB or unified array
     * @param shifts      the page sizes held, as log2 (12, 21, 22, 30)
     */
    public TlbArray(String name, int level, boolean instruction, int sets, int ways, Replacement policy, int... shifts) {
        if (sets <= 0 || Integer.bitCount(sets) != 1) throw new IllegalArgumentException(name + ": sets must be a power of two: " + sets);
        if (ways <= 0 || ways > 64) throw new IllegalArgumentException(name + ": ways must be 1..64: " + ways);
        if (shifts.length == 0) throw new IllegalArgumentException(name + ": no page size");
        this.name = name;
        this.level = level;
        this.instruction = instruction;
        this.sets = sets;
        this.ways = ways;
        this.policy = policy;
        this.shifts = shifts.clone();
        int n = sets * ways;
        vpn = new long[n];
        shift = new byte[n];
        pcid = new short[n];
        global = new boolean[n];
        base = new long[n];
        perm = new int[n];
        stamp = new long[n];
        Arrays.fill(vpn, -1L);
    }

    public String name() { return name; }

    public int level() { return level; }

    public boolean instruction() { return instruction; }

    public int sets() { return sets; }

    public int ways() { return ways; }

    public int entries() { return sets * ways; }

    public Replacement policy() { return policy; }

    /** Whether this array holds pages of {@code pageShift}. */
    public boolean holds(int pageShift) {
        for (int s : shifts) if (s == pageShift) return true;
        return false;
    }

    /** Page shifts held, smallest first as given. */
    public int[] pageShifts() { return shifts.clone(); }

    public boolean valid(int slot) { return vpn[slot] != -1L; }

    private int setOf(long lin, int s) { return (int) (lin >>> s) & (sets - 1); }

    /** The slot that translates {@code lin} for {@code pc} (global entries match any PCID), or -1. */
    int find(long lin, int pc) {
        for (int s : shifts) {
            long v = lin >>> s;
            int first = setOf(lin, s) * ways;
            for (int k = first, end = first + ways; k < end; k++) {
                if (vpn[k] == v && shift[k] == s && (global[k] || pcid[k] == pc)) return k;
            }
        }
        return -1;
    }

    void touch(int slot) { if (policy == Replacement.LRU) stamp[slot] = ++clock; }

    /**
     * The slot a new entry for {@code lin} with {@code s} goes to: the entry it replaces (same page and
     * PCID), else a free way, else the victim chosen by the policy. The caller drops what is there.
     */
    int victim(long lin, int s, int pc) {
        long v = lin >>> s;
        int first = setOf(lin, s) * ways;
        int free = -1, oldest = first;
        for (int k = first, end = first + ways; k < end; k++) {
            if (vpn[k] == v && shift[k] == s && pcid[k] == pc) return k;
            if (vpn[k] == -1L) { if (free < 0) free = k; continue; }
            if (stamp[k] < stamp[oldest] || vpn[oldest] == -1L) oldest = k;
        }
        if (free >= 0) return free;
        if (policy == Replacement.RANDOM) {
            rnd ^= rnd << 13; rnd ^= rnd >>> 7; rnd ^= rnd << 17;
            return first + (int) Long.remainderUnsigned(rnd, ways);
        }
        return oldest;
    }

    void set(int k, long lin, int s, int pc, boolean g, long pageBase, int p) {
        vpn[k] = lin >>> s;
        shift[k] = (byte) s;
        pcid[k] = (short) pc;
        global[k] = g;
        base[k] = pageBase;
        perm[k] = p;
        stamp[k] = ++clock;
    }

    void clear(int k) { vpn[k] = -1L; }

    // ---- read-only accessors (monitor) ------------------------------------------------------------

    /** Linear address of the page cached in {@code slot} (meaningful when {@link #valid}). */
    public long linear(int slot) { return vpn[slot] << shift[slot]; }

    public int pageShift(int slot) { return shift[slot]; }

    public int pcid(int slot) { return pcid[slot]; }

    public boolean global(int slot) { return global[slot]; }

    /** Physical address of the page. */
    public long physical(int slot) { return base[slot]; }

    /** {@link Tlb} rights bits. */
    public int perm(int slot) { return perm[slot]; }

    @Override
    public String toString() {
        return String.format("%s: %d entries, %d-way, %s", name, sets * ways, ways, policy);
    }
}
