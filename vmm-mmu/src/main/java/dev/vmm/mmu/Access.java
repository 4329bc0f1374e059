package dev.vmm.mmu;

/**
 * Kinds of memory access, as the page walker and TLB distinguish them (Intel SDM vol. 3, 4.6).
 * Implicit supervisor accesses (descriptor tables, TSS, IDT) are made with supervisor rights whatever
 * the CPL, so they are kinds of their own.
 */
public final class Access {
    private Access() { }

    public static final int READ = 0;
    public static final int WRITE = 1;
    public static final int EXEC = 2;
    /** Implicit supervisor-mode read (GDT/LDT/IDT/TSS) at any CPL. */
    public static final int SYS_READ = 3;
    /** Implicit supervisor-mode write (descriptor accessed bit, TSS busy bit). */
    public static final int SYS_WRITE = 4;
    public static final int KINDS = 5;

    public static boolean isWrite(int acc) { return acc == WRITE || acc == SYS_WRITE; }
}
