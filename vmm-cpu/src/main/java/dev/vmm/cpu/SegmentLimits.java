package dev.vmm.cpu;

/**
 * Segment limit checks on memory accesses outside 64-bit mode (SDM vol. 3, 5.3): an offset beyond an
 * expand-up segment's limit, or within an expand-down segment's excluded range, or any access through
 * a null (unusable) segment, raises #GP(0), or #SS(0) when the segment is SS. Real mode checks too: a
 * segment keeps the limit it was given in protected mode ("big real mode"), 64 KiB otherwise.
 *
 * <p>Only the first byte of an access is checked here (callers that cover a multi-part operand compute
 * the later parts' addresses through {@link Cpu#linear} too). Writes through a segment that may not be
 * written (read-only data, a readable code segment in a data register) are #GP(0): while one is loaded
 * ({@link Cpu#roData}) every access is checked and the memory path compares each write with the last
 * address formed through a non-writable segment. Not covered: a CS-override write while every data
 * register is writable and CS flat, and reads through an execute-only CS override.
 */
final class SegmentLimits {
    private SegmentLimits() { }

    private static final long FOUR_GIB = 0xFFFF_FFFFL;

    /** Whether a segment needs no checks: present, base 0, limit 4 GiB, not expand-down data. */
    static boolean flat(long base, long limit, int attr) {
        return base == 0 && limit == FOUR_GIB && (attr & Segments.ATTR_P) != 0 && !expandDown(attr);
    }

    private static boolean expandDown(int attr) {
        return (attr & (Segments.ATTR_S | Segments.TYPE_CODE | Segments.TYPE_CONFORMING)) == (Segments.ATTR_S | Segments.TYPE_CONFORMING);
    }

    /**
     * Whether the access at {@code lin} that the executing instruction {@code d} made is a stack access:
     * its memory operand through SS, or (when {@code lin} is not within its memory operand) the implicit
     * stack of PUSH/POP/CALL/RET/ENTER/LEAVE/IRET. Used on the non-canonical fault path only.
     */
    static boolean stackAccess(Cpu c, Insn d, long lin) {
        if (d.mem) {
            long operand = c.linear(d.seg, c.ea(d));
            if (lin - operand >= 0 && lin - operand < 16) return d.seg == Seg.SS; // the operand (or its second page)
        }
        int op = d.op;
        return (op >= Op.PUSH_REG && op <= Op.POPA) || op == Op.CALL_REL || op == Op.CALL_RM || op == Op.RET
            || op == Op.CALL_FAR || op == Op.CALL_FAR_M || op == Op.RETF || op == Op.IRET
            || (op >= Op.L_CALL_REL && op <= Op.L_POP_REG);
    }

    /** Whether ES, SS, DS, FS or GS holds a present segment that may not be written (protected mode). */
    static boolean readOnlyDataLoaded(Cpu c) {
        if ((c.cr0 & 1) == 0 || (c.flagsRest & Flags.VM) != 0) return false; // real and virtual-8086 mode: no type checks
        for (int s = 0; s < 6; s++) {
            int attr = c.segAttr[s];
            if (s != Seg.CS && (attr & Segments.ATTR_P) != 0 && !writable(attr)) return true;
        }
        return false;
    }

    private static boolean writable(int attr) {
        return (attr & (Segments.ATTR_S | Segments.TYPE_CODE | Segments.TYPE_RW)) == (Segments.ATTR_S | Segments.TYPE_RW);
    }

    static void check(Cpu c, int seg, long offset) {
        int attr = c.segAttr[seg];
        if (c.roData) c.roLin = writable(attr) ? -1 : (c.segBaseEff[seg] + offset) & 0xFFFF_FFFFL;
        boolean ok;
        // a null selector was loaded in protected mode; real mode looks at the limit only
        if ((attr & Segments.ATTR_P) == 0) ok = (c.cr0 & 1) == 0 && offset <= c.segLimit[seg];
        else if (expandDown(attr)) {
            long upper = (attr & Segments.ATTR_DB) != 0 ? FOUR_GIB : 0xFFFF;
            ok = offset > c.segLimit[seg] && offset <= upper;
        } else {
            ok = offset <= c.segLimit[seg];
        }
        if (!ok) throw c.raise(seg == Seg.SS ? Interrupts.SS : Interrupts.GP, 0);
    }
}
