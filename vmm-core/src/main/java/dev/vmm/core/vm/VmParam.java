package dev.vmm.core.vm;

/**
 * The machine-independent constants of FreeBSD's VM: protections (vm/vm.h), Mach return codes
 * (sys/mach/kern_return, vm/vm_param.h), inheritance and advice (sys/mman.h), page sizes.
 * Faults and calls return these codes; exceptions are kept for bugs in the VMM itself.
 */
public final class VmParam {
    private VmParam() { }

    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    public static final long PAGE_MASK = PAGE_SIZE - 1;
    /** 2 MiB: pagesizes[1] on amd64. */
    public static final int PDRSHIFT = 21;
    public static final long NBPDR = 1L << PDRSHIFT;
    public static final long PDRMASK = NBPDR - 1;
    /** 1 GiB: pagesizes[2]. */
    public static final long NBPDP = 1L << 30;
    /** Pages per 2 MiB superpage (NPTEPG). */
    public static final int NPTEPG = 512;

    // vm_prot_t
    public static final int VM_PROT_NONE = 0, VM_PROT_READ = 1, VM_PROT_WRITE = 2, VM_PROT_EXECUTE = 4;
    public static final int VM_PROT_RW = VM_PROT_READ | VM_PROT_WRITE;
    public static final int VM_PROT_ALL = VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE;

    // kern_return_t
    public static final int KERN_SUCCESS = 0, KERN_INVALID_ADDRESS = 1, KERN_PROTECTION_FAILURE = 2,
        KERN_NO_SPACE = 3, KERN_INVALID_ARGUMENT = 4, KERN_FAILURE = 5, KERN_RESOURCE_SHORTAGE = 6,
        KERN_NOT_RECEIVER = 7, KERN_NO_ACCESS = 8, KERN_OUT_OF_BOUNDS = 9, KERN_RESTART = 10;

    private static final String[] KERN_NAMES = {"KERN_SUCCESS", "KERN_INVALID_ADDRESS", "KERN_PROTECTION_FAILURE",
        "KERN_NO_SPACE", "KERN_INVALID_ARGUMENT", "KERN_FAILURE", "KERN_RESOURCE_SHORTAGE", "KERN_NOT_RECEIVER",
        "KERN_NO_ACCESS", "KERN_OUT_OF_BOUNDS", "KERN_RESTART"};

    public static String kernName(int rv) {
        return rv >= 0 && rv < KERN_NAMES.length ? KERN_NAMES[rv] : "kern_return " + rv;
    }

    // vm_inherit_t
    public static final int VM_INHERIT_SHARE = 0, VM_INHERIT_COPY = 1, VM_INHERIT_NONE = 2;

    // madvise(2)
    public static final int MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3,
        MADV_DONTNEED = 4, MADV_FREE = 5;

    // mincore(2) result bits
    public static final int MINCORE_INCORE = 0x1, MINCORE_REFERENCED = 0x2, MINCORE_MODIFIED = 0x4,
        MINCORE_REFERENCED_OTHER = 0x8, MINCORE_MODIFIED_OTHER = 0x10, MINCORE_SUPER = 0x60;

    public static int mincorePsind(int psind) { return psind << 5; }

    public static long truncPage(long a) { return a & ~PAGE_MASK; }

    public static long roundPage(long a) { return (a + PAGE_MASK) & ~PAGE_MASK; }

    public static long atop(long a) { return a >>> PAGE_SHIFT; }

    public static long ptoa(long p) { return p << PAGE_SHIFT; }
}
