package dev.vmm.cpu;

/**
 * LAR, LSL, VERR and VERW (SDM vol. 2): ask about a selector without loading it. None of them faults
 * on a bad selector (only on the memory operand itself); ZF reports whether the descriptor was valid
 * and visible: outside its table, null, not present for LAR/LSL types, or with DPL below max(CPL, RPL)
 * (conforming code excepted) gives ZF=0 and leaves the destination unchanged.
 */
final class SegmentQueries {
    private SegmentQueries() { }

    static final int LAR = 0, LSL = 1, VERR = 2, VERW = 3;

    /** System descriptor types LAR accepts (16/32-bit TSS, LDT, gates) and those LSL accepts (TSS, LDT). */
    private static boolean systemTypeOk(int kind, int type, boolean longMode) {
        if (longMode) return kind == LAR ? type == 2 || type == 9 || type == 11 || type == 12 : type == 2 || type == 9 || type == 11;
        return kind == LAR ? type != 0 && type != 8 && type != 10 && type != 13 && type != 14 && type != 15
            : type == 1 || type == 2 || type == 3 || type == 9 || type == 11;
    }

    static void execute(Cpu c, Insn d, int kind) {
        if (!Segments.protectedMode(c)) throw c.ud();
        int sel = (int) Exec.readRm(c, d, 2) & 0xFFFF;
        long desc = visibleDescriptor(c, sel, kind);
        long f = c.rflags() & ~Flags.ZF;
        if (desc == 0) { c.setRflags(f); return; }
        c.setRflags(f | Flags.ZF);
        if (kind == LAR) c.setReg(d.reg, d.osize, (desc >>> 32) & (d.osize == 2 ? 0xFF00 : 0x00FF_FF00L)); // limit 19:16 included, as Intel does
        else if (kind == LSL) c.setReg(d.reg, d.osize, Segments.descLimit(desc));
    }

    /** The descriptor when the query succeeds, else 0 (a valid descriptor is never all zeros). */
    private static long visibleDescriptor(Cpu c, int sel, int kind) {
        if ((sel & ~3) == 0) return 0;
        long base, limit;
        if ((sel & 4) != 0) {
            if (c.ldtrSel == 0) return 0;
            base = c.ldtrBase;
            limit = c.ldtrLimit;
        } else {
            base = c.gdtrBase;
            limit = c.gdtrLimit;
        }
        if ((sel & ~7) + 7 > limit) return 0;
        long desc = c.read(c.codeMode == 64 ? base + (sel & ~7) : (base + (sel & ~7)) & 0xFFFF_FFFFL, 8, dev.vmm.mmu.Access.SYS_READ);
        int attr = Segments.descAttr(desc), type = attr & 0xF, dpl = (attr >>> 5) & 3, rpl = sel & 3;
        boolean codeOrData = (attr & Segments.ATTR_S) != 0;
        boolean code = codeOrData && (type & Segments.TYPE_CODE) != 0;
        boolean conformingCode = code && (type & Segments.TYPE_CONFORMING) != 0;
        if (kind == VERR || kind == VERW) {
            if (!codeOrData) return 0;
            if (kind == VERR && code && (type & Segments.TYPE_RW) == 0) return 0;
            if (kind == VERW && (code || (type & Segments.TYPE_RW) == 0)) return 0;
        } else if (!codeOrData && !systemTypeOk(kind, type, (c.efer & Msrs.EFER_LMA) != 0)) {
            return 0;
        }
        if (!conformingCode && dpl < Math.max(c.cpl, rpl)) return 0;
        return desc; // the present bit is not checked by any of the four
    }
}
