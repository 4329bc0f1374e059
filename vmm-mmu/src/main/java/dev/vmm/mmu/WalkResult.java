package dev.vmm.mmu;

/**
 * The outcome of one page walk, reused by its owner so that a walk allocates nothing.
 * On success {@link #errorCode} is -1; on a fault it holds the #PF error code (see {@link PageFaultCode}).
 */
public final class WalkResult {
    /** Physical address of the 4 KiB frame that holds the linear address (page-size independent). */
    public long frame;
    /** Combined rights of the walk as {@link Tlb} permission bits. */
    public int perm;
    /** log2 of the page size: 12, 21 or 30. */
    public int pageShift;
    /** Whether the leaf has G set (and CR4.PGE makes it count). */
    public boolean global;
    /** -1 when the walk succeeded, else the #PF error code. */
    public int errorCode;
    /** Physical address of the leaf entry (for the monitor and the checker), or of the entry that faulted. */
    public long leafEntryAddr;
    /** The leaf entry's value as found (before A/D updates). */
    public long leafEntry;

    /** The entries the walk used, top level first ({@link #levels} of them), for A-bit updates and the monitor. */
    public final long[] pathAddr = new long[5];
    public final long[] pathEntry = new long[5];
    public int levels;
    /** Paging level of each path entry (5 = PML5E ... 1 = PTE) for long-mode walks. */
    public final int[] pathLevel = new int[5];
    /** Rights combined down to and including each path entry. */
    final int[] pathRights = new int[5];
    /** Accessed/dirty bits this walk set (compare-and-set updates made). */
    public int adUpdates;
    /** The paging-structure cache level the walk started from (2 = PDE, 3 = PDPTE, 4 = PML4E), or 0. */
    public int pscLevel;
    final long[] pscOut = new long[2];
    /** Entry size in bytes for this walk's format (4 for 32-bit paging, else 8). */
    public int entrySize;

    public boolean ok() { return errorCode < 0; }

    void push(long addr, long entry) {
        pathAddr[levels] = addr;
        pathEntry[levels] = entry;
        levels++;
    }
}
