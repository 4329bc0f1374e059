package dev.vmm.core.pmap.amd64;

/**
 * amd64 page-table entry bits (FreeBSD's pmap.h names; Intel SDM vol. 3 tables 4-14 to 4-20) and the
 * kernel's address-space layout.
 * <pre>
 *  bit  0 PG_V   present            bit  7 PG_PS  2 MiB/1 GiB leaf (PDE/PDPE)
 *  bit  1 PG_RW  writeable          bit  8 PG_G   global (kernel pmap only)
 *  bit  2 PG_U   user               bit 10 PG_MANAGED  software: has a pv entry
 *  bit  5 PG_A   accessed           bit 11 PG_W        software: wired
 *  bit  6 PG_M   modified (dirty)   bit 54 PG_PROMOTED software, PDE: made by promotion
 *  bit 63 PG_NX  no execute         bits 51:12 PG_FRAME
 * </pre>
 * Layout (FreeBSD amd64 vmparam.h): user space [0, 2^47), the direct map of all RAM at
 * DMAP_MIN_ADDRESS (PML4 slot 496), kernel virtual addresses from VM_MIN_KERNEL_ADDRESS (slot 508).
 */
final class PmapBits {
    private PmapBits() { }

    static final long PG_V = 1L, PG_RW = 1L << 1, PG_U = 1L << 2, PG_PWT = 1L << 3, PG_PCD = 1L << 4;
    static final long PG_A = 1L << 5, PG_M = 1L << 6, PG_PS = 1L << 7, PG_G = 1L << 8;
    static final long PG_MANAGED = 1L << 10, PG_W = 1L << 11, PG_PROMOTED = 1L << 54, PG_NX = 1L << 63;
    static final long PG_FRAME = 0x000F_FFFF_FFFF_F000L;
    static final long PG_PS_FRAME = 0x000F_FFFF_FFE0_0000L;
    /** Bits that must agree in all 512 PTEs for a promotion (PG_PTE_PROMOTE; PG_A is tracked apart). */
    static final long PG_PTE_PROMOTE = PG_NX | PG_MANAGED | PG_W | PG_G | PG_PCD | PG_PWT | PG_M | PG_U | PG_RW | PG_V;

    static final long VM_MAXUSER_ADDRESS = 0x0000_8000_0000_0000L;
    static final long DMAP_MIN_ADDRESS = 0xFFFF_F800_0000_0000L;
    static final long VM_MIN_KERNEL_ADDRESS = 0xFFFF_FE00_0000_0000L;
    static final int NPTEPG = 512;
    static final int NUPML4E = 256;
    static final long NBPDR = 1L << 21, PDRMASK = NBPDR - 1;
    /** 1 GiB pages (psind 2): PDPE leaves with PG_PS; frame bits 51:30. */
    static final long NBPDP = 1L << 30, PDPMASK = NBPDP - 1, PG_PDPE_FRAME = 0x000F_FFFF_C000_0000L;
    /** 4 KiB pages in one 1 GiB mapping (its resident_count and wired_count weight). */
    static final long NPDPEPAGES = NBPDP >>> 12;
    /** pmap_invalidate_range turns into pmap_invalidate_all from this many pages on. */
    static final long INVALIDATE_ALL_PAGES = 4096;
    /** PMAP_TS_REFERENCED_MAX */
    static final int TS_REFERENCED_MAX = 5;
    /** pv entries per pv chunk page (_NPCPV). */
    static final int NPCPV = 168;

    static int pml4Index(long va) { return (int) (va >>> 39) & 511; }

    static int pdpIndex(long va) { return (int) (va >>> 30) & 511; }

    static int pdIndex(long va) { return (int) (va >>> 21) & 511; }

    static int ptIndex(long va) { return (int) (va >>> 12) & 511; }

    static boolean isUser(long va) { return va >= 0 && va < VM_MAXUSER_ADDRESS; }

    /** Sign-extends a 48-bit canonical address built from table indexes. */
    static long canonical(long va) { return (va << 16) >> 16; }
}
