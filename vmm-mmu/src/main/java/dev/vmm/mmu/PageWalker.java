package dev.vmm.mmu;

/**
 * The hardware page walker: translates a linear address through the paging structures in guest RAM,
 * checks access rights, and sets accessed and dirty bits atomically (a LOCKed update, as the processor
 * does), or reports the #PF error code.
 *
 * <p>Modes (Intel SDM vol. 3, chapter 4): 4-level and 5-level paging (EFER.LMA, CR4.LA57), PAE paging
 * (CR4.PAE, 4-entry PDPT located by CR3) and 32-bit paging (4 MiB pages with CR4.PSE).
 *
 * <p>Rights (SDM 4.6): a user-mode access needs U/S=1 at every level; a write needs R/W=1 at every level
 * unless it is a supervisor access with CR0.WP=0; an instruction fetch faults when any level has XD=1
 * (EFER.NXE=1), and a supervisor fetch from a user page faults with CR4.SMEP; with CR4.SMAP a supervisor
 * data access to a user page faults unless it is explicit and RFLAGS.AC=1 ({@link PagingMode#AC}), an
 * implicit one (descriptor tables) always. Reserved bits (RSVD):
 * bits above MAXPHYADDR, XD when EFER.NXE=0, PS in a PML4E/PML5E, the low bits of a large-page address.
 *
 * <p>Accessed and dirty bits are set only by a walk that succeeds: A in every entry used, D in the leaf
 * for a write, each with a compare-and-set so a concurrent change by another vCPU is not lost.
 *
 * <p>Thread safety: stateless apart from the caller's {@link WalkResult}.
 */
public final class PageWalker {
    /** Physical address width this CPU reports in CPUID 0x80000008 (QEMU's default is 40 too). */
    public static final int MAXPHYADDR = 40;
    private static final long PHYS_RSVD = ((1L << 52) - 1) & ~((1L << MAXPHYADDR) - 1);
    private static final int RSVD_FAULT = PageFaultCode.RSVD | PageFaultCode.P;

    private final PhysicalMemory mem;

    public PageWalker(PhysicalMemory mem) { this.mem = mem; }

    public PhysicalMemory memory() { return mem; }

    /**
     * Walks for {@code lin}. {@code user} is true for CPL-3 accesses other than implicit supervisor ones.
     * With {@code sideEffects} false nothing in RAM changes (the monitor's and checker's walks).
     * Returns whether the access is allowed; {@code r} holds the frame or the error code.
     */
    public boolean walk(long cr3, int mode, long lin, int acc, boolean user, boolean sideEffects, WalkResult r) {
        return walk(cr3, mode, lin, acc, user, sideEffects, r, null, 0);
    }

    /**
     * A walk that may start from, and fills, a vCPU's paging-structure caches ({@code psc} may be null;
     * it is only used with 4-level and 5-level paging and only when {@code sideEffects} is true).
     */
    public boolean walk(long cr3, int mode, long lin, int acc, boolean user, boolean sideEffects, WalkResult r,
                        PagingStructureCache psc, int pcid) {
        r.levels = 0;
        r.adUpdates = 0;
        r.pscLevel = 0;
        if ((mode & PagingMode.LMA) != 0) return walkLong(cr3, mode, lin, acc, user, sideEffects, r, sideEffects ? psc : null, pcid);
        if ((mode & PagingMode.PAE) != 0) return walkPae(cr3, mode, lin, acc, user, sideEffects, r);
        return walk32(cr3, mode & ~PagingMode.NXE, lin, acc, user, sideEffects, r);
    }

