package dev.vmm.cpu;

import dev.vmm.mmu.Access;

/**
 * Segment registers and descriptor tables (SDM vol. 3, chapter 3 and 5): loading a selector checks the
 * descriptor it names and fills the register's hidden part (base, limit, attributes).
 *
 * <p>Attribute word = descriptor bits 40-55 with the limit bits 19:16 removed:
 * <pre>
 *  bits 0-3 type   4 S (code/data)   5-6 DPL   7 P   12 AVL   13 L (64-bit code)   14 D/B   15 G
 * </pre>
 */
final class Segments {
    private Segments() { }

    static final int ATTR_P = 1 << 7, ATTR_S = 1 << 4, ATTR_L = 1 << 13, ATTR_DB = 1 << 14, ATTR_G = 1 << 15;
    static final int TYPE_CODE = 8, TYPE_CONFORMING = 4, TYPE_RW = 2, TYPE_ACCESSED = 1;
    /** Attributes of a flat data segment and a flat 32-bit code segment, as Multiboot leaves them. */
    static final int FLAT_DATA = 0xC093, FLAT_CODE32 = 0xC09B;

    /** Power-on real mode (CS:IP set by the caller). */
    static void resetReal(Cpu c) {
        for (int s = 0; s < 6; s++) {
            c.segSel[s] = 0;
            c.segBase[s] = 0;
            c.segLimit[s] = 0xFFFF;
            c.segAttr[s] = s == Seg.CS ? 0x9B : 0x93;
        }
        c.cpl = 0;
        c.updateMode();
    }

    /** Protected mode with flat 4 GiB segments: CS = 0x08 (32-bit code), data = 0x10. */
    static void flatProtected(Cpu c) {
        c.cr0 |= 1;
        for (int s = 0; s < 6; s++) {
            c.segSel[s] = s == Seg.CS ? 0x08 : 0x10;
            c.segBase[s] = 0;
            c.segLimit[s] = 0xFFFF_FFFFL;
            c.segAttr[s] = s == Seg.CS ? FLAT_CODE32 : FLAT_DATA;
        }
        c.cpl = 0;
        c.updateMode();
    }

    static boolean protectedMode(Cpu c) { return (c.cr0 & 1) != 0 && (c.flagsRest & Flags.VM) == 0; }

    /** Reads the 8-byte descriptor a selector names; #GP(selector) when it lies outside its table. */
    static long descriptor(Cpu c, int sel) {
        long base, limit;
        if ((sel & 4) != 0) { base = c.ldtrBase; limit = c.ldtrSel == 0 ? -1 : c.ldtrLimit; }
        else { base = c.gdtrBase; limit = c.gdtrLimit; }
        int off = sel & ~7;
        if (off + 7 > limit) throw c.gp(sel & 0xFFFC);
        return c.read(descAddr(c, base + off), 8, Access.SYS_READ);
    }

    private static long descAddr(Cpu c, long a) { return c.codeMode == 64 ? a : a & 0xFFFF_FFFFL; }

    /** Sets the accessed bit of a descriptor in its table, as the processor does on a load. */
    private static void setAccessed(Cpu c, int sel, long desc) {
        if ((desc & (1L << 40)) != 0) return;
        long base = (sel & 4) != 0 ? c.ldtrBase : c.gdtrBase;
        long a = descAddr(c, base + (sel & ~7) + 5);
        c.write(a, 1, (int) (desc >>> 40) | 1, Access.SYS_WRITE);
    }

    static long descBase(long d) { return ((d >>> 16) & 0xFF_FFFFL) | (((d >>> 56) & 0xFF) << 24); }

    static long descLimit(long d) {
        long l = (d & 0xFFFF) | (((d >>> 48) & 0xF) << 16);
        return (d & (1L << 55)) != 0 ? (l << 12) | 0xFFF : l;
    }

    static int descAttr(long d) { return (int) (d >>> 40) & 0xF0FF; }

    private static void set(Cpu c, int seg, int sel, long desc) {
        c.segSel[seg] = sel;
        c.segBase[seg] = descBase(desc);
        c.segLimit[seg] = descLimit(desc);
        c.segAttr[seg] = descAttr(desc) | TYPE_ACCESSED;
    }

    /** MOV/POP to a data segment register or SS (SDM MOV, "Operation" for protected mode). */
    static void load(Cpu c, int seg, int sel) {
        sel &= 0xFFFF;
        if (!protectedMode(c)) {
            c.segSel[seg] = sel;
            c.segBase[seg] = (long) sel << 4;
            if ((c.cr0 & 1) != 0) { c.segLimit[seg] = 0xFFFF; c.segAttr[seg] = seg == Seg.CS ? 0xFB : 0xF3; } // virtual-8086
            c.updateMode();
            return;
        }
        if ((sel & ~3) == 0) {
            if (seg == Seg.SS && (c.codeMode != 64 || c.cpl == 3 || (sel & 3) != c.cpl)) throw c.gp(0);
            c.segSel[seg] = sel;
            c.segBase[seg] = 0;
            c.segLimit[seg] = 0;
            c.segAttr[seg] = seg == Seg.SS ? (c.cpl << 5) | 0x93 : 0; // unusable (SS stays usable in 64-bit mode)
            c.updateMode();
            return;
        }
        long d = descriptor(c, sel);
        int attr = descAttr(d);
        int type = attr & 0xF, dpl = (attr >>> 5) & 3, rpl = sel & 3;
        boolean code = (type & TYPE_CODE) != 0;
        if ((attr & ATTR_S) == 0) throw c.gp(sel & 0xFFFC);
        if (seg == Seg.SS) {
            if (code || (type & TYPE_RW) == 0 || rpl != c.cpl || dpl != c.cpl) throw c.gp(sel & 0xFFFC);
            if ((attr & ATTR_P) == 0) throw c.raise(Interrupts.SS, sel & 0xFFFC);
        } else {
            if (code && (type & TYPE_RW) == 0) throw c.gp(sel & 0xFFFC);
            boolean conforming = code && (type & TYPE_CONFORMING) != 0;
            if (!conforming && dpl < Math.max(c.cpl, rpl)) throw c.gp(sel & 0xFFFC);
            if ((attr & ATTR_P) == 0) throw c.raise(Interrupts.NP, sel & 0xFFFC);
        }
        setAccessed(c, sel, d);
        set(c, seg, sel, d);
        c.updateMode();
    }

