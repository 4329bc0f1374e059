package dev.vmm.cpu;

import dev.vmm.mmu.Access;

/**
 * Exception and interrupt delivery (SDM vol. 3, chapter 6): through the IVT in real mode, through
 * 32-bit/16-bit gates in protected mode and 64-bit gates in long mode, with the stack switch from the
 * TSS on a privilege change, IST stacks, error codes, and the double-fault and triple-fault rules
 * (SDM table 6-5: benign, contributory and page-fault classes).
 */
public final class Interrupts {
    private Interrupts() { }

    public static final int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8;
    public static final int TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19;
    private static final String[] MNEMONIC = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF",
        "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP"};

    public static String name(int vector) {
        return vector < MNEMONIC.length ? MNEMONIC[vector] : "vector " + vector;
    }

    private static boolean contributory(int v) { return v == DE || (v >= TS && v <= GP); }

    /** Delivers a fault raised by the instruction at RIP (the return address is that instruction). */
    static void exception(Cpu c, int vector, int errorCode) {
        // A pv hypervisor may resolve the fault itself: the instruction then restarts (RIP unchanged).
        if (vector == PF && c.hypervisor != null && c.hypervisor.pageFault(c, c.faultLinear, errorCode)) return;
        // Faults push RF=1, so the restarted instruction does not hit its own execute breakpoint again;
        // #DB (an instruction breakpoint's fault, or a trap) pushes RF as it is (SDM 17.3.1.1).
        if (vector != DB) c.flagsRest |= Flags.RF;
        deliverNested(c, vector, errorCode, c.rip, 0);
    }

    private static void deliverNested(Cpu c, int vector, int errorCode, long ret, int depth) {
        if (vector == PF) c.cr2 = c.faultLinear; // CR2 is written as the #PF is delivered, not when it is detected
        try {
            deliver(c, vector, errorCode, ret, false, true);
        } catch (CpuFault second) {
            int v2 = second.vector, e2 = second.errorCode;
            if (vector == DF || depth >= 2) {
                tripleFault(c, vector, v2, e2);
                return;
            }
            boolean df = (contributory(vector) && contributory(v2)) || (vector == PF && (contributory(v2) || v2 == PF));
            if (df) {
                if (v2 == PF) c.cr2 = c.faultLinear; // the page fault that turned into #DF
                try {
                    deliver(c, DF, 0, ret, false, true);
                } catch (CpuFault third) {
                    tripleFault(c, DF, third.vector, third.errorCode);
                }
            } else {
                deliverNested(c, v2, e2, ret, depth + 1);
            }
        }
    }

    private static void tripleFault(Cpu c, int first, int second, int err) {
        c.shutdown = true;
        c.shutdownReason = String.format("triple fault: %s%s while delivering %s, at RIP %#x (CS %#x)",
            name(second), err >= 0 ? String.format("(%#x)", err) : "", name(first), c.rip, c.segSel[Seg.CS]);
    }

    /** A software interrupt (INT n, INT3, INTO): the return address is the next instruction. */
    static void software(Cpu c, int vector, boolean checkDpl) {
        deliver(c, vector, -1, c.nextRip, checkDpl, false);
        c.nextRip = c.rip; // deliver already set RIP; keep the loop from overwriting it
    }

    /** Polls the interrupt controller (IF permitting); returns whether an interrupt was delivered. */
    static boolean checkExternal(Cpu c) {
        if ((c.flagsRest & Flags.IF) == 0 || !c.interrupts.pending()) return false;
        int vector = c.interrupts.acknowledge();
        if (vector < 0) return false;
        c.halted = false;
        try {
            deliver(c, vector, -1, c.rip, false, true);
        } catch (CpuFault f) {
            deliverNested(c, f.vector, f.errorCode, c.rip, 1);
        }
        return true;
    }

    /** An NMI at an instruction boundary: vector 2, whatever IF says. */
    static void deliverNmi(Cpu c) {
        try {
            deliver(c, NMI, -1, c.rip, false, true);
        } catch (CpuFault f) {
            deliverNested(c, f.vector, f.errorCode, c.rip, 1);
        }
    }

    /**
     * Pushes the interrupt frame and enters the handler. Raises a fault (caught by the caller) if the
     * IDT entry, the target code segment or the new stack is bad.
     */
    static void deliver(Cpu c, int vector, int err, long ret, boolean soft, boolean ext) {
        c.roLin = -1; // the frame's stores are no access through a data segment register
        int extBit = ext && !soft ? 1 : 0;
        if (c.eventTrace != null) c.eventTrace.delivery(c, vector, err, c.rip, soft, !soft && (vector >= 32 || vector == NMI));
        Watchpoints w = c.watches;
        if (w != null) w.delivering(c, vector);
        try {
            if ((c.cr0 & 1) == 0) deliverReal(c, vector, ret);
            else if ((c.efer & Msrs.EFER_LMA) != 0) deliverLong(c, vector, err, ret, soft, extBit);
            else deliverProtected(c, vector, err, ret, soft, extBit);
        } finally {
            if (w != null) w.delivered();
        }
    }

    private static void deliverReal(Cpu c, int vector, long ret) {
        if (vector * 4 + 3 > c.idtrLimit) throw c.gp(0);
        long ivt = c.read(c.idtrBase + vector * 4L, 4, Access.SYS_READ);
        long flags = c.rflags();
        long sp = c.r[4];
        long ssBase = c.segBase[Seg.SS];
        sp = (sp - 2) & 0xFFFF; c.write(ssBase + sp, 2, flags, Access.SYS_WRITE);
        sp = (sp - 2) & 0xFFFF; c.write(ssBase + sp, 2, c.segSel[Seg.CS], Access.SYS_WRITE);
        sp = (sp - 2) & 0xFFFF; c.write(ssBase + sp, 2, ret, Access.SYS_WRITE);
        c.setReg(4, 2, sp);
        c.flagsRest &= ~(Flags.IF | Flags.TF | Flags.AC | Flags.RF);
        Segments.loadCode(c, (int) (ivt >>> 16), false, 0);
        c.rip = ivt & 0xFFFF;
    }

    private static void checkGate(Cpu c, int vector, int dpl, boolean present, boolean soft, int extBit) {
        if (soft && dpl < c.cpl) throw c.gp(vector * 8 + 2);
        if (!present) throw c.raise(NP, vector * 8 + 2 + extBit);
    }

    /** The privilege level the target code segment runs at (its DPL, or the CPL if conforming). */
    private static int targetCpl(Cpu c, int sel, int vector, int extBit) {
        if ((sel & ~3) == 0) throw c.gp(extBit);
        long d = Segments.descriptor(c, sel);
        int attr = Segments.descAttr(d);
        if ((attr & Segments.ATTR_S) == 0 || (attr & Segments.TYPE_CODE) == 0) throw c.gp((sel & 0xFFFC) + extBit);
        int dpl = (attr >>> 5) & 3;
        int newCpl = (attr & Segments.TYPE_CONFORMING) != 0 ? c.cpl : dpl;
        if (newCpl > c.cpl) throw c.gp((sel & 0xFFFC) + extBit);
        if ((attr & Segments.ATTR_P) == 0) throw c.raise(NP, (sel & 0xFFFC) + extBit);
        return newCpl;
    }

    private static void deliverLong(Cpu c, int vector, int err, long ret, boolean soft, int extBit) {
        if (vector * 16 + 15 > c.idtrLimit) throw c.gp(vector * 8 + 2 + extBit);
        long gate = c.idtrBase + vector * 16L;
        long lo = c.read(gate, 8, Access.SYS_READ), hi = c.read(gate + 8, 8, Access.SYS_READ);
        int type = (int) (lo >>> 40) & 0xF;
        if (type != 0xE && type != 0xF) throw c.gp(vector * 8 + 2 + extBit);
        checkGate(c, vector, (int) (lo >>> 45) & 3, (lo & (1L << 47)) != 0, soft, extBit);
        int sel = (int) (lo >>> 16) & 0xFFFF;
        long target = (lo & 0xFFFF) | ((lo >>> 32) & 0xFFFF_0000L) | (hi << 32);
        int ist = (int) (lo >>> 32) & 7;
        int newCpl = targetCpl(c, sel, vector, extBit);
        long rsp;
        if (ist != 0) rsp = c.read(c.trBase + 0x24 + (ist - 1) * 8L, 8, Access.SYS_READ);
        else if (newCpl < c.cpl) rsp = c.read(c.trBase + 4 + newCpl * 8L, 8, Access.SYS_READ);
        else rsp = c.r[4];
        rsp &= ~0xFL;
        int acc = newCpl == 3 ? Access.WRITE : Access.SYS_WRITE;
        long[] frame = {c.segSel[Seg.SS], c.r[4], c.rflags(), c.segSel[Seg.CS], ret, err};
        int n = err >= 0 ? 6 : 5;
        for (int k = 0; k < n; k++) c.write(rsp - 8L * (k + 1), 8, frame[k], acc);
        int oldCpl = c.cpl;
        Segments.loadCode(c, sel, false, newCpl);
        if (newCpl != oldCpl) {
            c.segSel[Seg.SS] = newCpl;
            c.segBase[Seg.SS] = 0;
            c.segAttr[Seg.SS] = (newCpl << 5) | 0x93;
            c.segLimit[Seg.SS] = 0xFFFF_FFFFL;
            c.updateMode();
        }
        c.r[4] = rsp - 8L * n;
        c.flagsRest &= ~(Flags.TF | Flags.NT | Flags.RF | Flags.VM);
        if (type == 0xE) c.flagsRest &= ~Flags.IF;
        c.rip = target;
    }

    private static void deliverProtected(Cpu c, int vector, int err, long ret, boolean soft, int extBit) {
        if (vector * 8 + 7 > c.idtrLimit) throw c.gp(vector * 8 + 2 + extBit);
        long g = c.read(c.idtrBase + vector * 8L, 8, Access.SYS_READ);
        int type = (int) (g >>> 40) & 0xF;
        if (type != 0xE && type != 0xF && type != 0x6 && type != 0x7) throw c.gp(vector * 8 + 2 + extBit); // task gates: not yet
        checkGate(c, vector, (int) (g >>> 45) & 3, (g & (1L << 47)) != 0, soft, extBit);
        boolean gate32 = (type & 8) != 0;
        int sel = (int) (g >>> 16) & 0xFFFF;
        long target = (g & 0xFFFF) | (gate32 ? (g >>> 32) & 0xFFFF_0000L : 0);
        int newCpl = targetCpl(c, sel, vector, extBit);
        int size = gate32 ? 4 : 2;
        boolean switchStack = newCpl < c.cpl;
        int newSs = c.segSel[Seg.SS];
        long ssBase = c.segBase[Seg.SS];
        long esp = c.r[4] & 0xFFFF_FFFFL;
        if (switchStack) {
            esp = c.read(c.trBase + 4 + newCpl * 8L, 4, Access.SYS_READ);
            newSs = (int) c.read(c.trBase + 8 + newCpl * 8L, 2, Access.SYS_READ);
            long d = Segments.descriptor(c, newSs);
            ssBase = Segments.descBase(d);
        }
        int acc = newCpl == 3 ? Access.WRITE : Access.SYS_WRITE;
        long[] frame = {c.segSel[Seg.SS], c.r[4], c.rflags(), c.segSel[Seg.CS], ret, err};
        int first = switchStack ? 0 : 2;
        int last = err >= 0 ? 6 : 5;
        long sp = esp;
        for (int k = first; k < last; k++) {
            sp = (sp - size) & 0xFFFF_FFFFL;
            c.write((ssBase + sp) & 0xFFFF_FFFFL, size, frame[k], acc);
        }
        int oldCpl = c.cpl;
        Segments.loadCode(c, sel, false, newCpl);
        if (newCpl != oldCpl) {
            c.setCpl(newCpl);
            Segments.load(c, Seg.SS, newSs);
        }
        c.setReg(4, 4, sp);
        c.flagsRest &= ~(Flags.TF | Flags.NT | Flags.RF | Flags.VM);
        if ((type & 1) == 0) c.flagsRest &= ~Flags.IF;
        c.rip = target;
    }
}