    private boolean walkLong(long cr3, int mode, long lin, int acc, boolean user, boolean se, WalkResult r,
                             PagingStructureCache psc, int pcid) {
        boolean la57 = (mode & PagingMode.LA57) != 0;
        long rsvd = PHYS_RSVD | ((mode & PagingMode.NXE) != 0 ? 0 : Pte.NX);
        long table = cr3 & Pte.ADDR_MASK & ~PHYS_RSVD;
        r.entrySize = 8;
        int combined = Tlb.ALL_RIGHTS;
        int top = la57 ? 5 : 4;
        if (psc != null) {
            int hit = psc.lookup(lin, pcid, r.pscOut);
            if (hit != 0) {
                r.pscLevel = hit;
                table = r.pscOut[0];
                combined = (int) r.pscOut[1];
                top = hit - 1;
            }
        }
        int shift = 12 + 9 * (top - 1);
        for (int level = top; ; level--, shift -= 9) {
            long eAddr = table + (((lin >>> shift) & 0x1FF) << 3);
            long e = mem.read64(eAddr);
            r.push(eAddr, e);
            r.pathLevel[r.levels - 1] = level;
            if ((e & Pte.P) == 0) return fail(r, 0, acc, user, mode);
            long lvRsvd = rsvd;
            boolean leaf = level == 1;
            if ((e & Pte.PS) != 0 && level > 1) {
                if (level >= 4) lvRsvd |= Pte.PS;
                else { lvRsvd |= level == 3 ? 0x3FFF_E000L : 0x1F_E000L; leaf = true; }
            }
            if ((e & lvRsvd) != 0) return fail(r, RSVD_FAULT, acc, user, mode);
            combined = Tlb.restrict(combined, e);
            r.pathRights[r.levels - 1] = combined;
            if (leaf) {
                r.pageShift = shift;
                long frame = (e & Pte.ADDR_MASK & ~((1L << shift) - 1)) | (lin & ((1L << shift) - 1) & ~0xFFFL);
                if (!finish(r, mode, acc, user, se, combined, frame)) return false;
                if (psc != null) {
                    for (int i = 0; i < r.levels - 1; i++) {
                        int lv = r.pathLevel[i];
                        if (lv <= 4) psc.insert(lv, lin, pcid, r.pathEntry[i] & Pte.ADDR_MASK, r.pathRights[i]);
                    }
                }
                return true;
            }
            table = e & Pte.ADDR_MASK;
        }
    }

    private boolean walkPae(long cr3, int mode, long lin, int acc, boolean user, boolean se, WalkResult r) {
        long rsvd = PHYS_RSVD | ((mode & PagingMode.NXE) != 0 ? 0 : Pte.NX);
        r.entrySize = 8;
        // The PDPTEs have no A bit and no rights (SDM 4.4.1); they are read here rather than kept in
        // PDPTE registers loaded at MOV CR3, which only differs for a guest that rewrites its live PDPT.
        long pdpteAddr = (cr3 & 0xFFFF_FFE0L) + (((lin >>> 30) & 3) << 3);
        long pdpte = mem.read64(pdpteAddr);
        r.push(pdpteAddr, pdpte);
        if ((pdpte & Pte.P) == 0) return fail(r, 0, acc, user, mode);
        // PDPTE reserved bits (SDM table 4-8): 2:1, 8:5, 63 and those above MAXPHYADDR. Real processors
        // check them at MOV CR3 (#GP); the walk is where this model reads the PDPTEs.
        if ((pdpte & (PHYS_RSVD | Pte.NX | 0x1E6L)) != 0) return fail(r, RSVD_FAULT, acc, user, mode);
        long eAddr = (pdpte & Pte.ADDR_MASK) + (((lin >>> 21) & 0x1FF) << 3);
        long e = mem.read64(eAddr);
        r.push(eAddr, e);
        if ((e & Pte.P) == 0) return fail(r, 0, acc, user, mode);
        int combined = Tlb.ALL_RIGHTS;
        if ((e & Pte.PS) != 0) {
            if ((e & (rsvd | 0x1F_E000L)) != 0) return fail(r, RSVD_FAULT, acc, user, mode);
            r.pageShift = 21;
            long frame = (e & Pte.ADDR_MASK & ~0x1F_FFFFL) | (lin & 0x1F_F000L);
            return finish(r, mode, acc, user, se, Tlb.restrict(combined, e), frame);
        }
        if ((e & rsvd) != 0) return fail(r, RSVD_FAULT, acc, user, mode);
        combined = Tlb.restrict(combined, e);
        eAddr = (e & Pte.ADDR_MASK) + (((lin >>> 12) & 0x1FF) << 3);
        e = mem.read64(eAddr);
        r.push(eAddr, e);
        if ((e & Pte.P) == 0) return fail(r, 0, acc, user, mode);
        if ((e & rsvd) != 0) return fail(r, RSVD_FAULT, acc, user, mode);
        r.pageShift = 12;
        return finish(r, mode, acc, user, se, Tlb.restrict(combined, e), e & Pte.ADDR_MASK);
    }

