package dev.vmm.mmu;

/**
 * The paging controls a walk depends on (Intel SDM vol. 3, 4.1), packed so a vCPU passes one value.
 * Bits: CR0.WP, CR4.PSE, CR4.PAE, CR4.PGE, CR4.SMEP, CR4.SMAP, CR4.LA57, EFER.NXE, EFER.LMA (and RFLAGS.AC).
 */
public final class PagingMode {
    private PagingMode() { }

    public static final int WP = 1;
    public static final int PSE = 1 << 1;
    public static final int PAE = 1 << 2;
    public static final int PGE = 1 << 3;
    public static final int SMEP = 1 << 4;
    public static final int SMAP = 1 << 5;
    public static final int LA57 = 1 << 6;
    public static final int NXE = 1 << 7;
    public static final int LMA = 1 << 8;
    /**
     * RFLAGS.AC, for SMAP: not a paging control but part of the rights check of an explicit supervisor
     * access, so the caller ORs it into the mode of a walk. {@link #of} never sets it.
     */
    public static final int AC = 1 << 9;

    public static int of(long cr0, long cr4, long efer) {
        int m = 0;
        if ((cr0 & (1L << 16)) != 0) m |= WP;
        if ((cr4 & (1L << 4)) != 0) m |= PSE;
        if ((cr4 & (1L << 5)) != 0) m |= PAE;
        if ((cr4 & (1L << 7)) != 0) m |= PGE;
        if ((cr4 & (1L << 20)) != 0) m |= SMEP;
        if ((cr4 & (1L << 21)) != 0) m |= SMAP;
        if ((cr4 & (1L << 12)) != 0) m |= LA57;
        if ((efer & (1L << 11)) != 0) m |= NXE;
        if ((efer & (1L << 10)) != 0) m |= LMA;
        return m;
    }
}
