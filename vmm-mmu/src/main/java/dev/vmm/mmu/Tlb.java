package dev.vmm.mmu;

import java.util.Arrays;

/**
 * A vCPU's translation lookaside buffer: linear page -> 4 KiB physical frame, with the combined rights of
 * the walk that filled it packed in a few bits so that a permission check is one AND against the deny
 * mask of the access (Bochs does the same).
 *
 * <p>This first model is direct-mapped with {@link #ENTRIES} entries, one per 4 KiB linear page (a large
 * page is cached 4 KiB at a time, as a "fractured" TLB does). It keeps real TLB semantics: entries are
 * filled only by walks that succeed, survive changes to the page tables until invalidated, MOV CR3
 * keeps global entries, INVLPG drops the page (and, conservatively, every large-page entry).
 *
 * <p>Rights bits ("perm"), set when some level of the walk restricts the access:
 * <pre>
 *  NOWRITE  R/W=0 somewhere          SUPER  U/S=0 somewhere (supervisor page)
 *  NX       XD=1 somewhere           CLEAN  the leaf's dirty bit is clear: a write must re-walk
 *  USER     U/S=1 at every level (for SMEP/SMAP)
 * </pre>
 * Thread safety: owned by one vCPU; other vCPUs ask it to invalidate through their owner (shootdown).
 */
public final class Tlb {
    public static final int NOWRITE = 1;
    public static final int SUPER = 1 << 1;
    public static final int NX = 1 << 2;
    public static final int CLEAN = 1 << 3;
    public static final int USER = 1 << 4;
    /** No restriction yet: the start of a walk. */
    public static final int ALL_RIGHTS = 0;

    public static final int ENTRIES = 1024;
    private static final int MASK = ENTRIES - 1;

    /** Linear page number (lin >>> 12) cached in each slot, or -1. Read by the CPU's fast path. */
    public final long[] tag = new long[ENTRIES];
    /** Physical address of the 4 KiB frame. */
    public final long[] frame = new long[ENTRIES];
    /** Rights bits as above. */
    public final int[] perm = new int[ENTRIES];
    private final boolean[] global = new boolean[ENTRIES];
    private final boolean[] large = new boolean[ENTRIES];
    private int largeCount;

    public long fills, flushes, invlpgs;

    public Tlb() { Arrays.fill(tag, -1L); }

    public static int slot(long lin) { return (int) (lin >>> 12) & MASK; }

    /** Rights that restrict the access after this entry is added to the walk. */
    public static int restrict(int combined, long entry) {
        if ((entry & Pte.RW) == 0) combined |= NOWRITE;
        if ((entry & Pte.US) == 0) combined |= SUPER;
        if ((entry & Pte.NX) != 0) combined |= NX;
        return combined;
    }

    /** The rights bits that deny an access of kind {@code acc} (see {@link Access}) under {@code mode}. */
    public static int denyMask(int acc, boolean user, int mode) {
        boolean wp = (mode & PagingMode.WP) != 0;
        return switch (acc) {
            case Access.READ -> user ? SUPER : 0;
            case Access.WRITE -> (user || wp ? NOWRITE : 0) | (user ? SUPER : 0) | CLEAN;
            case Access.EXEC -> ((mode & PagingMode.NXE) != 0 ? NX : 0)
                    | (user ? SUPER : ((mode & PagingMode.SMEP) != 0 ? USER : 0));
            case Access.SYS_READ -> 0;
            case Access.SYS_WRITE -> (wp ? NOWRITE : 0) | CLEAN;
            default -> throw new IllegalArgumentException("access kind " + acc);
        };
    }

    /** Caches the result of a successful walk for {@code lin}. */
    public void fill(long lin, WalkResult r) {
        int i = slot(lin);
        if (large[i]) largeCount--;
        tag[i] = lin >>> 12;
        frame[i] = r.frame;
        int p = r.perm;
        if ((p & SUPER) == 0) p |= USER;
        perm[i] = p;
        global[i] = r.global;
        large[i] = r.pageShift > 12;
        if (large[i]) largeCount++;
        fills++;
    }

    /** MOV CR3 (without PCID): drops every entry that is not global. */
    public void flushNonGlobal() {
        for (int i = 0; i < ENTRIES; i++) if (!global[i]) drop(i);
        flushes++;
    }

    /** CR4.PGE/PCIDE toggle, CR0.PG change: drops everything. */
    public void flushAll() {
        for (int i = 0; i < ENTRIES; i++) drop(i);
        flushes++;
    }

    /** INVLPG: drops the translation of {@code lin}, global or not, and every large-page piece. */
    public void invlpg(long lin) {
        int i = slot(lin);
        if (tag[i] == lin >>> 12) drop(i);
        if (largeCount > 0) for (int j = 0; j < ENTRIES; j++) if (large[j]) drop(j);
        invlpgs++;
    }

    private void drop(int i) {
        if (large[i]) { large[i] = false; largeCount--; }
        tag[i] = -1L;
        global[i] = false;
    }
}
