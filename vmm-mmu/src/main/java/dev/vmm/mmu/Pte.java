package dev.vmm.mmu;

/**
 * Bits of an x86-64 paging-structure entry (Intel SDM vol. 3, tables 4-14 to 4-20); FreeBSD calls
 * them PG_V, PG_RW, PG_U, PG_NC_PWT, PG_NC_PCD, PG_A, PG_M, PG_PS, PG_G, PG_NX.
 */
public final class Pte {
    private Pte() { }

    public static final long P = 1L;
    public static final long RW = 1L << 1;
    public static final long US = 1L << 2;
    public static final long PWT = 1L << 3;
    public static final long PCD = 1L << 4;
    public static final long A = 1L << 5;
    public static final long D = 1L << 6;
    /** Page size in a PDE/PDPTE; PAT in a 4 KiB PTE. */
    public static final long PS = 1L << 7;
    public static final long G = 1L << 8;
    public static final long NX = 1L << 63;
    /** Physical address bits 51:12 of the next table or the 4 KiB frame. */
    public static final long ADDR_MASK = 0x000F_FFFF_FFFF_F000L;
}
