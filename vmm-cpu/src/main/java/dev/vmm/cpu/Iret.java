package dev.vmm.cpu;

/**
 * IRET/IRETD/IRETQ (SDM IRET "Operation"): real mode, protected mode to the same or an outer privilege
 * level, and IA-32e mode, where SS:RSP are always popped. Virtual-8086 returns and task returns
 * (NT=1) are not supported yet and raise #GP(0).
 */
final class Iret {
    private Iret() { }

    static void execute(Cpu c, int size) {
        boolean tf = (c.flagsRest & Flags.TF) != 0;
        load(c, size);
        if ((c.flagsRest & Flags.RF) != 0 && !c.debugArmed) Breakpoints.rfLoaded(c, tf);
    }

    private static void load(Cpu c, int size) {
        c.nmiBlocked = false; // IRET ends NMI blocking (SDM vol. 3, 6.7.1), even if it then faults
        c.iretLoadedRf = true; // RF comes from the popped image, not cleared at completion (SDM 17.3.1.1)
        if ((c.cr0 & 1) == 0) { real(c, size); return; }
        if ((c.flagsRest & Flags.NT) != 0 && (c.efer & Msrs.EFER_LMA) == 0) throw c.gp(0);
        int ss = Flow.stackAddrSize(c);
        long sp = c.r[4];
        long rip = read(c, ss, sp, size);
        int cs = (int) read(c, ss, sp + size, size) & 0xFFFF;
        long flags = read(c, ss, sp + 2L * size, size);
        int rpl = cs & 3;
        if (rpl < c.cpl) throw c.gp(cs & 0xFFFC);
        boolean longMode = (c.efer & Msrs.EFER_LMA) != 0;
        boolean outer = rpl > c.cpl;
        int oldCpl = c.cpl;
        if (longMode && c.codeMode == 64 || outer) {
            long newSp = read(c, ss, sp + 3L * size, size);
            int newSs = (int) read(c, ss, sp + 4L * size, size) & 0xFFFF;
            Segments.loadCode(c, cs, false, rpl);
            setFlags(c, flags, size, oldCpl);
            if ((newSs & ~3) == 0 && c.codeMode == 64 && rpl < 3) {
                c.segSel[Seg.SS] = newSs; // null SS is allowed when returning to 64-bit code at CPL < 3
                c.segAttr[Seg.SS] = (rpl << 5) | 0x93;
                c.segLimit[Seg.SS] = 0xFFFF_FFFFL;
                c.segBase[Seg.SS] = 0;
                c.updateMode();
            } else {
                Segments.load(c, Seg.SS, newSs);
            }
            c.r[4] = size == 8 || c.codeMode == 64 ? newSp : newSp & 0xFFFF_FFFFL;
            if (outer) nullifyDataSegments(c);
        } else {
            Segments.loadCode(c, cs, true, 0);
            setFlags(c, flags, size, oldCpl);
            c.setReg(4, ss, sp + 3L * size);
        }
        c.nextRip = Exec.mask(rip, c.codeMode == 64 ? 8 : size);
        if (c.codeMode != 64 && c.nextRip > c.segLimit[Seg.CS]) throw c.gp(0);
    }

    private static long read(Cpu c, int ss, long sp, int size) {
        return c.read(c.linear(Seg.SS, Exec.mask(sp, ss)), size);
    }

    private static void real(Cpu c, int size) {
        long ip = Flow.pop(c, size);
        int cs = (int) Flow.pop(c, size) & 0xFFFF;
        long flags = Flow.pop(c, size);
        Segments.loadCode(c, cs, false, 0);
        long keep = size == 2 ? c.rflags() & ~0xFFFFL : c.rflags() & (Flags.VM | Flags.VIF | Flags.VIP);
        long mask = size == 2 ? 0xFFFF : 0x3F_7FD5L & ~(Flags.VM | Flags.VIF | Flags.VIP);
        c.setRflags(keep | (flags & mask));
        c.nextRip = ip & 0xFFFF;
    }

    /** Applies the popped flags with IRET's privilege rules: IOPL at CPL 0 only, IF when CPL <= IOPL. */
    private static void setFlags(Cpu c, long v, int size, int oldCpl) {
        long cur = c.rflags();
        long changeable = Flags.CF | Flags.PF | Flags.AF | Flags.ZF | Flags.SF | Flags.TF | Flags.DF | Flags.OF
            | Flags.NT | Flags.RF | Flags.AC | Flags.ID;
        int iopl = (int) (cur >>> 12) & 3;
        if (oldCpl <= iopl) changeable |= Flags.IF;
        if (oldCpl == 0) changeable |= Flags.IOPL | Flags.VIF | Flags.VIP;
        if (size == 2) changeable &= 0xFFFF;
        c.setRflags((cur & ~changeable) | (v & changeable));
    }

    private static final int[] DATA_SEGMENTS = {Seg.ES, Seg.DS, Seg.FS, Seg.GS};

    /** After a return to an outer level, data segments the new CPL may not use become null (SDM RET). */
    static void nullifyDataSegments(Cpu c) {
        for (int s : DATA_SEGMENTS) {
            int attr = c.segAttr[s];
            boolean codeConforming = (attr & 0xC) == 0xC;
            int dpl = (attr >>> 5) & 3;
            if ((attr & Segments.ATTR_P) != 0 && !codeConforming && dpl < c.cpl && (c.segSel[s] & ~3) != 0) {
                c.segSel[s] = 0;
                c.segAttr[s] = 0;
            }
        }
        c.updateMode();
    }
}
