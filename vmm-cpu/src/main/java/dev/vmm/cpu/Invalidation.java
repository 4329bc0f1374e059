package dev.vmm.cpu;

import dev.vmm.mmu.PagingMode;
import dev.vmm.mmu.TlbChecker;
import dev.vmm.mmu.TlbStats;

import static dev.vmm.cpu.Cpu.INVPCID_ADDRESS;
import static dev.vmm.cpu.Cpu.INVPCID_ALL_GLOBAL;
import static dev.vmm.cpu.Cpu.INVPCID_CONTEXT;

/**
 * Everything that drops translations of a vCPU (SDM vol. 3, 4.10.4): MOV CR3, CR0/CR4 paging changes,
 * INVLPG, INVPCID and host-side shootdowns. Each also forgets the fetch path's current code page and
 * tells the TLB checker, when one is attached, what was invalidated.
 */
final class Invalidation {
    private Invalidation() { }

    /** MOV CR3 has loaded {@code cr3}: switch PCID and drop its non-global translations unless {@code noFlush}. */
    static void cr3Loaded(Cpu c, boolean noFlush) {
        int pc = c.currentPcid();
        c.tlb.setPcid(pc);
        if (noFlush) c.tlb.noteNoFlushCr3(); else c.tlb.flushPcid(pc, TlbStats.FlushCause.MOV_CR3);
        c.code.forgetCurrentPage();
        if (c.checker != null && !noFlush) c.checker.invalidated(TlbChecker.Scope.PCID, 0, pc);
    }

    /** A CR0 or CR4 change that invalidates every translation, global ones included (SDM 4.10.4.1). */
    static void pagingControlChanged(Cpu c, TlbStats.FlushCause cause) {
        c.tlb.flushAll(true, cause);
        c.tlb.setPcid(c.currentPcid());
        c.code.forgetCurrentPage();
        allInvalidated(c);
    }

    static void invlpg(Cpu c, long lin) {
        c.tlb.invlpg(lin);
        c.code.forgetCurrentPage();
        if (c.checker != null) c.checker.invalidated(TlbChecker.Scope.ADDRESS, lin, c.tlb.pcid());
    }

    /**
     * INVPCID: type 0 drops {@code lin} in {@code pcid} (not global translations), type 1 every non-global
     * translation of {@code pcid}, type 2 everything, type 3 everything but global translations. Checks
     * as the instruction does (#GP(0) for a type above 3, a PCID above 4095, a non-canonical address for
     * type 0, or a nonzero PCID with CR4.PCIDE=0 for types 0 and 1).
     */
    static void invpcid(Cpu c, int type, long pcid, long lin) {
        if (type < 0 || type > 3 || (pcid & ~0xFFFL) != 0) throw c.gp(0);
        boolean pcide = (c.cr4 & SystemRegs.CR4_PCIDE) != 0;
        switch (type) {
            case INVPCID_ADDRESS -> {
                if ((lin << 16) >> 16 != lin && (c.pagingMode & PagingMode.LA57) == 0) throw c.gp(0);
                if (!pcide && pcid != 0) throw c.gp(0);
                c.tlb.invalidateAddress(lin, (int) pcid);
                if (c.checker != null) c.checker.invalidated(TlbChecker.Scope.ADDRESS, lin, (int) pcid);
            }
            case INVPCID_CONTEXT -> {
                if (!pcide && pcid != 0) throw c.gp(0);
                c.tlb.flushPcid((int) pcid, TlbStats.FlushCause.INVPCID_CONTEXT);
                if (c.checker != null) c.checker.invalidated(TlbChecker.Scope.PCID, 0, (int) pcid);
            }
            case INVPCID_ALL_GLOBAL -> { c.tlb.flushAll(true, TlbStats.FlushCause.INVPCID_ALL_GLOBAL); allInvalidated(c); }
            default -> { c.tlb.flushAll(false, TlbStats.FlushCause.INVPCID_ALL); allInvalidated(c); }
        }
        c.code.forgetCurrentPage();
    }

    static void flushTlb(Cpu c, boolean includingGlobal) {
        if (includingGlobal) c.tlb.flushAll(true, TlbStats.FlushCause.HOST);
        else c.tlb.flushPcid(c.tlb.pcid(), TlbStats.FlushCause.HOST);
        c.code.forgetCurrentPage();
        if (c.checker != null) {
            if (includingGlobal) allInvalidated(c);
            else c.checker.invalidated(TlbChecker.Scope.PCID, 0, c.tlb.pcid());
        }
    }

    private static void allInvalidated(Cpu c) {
        if (c.checker != null) c.checker.invalidated(TlbChecker.Scope.ALL, 0, 0);
    }
}