    /**
     * Far JMP/CALL/RET to a code segment at the same privilege level, or an interrupt's target CS at
     * {@code newCpl} ({@code checkPrivilege} false). Returns after CS is loaded; RIP is the caller's.
     */
    static void loadCode(Cpu c, int sel, boolean checkPrivilege, int newCpl) {
        sel &= 0xFFFF;
        if (!protectedMode(c)) {
            c.segSel[Seg.CS] = sel;
            c.segBase[Seg.CS] = (long) sel << 4;
            c.updateMode();
            return;
        }
        if ((sel & ~3) == 0) throw c.gp(0);
        long d = descriptor(c, sel);
        int attr = descAttr(d);
        int type = attr & 0xF, dpl = (attr >>> 5) & 3, rpl = sel & 3;
        if ((attr & ATTR_S) == 0 || (type & TYPE_CODE) == 0) {
            throw c.gp(sel & 0xFFFC); // call gates, task gates and TSSs are not supported here yet
        }
        if (checkPrivilege) {
            boolean conforming = (type & TYPE_CONFORMING) != 0;
            if (conforming ? dpl > c.cpl : (rpl > c.cpl || dpl != c.cpl)) throw c.gp(sel & 0xFFFC);
            newCpl = c.cpl;
        }
        if ((attr & ATTR_P) == 0) throw c.raise(Interrupts.NP, sel & 0xFFFC);
        if ((attr & ATTR_L) != 0 && (attr & ATTR_DB) != 0 && (c.efer & Msrs.EFER_LMA) != 0) throw c.gp(sel & 0xFFFC);
        setAccessed(c, sel, d);
        set(c, Seg.CS, (sel & ~3) | newCpl, d);
        c.setCpl(newCpl);
        c.updateMode();
    }

    /** LTR: loads the task register from an available TSS descriptor and marks it busy. */
    static void loadTr(Cpu c, int sel) {
        if ((sel & ~3) == 0 || (sel & 4) != 0) throw c.gp(sel & 0xFFFC);
        long d = descriptor(c, sel);
        int attr = descAttr(d);
        int type = attr & 0xF;
        boolean lma = (c.efer & Msrs.EFER_LMA) != 0;
        if ((attr & ATTR_S) != 0 || (type != 9 && (type != 1 || lma))) throw c.gp(sel & 0xFFFC); // IA-32e: 64-bit TSS only
        if ((attr & ATTR_P) == 0) throw c.raise(Interrupts.NP, sel & 0xFFFC);
        long base = descBase(d);
        if (lma) base = systemBase64(c, sel, base);
        c.write(descAddr(c, c.gdtrBase + (sel & ~7) + 5), 1, (int) (d >>> 40) | 2, Access.SYS_WRITE); // busy
        c.trSel = sel;
        c.trBase = base;
        c.trLimit = descLimit(d);
        c.trAttr = attr | 2;
    }

    /**
     * IA-32e mode's 16-byte TSS and LDT descriptors (SDM vol. 3, 8.2.3): the upper half must lie within
     * the GDT limit, its type field (bits 12:8 of the fourth dword) must be 0, and the 64-bit base must
     * be canonical; each is #GP(selector).
     */
    private static long systemBase64(Cpu c, int sel, long lowBase) {
        if ((sel & ~7) + 15 > c.gdtrLimit) throw c.gp(sel & 0xFFFC);
        long hi = c.read(descAddr(c, c.gdtrBase + (sel & ~7) + 8), 8, Access.SYS_READ);
        if (((hi >>> 40) & 0x1F) != 0) throw c.gp(sel & 0xFFFC);
        long base = lowBase | (hi & 0xFFFF_FFFFL) << 32;
        if (!Msrs.canonical(base)) throw c.gp(sel & 0xFFFC);
        return base;
    }

    /** LLDT: loads the LDT register (a null selector leaves the LDT unusable). */
    static void loadLdt(Cpu c, int sel) {
        if ((sel & ~3) == 0) { c.ldtrSel = 0; c.ldtrBase = 0; c.ldtrLimit = 0; return; }
        if ((sel & 4) != 0) throw c.gp(sel & 0xFFFC);
        long d = descriptor(c, sel);
        int attr = descAttr(d);
        if ((attr & ATTR_S) != 0 || (attr & 0xF) != 2) throw c.gp(sel & 0xFFFC);
        if ((attr & ATTR_P) == 0) throw c.raise(Interrupts.NP, sel & 0xFFFC);
        long base = descBase(d);
        if ((c.efer & Msrs.EFER_LMA) != 0) base = systemBase64(c, sel, base);
        c.ldtrSel = sel;
        c.ldtrBase = base;
        c.ldtrLimit = descLimit(d);
        c.ldtrAttr = attr;
    }
}