    private boolean walk32(long cr3, int mode, long lin, int acc, boolean user, boolean se, WalkResult r) {
        r.entrySize = 4;
        long pdeAddr = (cr3 & 0xFFFF_F000L) + (((lin >>> 22) & 0x3FF) << 2);
        long pde = mem.read32(pdeAddr) & 0xFFFF_FFFFL;
        r.push(pdeAddr, pde);
        if ((pde & Pte.P) == 0) return fail(r, 0, acc, user, mode);
        int combined = Tlb.restrict(Tlb.ALL_RIGHTS, pde);
        if ((pde & Pte.PS) != 0 && (mode & PagingMode.PSE) != 0) {
            // 4 MiB page: bits 31:22, and PSE-36 bits 20:13 as physical bits 39:32; bit 21 reserved.
            if ((pde & (1L << 21)) != 0) return fail(r, RSVD_FAULT, acc, user, mode);
            r.pageShift = 22;
            long frame = (pde & 0xFFC0_0000L) | (((pde >>> 13) & 0xFF) << 32) | (lin & 0x3F_F000L);
            return finish(r, mode, acc, user, se, combined, frame);
        }
        long pteAddr = (pde & 0xFFFF_F000L) + (((lin >>> 12) & 0x3FF) << 2);
        long pte = mem.read32(pteAddr) & 0xFFFF_FFFFL;
        r.push(pteAddr, pte);
        if ((pte & Pte.P) == 0) return fail(r, 0, acc, user, mode);
        r.pageShift = 12;
        return finish(r, mode, acc, user, se, Tlb.restrict(combined, pte), pte & 0xFFFF_F000L);
    }

    /** The leaf was reached: check rights, then set A (every level) and D (leaf, on a write). */
    private boolean finish(WalkResult r, int mode, int acc, boolean user, boolean se, int combined, long frame) {
        long leaf = r.pathEntry[r.levels - 1];
        if ((leaf & Pte.D) == 0) combined |= Tlb.CLEAN;
        if ((combined & Tlb.SUPER) == 0) combined |= Tlb.USER; // a user-mode address (SMEP, SMAP)
        int deny = Tlb.denyMask(acc, user, mode) & ~Tlb.CLEAN;
        // SMAP lets explicit supervisor data accesses reach user pages while RFLAGS.AC=1 (SDM 4.6.1).
        if ((mode & PagingMode.AC) != 0 && (acc == Access.READ || acc == Access.WRITE) && !user) deny &= ~Tlb.USER;
        if ((combined & deny) != 0) {
            return fail(r, PageFaultCode.P, acc, user, mode);
        }
        if (se) {
            boolean write = Access.isWrite(acc);
            // PAE paging's PDPTEs have no accessed bit (SDM 4.4.1): the walk starts A-bit updates below them.
            int first = (mode & (PagingMode.LMA | PagingMode.PAE)) == PagingMode.PAE ? 1 : 0;
            for (int i = first; i < r.levels; i++) {
                long e = r.pathEntry[i];
                long want = Pte.A | (write && i == r.levels - 1 ? Pte.D : 0);
                if ((e & want) != want) { setBits(r.pathAddr[i], r.entrySize, e, want); r.adUpdates++; }
            }
            if (write) combined &= ~Tlb.CLEAN;
        }
        r.leafEntryAddr = r.pathAddr[r.levels - 1];
        r.leafEntry = leaf;
        r.frame = frame;
        r.perm = combined;
        r.global = (leaf & Pte.G) != 0 && (mode & PagingMode.PGE) != 0;
        r.errorCode = -1;
        return true;
    }

    /** ORs bits into an entry with compare-and-set, retrying if another vCPU changed it meanwhile. */
    private void setBits(long addr, int size, long seen, long bits) {
        long cur = seen;
        while (true) {
            long found = mem.cmpxchg(addr, size, cur, cur | bits);
            if (found == cur || (found & bits) == bits) return;
            cur = found;
        }
    }

    private static boolean fail(WalkResult r, int code, int acc, boolean user, int mode) {
        if (Access.isWrite(acc)) code |= PageFaultCode.W;
        if (user) code |= PageFaultCode.U;
        if (acc == Access.EXEC && (mode & (PagingMode.NXE | PagingMode.SMEP)) != 0) code |= PageFaultCode.ID;
        r.errorCode = code;
        r.leafEntryAddr = r.pathAddr[r.levels - 1];
        r.leafEntry = r.pathEntry[r.levels - 1];
        return false;
    }
}
