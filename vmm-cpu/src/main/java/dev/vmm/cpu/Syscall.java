package dev.vmm.cpu;

/**
 * SYSCALL and SYSRET (SDM vol. 2): the fast system call pair of long mode, with the selectors from
 * IA32_STAR, the 64-bit entry point from IA32_LSTAR, and RFLAGS masked by IA32_FMASK. The segment
 * registers are loaded with fixed flat descriptors, not from the GDT, exactly as the processor does.
 */
final class Syscall {
    private Syscall() { }

    static void syscall(Cpu c) {
        if ((c.efer & Msrs.EFER_SCE) == 0 || c.codeMode != 64) throw c.ud();
        int sel = (int) (c.msrs.star >>> 32) & 0xFFFC;
        c.r[1] = c.nextRip;
        c.r[11] = c.rflags() & ~Flags.RF;
        c.setRflags(c.rflags() & ~c.msrs.sfmask & ~Flags.RF);
        setFlat(c, Seg.CS, sel, 0xA09B);       // 64-bit code, DPL 0
        setFlat(c, Seg.SS, sel + 8, 0xC093);   // data, DPL 0
        c.setCpl(0);
        c.updateMode();
        c.nextRip = c.msrs.lstar;
    }

    static void sysret(Cpu c, int size) {
        if ((c.efer & Msrs.EFER_SCE) == 0 || c.codeMode != 64) throw c.ud();
        if (c.cpl != 0) throw c.gp(0);
        long target = size == 8 ? c.r[1] : c.r[1] & 0xFFFF_FFFFL;
        if (size == 8 && !Msrs.canonical(target)) throw c.gp(0); // Intel raises #GP at CPL 0 here
        int base = (int) (c.msrs.star >>> 48) & 0xFFFF;
        int cs = size == 8 ? base + 16 : base;
        setFlat(c, Seg.CS, cs | 3, size == 8 ? 0xA0FB : 0xC0FB);
        setFlat(c, Seg.SS, (base + 8) | 3, 0xC0F3);
        c.setRflags((c.r[11] & 0x3C_7FD7L) | 2);
        c.setCpl(3);
        c.updateMode();
        c.nextRip = target;
    }

    private static void setFlat(Cpu c, int seg, int sel, int attr) {
        c.segSel[seg] = sel;
        c.segBase[seg] = 0;
        c.segLimit[seg] = 0xFFFF_FFFFL;
        c.segAttr[seg] = attr;
    }
}
