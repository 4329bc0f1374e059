package dev.vmm.mmu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A vCPU's TLBs and paging-structure caches, modelled with real geometry ({@link TlbConfig}: split L1
 * instruction and data TLBs per page size, a unified second-level TLB) and real semantics (Intel SDM
 * vol. 3, 4.10): entries are filled only by walks that succeed, carry PCID, global, page size and the
 * combined rights of the walk, survive page-table changes until invalidated, and are dropped by MOV CR3,
 * INVLPG, INVPCID and CR4/CR0 changes by the SDM's rules.
 *
 * <p><b>Fast lookup.</b> In front of the modelled arrays sits a direct-mapped array of {@link #FAST}
 * 4 KiB slots ({@link #fast}: tag, frame, rights and hit count side by side, so a lookup touches one
 * cache line) that the CPU's load/store path reads without a call. It is exact, not a TLB of its own:
 * each slot mirrors (a 4 KiB piece of) an entry that is present in a first-level data array and of the
 * current PCID, and is cleared whenever that entry is evicted or invalidated or the PCID changes. A
 * fast hit is a first-level DTLB hit; it is counted in the slot's hit count (added to the entry's page
 * size when statistics are read) and, unlike a modelled hit, does not refresh the entry's LRU age.
 * Instruction fetches never use it: {@link #FETCH_DENY} is set in every fast slot and in the deny mask
 * of a fetch.
 *
 * <p>Rights bits ("perm"), set when some level of the walk restricts the access, so that a permission
 * check is one AND against the access's deny mask (Bochs does the same):
 * <pre>
 *  NOWRITE  R/W=0 somewhere          SUPER  U/S=0 somewhere (supervisor page)
 *  NX       XD=1 somewhere           CLEAN  the leaf's dirty bit is clear: a write must re-walk
 *  USER     U/S=1 at every level (a user-mode address, for SMEP/SMAP)
 * </pre>
 * Thread safety: owned by one vCPU; other vCPUs ask it to invalidate through their owner (shootdown).
 */
public final class Tlb {
    public static final int NOWRITE = 1;
    public static final int SUPER = 1 << 1;
    public static final int NX = 1 << 2;
    public static final int CLEAN = 1 << 3;
    public static final int USER = 1 << 4;
    /** Set in every fast slot and in the deny mask of instruction fetches: fetches go to the ITLB. */
    public static final int FETCH_DENY = 1 << 5;
    /** No restriction yet: the start of a walk. */
    public static final int ALL_RIGHTS = 0;

    public static final int FAST = 256;
    public static final int FAST_MASK = FAST - 1;

    /**
     * The fast slots, {@link #FAST_STRIDE} longs each, slot f at {@code f * FAST_STRIDE}: the linear page
     * number mirrored (lin >>> 12) or -1 ({@link #FAST_TAG}), the physical address of the 4 KiB frame
     * ({@link #FAST_FRAME}), the rights bits with {@link #FETCH_DENY} ({@link #FAST_PERM}) and the
     * first-level hits the slot served, which the CPU increments ({@link #FAST_HITS}).
     */
    public final long[] fast = new long[FAST * FAST_STRIDE];
    public static final int FAST_STRIDE = 4, FAST_TAG = 0, FAST_FRAME = 1, FAST_PERM = 2, FAST_HITS = 3;

    /** The linear page number fast slot {@code f} mirrors, or -1. */
    public long fastTag(int f) { return fast[f * FAST_STRIDE + FAST_TAG]; }

    /** The physical frame of fast slot {@code f}. */
    public long fastFrame(int f) { return fast[f * FAST_STRIDE + FAST_FRAME]; }

    private long fastHits(int f) { return fast[f * FAST_STRIDE + FAST_HITS]; }
    private final int[] fastOwner = new int[FAST];

    private final TlbConfig config;
    private final TlbArray[] arrays;
    private final TlbArray[] owner; // entry id -> array
    private final int totalEntries;
    private final PagingStructureCache psc;
    private final TlbStats stats;
    /** Fast hits already added to the statistics, by page-size class. */
    private final long[] fastHitsBySize = new long[TlbStats.SHIFTS.length];
    private boolean fastEnabled = true;
    /** Told of fills and flushes (the monitor's trace), or null. */
    private TlbListener listener;
    private int pcid;
    /** Called when an ITLB entry goes away, so the fetch path forgets the code page it holds. */
    private Runnable fetchInvalidated = () -> { };

    public Tlb() { this(TlbConfig.intel()); }

    public Tlb(TlbConfig config) {
        this.config = config;
        List<TlbArray> list = new ArrayList<>();
        int id = 0;
        for (TlbConfig.Spec s : config.arrays()) {
            TlbArray a = s.build();
            a.idBase = id;
            id += a.entries();
            list.add(a);
        }
        arrays = list.toArray(new TlbArray[0]);
        totalEntries = id;
        owner = new TlbArray[id];
        for (TlbArray a : arrays) Arrays.fill(owner, a.idBase, a.idBase + a.entries(), a);
        psc = new PagingStructureCache(config.pml4eCache(), config.pdpteCache(), config.pdeCache());
        stats = new TlbStats(arrays.length);
        for (int f = 0; f < FAST; f++) fast[f * FAST_STRIDE + FAST_TAG] = -1L;
        Arrays.fill(fastOwner, -1);
    }

    public TlbConfig config() { return config; }

    public List<TlbArray> arrays() { return List.of(arrays); }

    public PagingStructureCache pagingStructureCache() { return psc; }

    public TlbStats stats() { return stats; }

    /** Number of entries over all arrays; entry ids are 0 .. this - 1. */
    public int totalEntries() { return totalEntries; }

    /** The PCID translations are looked up and filled for (CR3[11:0] with CR4.PCIDE, else 0). */
    public int pcid() { return pcid; }

    public void setFetchInvalidatedListener(Runnable r) { fetchInvalidated = r == null ? () -> { } : r; }

    /** Sets (or with null removes) the listener told of fills and flushes. */
    public void setListener(TlbListener l) { listener = l; }

    /** Turns the fast lookup off (the TLB checker must see every use) or on. */
    public void setFastLookup(boolean on) {
        if (!on) clearFast();
        fastEnabled = on;
    }

    /** Switches the current PCID (MOV CR3); fast slots of the old PCID go. */
    public void setPcid(int pc) {
        if (pc != pcid) clearFast();
        pcid = pc;
    }

    // ---- rights -------------------------------------------------------------------------------------

    /** Rights that restrict the access after this entry is added to the walk. */
    public static int restrict(int combined, long entry) {
        if ((entry & Pte.RW) == 0) combined |= NOWRITE;
        if ((entry & Pte.US) == 0) combined |= SUPER;
        if ((entry & Pte.NX) != 0) combined |= NX;
        return combined;
    }

    /**
     * The rights bits that deny an access of kind {@code acc} (see {@link Access}) under {@code mode}
     * (Intel SDM vol. 3, 4.6). SMAP is applied as if RFLAGS.AC were 0; the caller relaxes it for an
     * explicit supervisor access with AC=1 ({@link PagingMode#AC}).
     */
    public static int denyMask(int acc, boolean user, int mode) {
        boolean wp = (mode & PagingMode.WP) != 0;
        int smap = (mode & PagingMode.SMAP) != 0 ? USER : 0;
        return switch (acc) {
            case Access.READ -> user ? SUPER : smap;
            case Access.WRITE -> (user || wp ? NOWRITE : 0) | (user ? SUPER : smap) | CLEAN;
            case Access.EXEC -> ((mode & PagingMode.NXE) != 0 ? NX : 0)
                    | (user ? SUPER : ((mode & PagingMode.SMEP) != 0 ? USER : 0)) | FETCH_DENY;
            case Access.SYS_READ -> smap;
            case Access.SYS_WRITE -> (wp ? NOWRITE : 0) | smap | CLEAN;
            default -> throw new IllegalArgumentException("access kind " + acc);
        };
    }

    // ---- lookup and fill ----------------------------------------------------------------------------

    /**
     * The modelled lookup for {@code lin} in the current PCID: first-level arrays of the access's side
     * (instruction or data), then the second level; a second-level hit is copied into the first level.
     * Returns the entry id of the first-level entry, or -1 on a miss. Counts statistics.
     */
    public int lookup(long lin, boolean fetch) {
        if (fetch) stats.fetchLookups++; else stats.dataLookups++;
        int hit = -1;
        for (int a = 0; a < arrays.length; a++) {
            TlbArray t = arrays[a];
            if (t.level != 1 || t.instruction != fetch) continue;
            stats.lookups[a]++;
            int k = t.find(lin, pcid);
            if (k >= 0) {
                t.touch(k);
                stats.hits[a][TlbStats.sizeIndex(t.shift[k])]++;
                hit = t.idBase + k;
                if (!fetch) installFast(lin, t, k);
                break;
            }
            stats.misses[a]++;
        }
        if (hit >= 0) return hit;
        for (int a = 0; a < arrays.length; a++) {
            TlbArray t = arrays[a];
            if (t.level != 2) continue;
            stats.lookups[a]++;
            int k = t.find(lin, pcid);
            if (k >= 0) {
                t.touch(k);
                stats.hits[a][TlbStats.sizeIndex(t.shift[k])]++;
                long frame4k = t.base[k] | (lin & ((1L << t.shift[k]) - 1) & ~0xFFFL);
                return place(lin, fetch, t.shift[k], t.global[k], frame4k, t.perm[k], 1);
            }
            stats.misses[a]++;
        }
        return -1;
    }

    /** Physical address of {@code lin}'s 4 KiB frame through entry {@code id}. */
    public long frame(int id, long lin) {
        TlbArray t = owner[id];
        int k = id - t.idBase;
        return t.base[k] | (lin & ((1L << t.shift[k]) - 1) & ~0xFFFL);
    }

    public int perm(int id) { TlbArray t = owner[id]; return t.perm[id - t.idBase]; }

    /** The array that holds entry {@code id}, and its slot there ({@code id - base}). */
    public TlbArray arrayOf(int id) { return owner[id]; }

    public int slotOf(int id) { return id - owner[id].idBase; }

    /**
     * Caches a successful walk for {@code lin} in the first level of its side and in the second level
     * (non-inclusive: each is evicted on its own). Returns the first-level entry id.
     */
    public int fill(long lin, boolean fetch, WalkResult r) {
        stats.fills++;
        int shift = r.pageShift;
        int p = r.perm;
        if ((p & SUPER) == 0) p |= USER;
        place(lin, fetch, shift, r.global, r.frame, p, 2);
        int id = place(lin, fetch, shift, r.global, r.frame, p, 1);
        if (listener != null) listener.filled(lin, fetch, r.frame, shift, r.global);
        return id;
    }

    /**
     * Puts a translation into the array of {@code level} (and side) that holds the largest page size not
     * above {@code shift}; a page larger than any size held is cached as a piece ("fractured").
     * {@code frame4k} is the 4 KiB frame of {@code lin}.
     */
    private int place(long lin, boolean fetch, int shift, boolean global, long frame4k, int perm, int level) {
        TlbArray best = null;
        int bestShift = 0, bestIdx = -1;
        for (int a = 0; a < arrays.length; a++) {
            TlbArray t = arrays[a];
            if (t.level != level || (level == 1 && t.instruction != fetch)) continue;
            for (int s : t.shifts) {
                // a piece is a page size of the same paging mode: 4 MiB pieces only hold 4 MiB pages
                boolean fits = s == shift || (s < shift && s != 22);
                if (fits && s > bestShift) { best = t; bestShift = s; bestIdx = a; }
            }
        }
        if (best == null) return -1;
        long pieceBase = frame4k & ~((1L << bestShift) - 1);
        int k = best.victim(lin, bestShift, pcid);
        if (best.vpn[k] != -1L) {
            if (best.vpn[k] != lin >>> bestShift || best.shift[k] != bestShift) stats.evictions[bestIdx]++;
            drop(best, k);
        }
        best.set(k, lin, bestShift, pcid, global, pieceBase, perm);
        if (level == 1 && !fetch) installFast(lin, best, k);
        return best.idBase + k;
    }

    /** Mirrors the 4 KiB piece of entry {@code k} of first-level data array {@code t} that holds {@code lin}. */
    private void installFast(long lin, TlbArray t, int k) {
        if (!fastEnabled) return;
        int f = (int) (lin >>> 12) & FAST_MASK;
        if (fastOwner[f] >= 0) retireFast(f);
        fast[f * FAST_STRIDE + FAST_TAG] = lin >>> 12;
        fast[f * FAST_STRIDE + FAST_FRAME] = t.base[k] | (lin & ((1L << t.shift[k]) - 1) & ~0xFFFL);
        fast[f * FAST_STRIDE + FAST_PERM] = t.perm[k] | FETCH_DENY;
        fastOwner[f] = t.idBase + k;
    }

    // ---- invalidation (SDM 4.10.4) ------------------------------------------------------------------

    /**
     * INVLPG: drops the translations of {@code lin} in the current PCID, global ones included, in every
     * array and page size, and every paging-structure-cache entry of the current PCID.
     */
    public void invlpg(long lin) {
        stats.flushes[TlbStats.FlushCause.INVLPG.ordinal()]++;
        if (listener != null) listener.flushed(TlbStats.FlushCause.INVLPG, lin, pcid);
        dropAddress(lin, pcid, true);
        psc.invalidatePcid(pcid);
    }

    /** After a #PF on {@code lin}: the processor drops the translations it had for it (SDM 4.10.4.1). */
    public void pageFault(long lin) {
        stats.flushes[TlbStats.FlushCause.PAGE_FAULT.ordinal()]++;
        if (listener != null) listener.flushed(TlbStats.FlushCause.PAGE_FAULT, lin, pcid);
        dropAddress(lin, pcid, true);
    }

    /** INVPCID type 0: {@code lin} in {@code pc}, global translations excepted; that PCID's PSC entries. */
    public void invalidateAddress(long lin, int pc) {
        stats.flushes[TlbStats.FlushCause.INVPCID_ADDRESS.ordinal()]++;
        if (listener != null) listener.flushed(TlbStats.FlushCause.INVPCID_ADDRESS, lin, pc);
        dropAddress(lin, pc, false);
        psc.invalidatePcid(pc);
    }

    /**
     * MOV CR3 (cause {@link TlbStats.FlushCause#MOV_CR3}) or INVPCID type 1: every non-global
     * translation of {@code pc} and its paging-structure-cache entries.
     */
    public void flushPcid(int pc, TlbStats.FlushCause cause) {
        stats.flushes[cause.ordinal()]++;
        if (listener != null) listener.flushed(cause, -1, pc);
        for (TlbArray t : arrays) {
            for (int k = 0; k < t.entries(); k++) if (t.vpn[k] != -1L && !t.global[k] && t.pcid[k] == pc) drop(t, k);
        }
        psc.invalidatePcid(pc);
    }

    /** Counts a MOV CR3 that kept the TLB (CR3 bit 63 with CR4.PCIDE=1). */
    public void noteNoFlushCr3() { stats.flushes[TlbStats.FlushCause.MOV_CR3_NOFLUSH.ordinal()]++; }

    /**
     * Drops everything ({@code includingGlobal}: INVPCID type 2, CR4.PGE/PCIDE toggles, CR0.PG) or every
     * non-global translation of every PCID (INVPCID type 3); the paging-structure caches go entirely.
     */
    public void flushAll(boolean includingGlobal, TlbStats.FlushCause cause) {
        stats.flushes[cause.ordinal()]++;
        if (listener != null) listener.flushed(cause, -1, includingGlobal ? -1 : pcid);
        for (TlbArray t : arrays) {
            for (int k = 0; k < t.entries(); k++) if (t.vpn[k] != -1L && (includingGlobal || !t.global[k])) drop(t, k);
        }
        psc.invalidateAll();
    }

    private void dropAddress(long lin, int pc, boolean includingGlobal) {
        for (TlbArray t : arrays) {
            for (int s : t.shifts) {
                long v = lin >>> s;
                int first = ((int) v & (t.sets - 1)) * t.ways;
                for (int k = first; k < first + t.ways; k++) {
                    if (t.vpn[k] != v || t.shift[k] != s) continue;
                    boolean match = includingGlobal ? t.pcid[k] == pc || t.global[k] : !t.global[k] && t.pcid[k] == pc;
                    if (match) drop(t, k);
                }
            }
        }
    }

    private void drop(TlbArray t, int k) {
        int id = t.idBase + k;
        if (t.level == 1 && !t.instruction) {
            if (t.shift[k] == 12) {
                int f = (int) t.vpn[k] & FAST_MASK;
                if (fastOwner[f] == id) retireFast(f);
            } else {
                for (int f = 0; f < FAST; f++) if (fastOwner[f] == id) retireFast(f);
            }
        }
        if (t.instruction) fetchInvalidated.run();
        t.clear(k);
    }

    private void retireFast(int f) {
        int id = fastOwner[f];
        long hits = fastHits(f);
        if (id >= 0 && hits != 0) {
            TlbArray t = owner[id];
            fastHitsBySize[TlbStats.sizeIndex(t.shift[id - t.idBase])] += hits;
            stats.lookups[indexOf(t)] += hits;
            stats.dataLookups += hits;
            stats.hits[indexOf(t)][TlbStats.sizeIndex(t.shift[id - t.idBase])] += hits;
        }
        fast[f * FAST_STRIDE + FAST_HITS] = 0;
        fast[f * FAST_STRIDE + FAST_TAG] = -1L;
        fastOwner[f] = -1;
    }

    private void clearFast() {
        for (int f = 0; f < FAST; f++) if (fastOwner[f] >= 0) retireFast(f);
    }

    private int indexOf(TlbArray t) {
        for (int a = 0; a < arrays.length; a++) if (arrays[a] == t) return a;
        throw new IllegalStateException();
    }

    // ---- statistics ---------------------------------------------------------------------------------

    /** Lookups of array {@code a}, fast hits included. */
    public long lookups(int a) { return stats.lookups[a] + pendingFast(a, -1); }

    /** Hits of array {@code a}, fast hits included. */
    public long hits(int a) {
        long h = 0;
        for (long x : stats.hits[a]) h += x;
        return h + pendingFast(a, -1);
    }

    /** Hits of array {@code a} on pages of {@code shift}, fast hits included. */
    public long hits(int a, int shift) { return stats.hits[a][TlbStats.sizeIndex(shift)] + pendingFast(a, shift); }

    private long pendingFast(int a, int shift) {
        long n = 0;
        for (int f = 0; f < FAST; f++) {
            int id = fastOwner[f];
            if (id < 0 || owner[id] != arrays[a]) continue;
            if (shift < 0 || owner[id].shift[id - owner[id].idBase] == shift) n += fastHits(f);
        }
        return n;
    }

    /**
     * Data-side hit rates: {first-level hits, second-level hits, data lookups}, fast hits included.
     */
    public long[] dataHits() {
        long l1 = 0, l2 = 0, pending = 0;
        for (int a = 0; a < arrays.length; a++) {
            if (arrays[a].level == 1 && !arrays[a].instruction) l1 += hits(a);
            else if (arrays[a].level == 2) l2 += stats.hits[a][0] + stats.hits[a][1] + stats.hits[a][2] + stats.hits[a][3];
        }
        for (int f = 0; f < FAST; f++) pending += fastOwner[f] >= 0 ? fastHits(f) : 0;
        return new long[] {l1, l2, stats.dataLookups + pending};
    }

    /** The `--stats` lines for this TLB. */
    public List<String> formatStats() { return TlbStats.format(this); }

    // ---- self-check ---------------------------------------------------------------------------------

    /** Checks that every fast slot mirrors a valid first-level data entry of the current PCID. */
    public void checkInvariants() {
        for (int f = 0; f < FAST; f++) {
            if (fastTag(f) == -1L) { if (fastOwner[f] != -1) throw new IllegalStateException("fast slot " + f + " owned but empty"); continue; }
            int id = fastOwner[f];
            TlbArray t = owner[id];
            int k = id - t.idBase;
            if (t.level != 1 || t.instruction) throw new IllegalStateException("fast slot " + f + " mirrors " + t.name);
            if (t.vpn[k] == -1L || t.vpn[k] != fastTag(f) >>> (t.shift[k] - 12)) throw new IllegalStateException("fast slot " + f + " mirrors a dropped entry");
            if (!t.global[k] && t.pcid[k] != pcid) throw new IllegalStateException("fast slot " + f + " of another PCID");
            if (fastFrame(f) != frame(id, fastTag(f) << 12)) throw new IllegalStateException("fast slot " + f + " frame differs");
            if ((fast[f * FAST_STRIDE + FAST_PERM] & ~FETCH_DENY) != t.perm[k]) throw new IllegalStateException("fast slot " + f + " rights differ");
        }
    }
}
