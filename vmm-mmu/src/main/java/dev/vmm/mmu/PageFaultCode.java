package dev.vmm.mmu;

/**
 * Bits of the #PF error code (Intel SDM vol. 3, 4.7):
 * <pre>
 *  bit 0  P     0 = page not present, 1 = protection violation
 *  bit 1  W/R   the access was a write
 *  bit 2  U/S   the access was a user-mode access (CPL 3, not an implicit supervisor access)
 *  bit 3  RSVD  a reserved bit was set in a paging-structure entry
 *  bit 4  I/D   the access was an instruction fetch (reported when NX or SMEP is on)
 *  bit 5  PK    protection-key violation
 *  bit 6  SS    shadow-stack access
 * </pre>
 */
public final class PageFaultCode {
    private PageFaultCode() { }

    public static final int P = 1;
    public static final int W = 1 << 1;
    public static final int U = 1 << 2;
    public static final int RSVD = 1 << 3;
    public static final int ID = 1 << 4;
    public static final int PK = 1 << 5;
    public static final int SS = 1 << 6;
}
