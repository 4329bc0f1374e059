package dev.vmm.cpu;

/**
 * The stack and control transfer (SDM PUSH, POP, CALL, RET, Jcc, JMP, LOOP, ENTER, LEAVE, INT, IRET):
 * near and far forms, with the stack address size taken from SS.B (or 64 bits in 64-bit mode).
 */
final class Flow {
    private Flow() { }

    static int stackAddrSize(Cpu c) {
        return c.codeMode == 64 ? 8 : (c.segAttr[Seg.SS] & Segments.ATTR_DB) != 0 ? 4 : 2;
    }

    static void push(Cpu c, int size, long v) {
        int ss = stackAddrSize(c);
        long sp = Exec.mask(c.r[4] - size, ss);
        c.write(c.linear(Seg.SS, sp), size, v);
        c.setReg(4, ss, sp);
    }

    /**
     * PUSH Sreg with a 32/64-bit operand size moves the slot by 4/8 bytes but writes only the 16-bit
     * selector, leaving the rest of the slot as it was, as recent Intel processors do (SDM PUSH).
     */
    private static void pushSelector(Cpu c, int size, int sel) {
        int ss = stackAddrSize(c);
        long sp = Exec.mask(c.r[4] - size, ss);
        c.write(c.linear(Seg.SS, sp), 2, sel);
        c.setReg(4, ss, sp);
    }

    static long pop(Cpu c, int size) {
        int ss = stackAddrSize(c);
        long v = c.read(c.linear(Seg.SS, Exec.mask(c.r[4], ss)), size);
        c.setReg(4, ss, c.r[4] + size);
        return v;
    }

    /** Reads the stack slot {@code offset} bytes above the top without popping. */
    private static long peek(Cpu c, int size, int offset) {
        int ss = stackAddrSize(c);
        return c.read(c.linear(Seg.SS, Exec.mask(c.r[4] + offset, ss)), size);
    }

    /** Sets the branch target, truncated to the operand size; #GP(0) for a non-canonical target. */
    /** A 64-bit branch target, or #GP(0) when it is not canonical (the branch does not happen). */
    static long canonical(Cpu c, long target) {
        if ((target << 16) >> 16 != target) throw c.gp(0);
        return target;
    }

    static void jump(Cpu c, long target, int size) {
        target = Exec.mask(target, size);
        if (size == 8 && (target << 16) >> 16 != target) throw c.gp(0);
        checkCsLimit(c, target);
        c.nextRip = target;
    }

    /** Outside 64-bit mode a near branch beyond the code segment's limit is #GP(0), before anything changes. */
    static void checkCsLimit(Cpu c, long target) {
        if (c.codeMode != 64 && target > c.segLimit[Seg.CS]) throw c.gp(0);
    }

    static void stack(Cpu c, Insn d) {
        int size = d.osize;
        switch (d.op) {
            case Op.PUSH_REG -> push(c, size, c.reg(d.rm, size));
            case Op.POP_REG -> c.setReg(d.rm, size, pop(c, size));
            case Op.PUSH_IMM -> push(c, size, d.imm);
            case Op.PUSH_RM -> push(c, size, Exec.readRm(c, d));
            case Op.POP_RM -> {
                long v = peek(c, size, 0);
                // The destination's address is computed with RSP already incremented (SDM POP).
                int ss = stackAddrSize(c);
                long oldSp = c.r[4];
                c.setReg(4, ss, c.r[4] + size);
                try { Exec.writeRm(c, d, v); } catch (CpuFault f) { c.r[4] = oldSp; throw f; }
            }
            case Op.PUSH_SEG -> pushSelector(c, size, c.segSel[d.sub]);
            case Op.POP_SEG -> {
                long v = peek(c, size, 0);
                Segments.load(c, d.sub, (int) v);
                c.setReg(4, stackAddrSize(c), c.r[4] + size);
                if (d.sub == Seg.SS) c.inhibitInterrupts = true;
            }
            case Op.PUSHF -> Sys.pushf(c, size);
            case Op.POPF -> Sys.popf(c, size);
            case Op.LEAVE -> {
                int ss = stackAddrSize(c);
                long bp = c.reg(5, ss);
                long v = c.read(c.linear(Seg.SS, bp), size);
                c.setReg(4, ss, bp + size);
                c.setReg(5, size, v);
            }
            case Op.ENTER -> enter(c, d);
            case Op.PUSHA -> {
                long sp = c.reg(4, size);
                for (int r = 0; r < 8; r++) push(c, size, r == 4 ? sp : c.reg(r, size));
            }
            case Op.POPA -> {
                for (int r = 7; r >= 0; r--) {
                    long v = pop(c, size);
                    if (r != 4) c.setReg(r, size, v);
                }
            }
            default -> throw c.ud();
        }
    }

    private static void enter(Cpu c, Insn d) {
        int size = d.osize, ss = stackAddrSize(c);
        int level = (int) (d.imm2 & 31);
        push(c, size, c.reg(5, size));
        long frame = c.reg(4, ss);
        if (level > 0) {
            long bp = c.reg(5, ss);
            for (int i = 1; i < level; i++) {
                bp = Exec.mask(bp - size, ss);
                push(c, size, c.read(c.linear(Seg.SS, bp), size));
            }
            push(c, size, frame);
        }
        c.setReg(5, size, frame);
        c.setReg(4, ss, c.reg(4, ss) - d.imm);
    }

    static void control(Cpu c, Insn d) {
        int size = d.osize;
        switch (d.op) {
            case Op.CALL_REL -> {
                long target = Exec.mask(c.nextRip + d.imm, size);
                if (size == 8 && (target << 16) >> 16 != target) throw c.gp(0);
                checkCsLimit(c, target);
                push(c, size, c.nextRip);
                c.nextRip = target;
            }
            case Op.JMP_RM -> jump(c, Exec.readRm(c, d), size);
            case Op.CALL_RM -> {
                long target = Exec.mask(Exec.readRm(c, d), size);
                if (size == 8 && (target << 16) >> 16 != target) throw c.gp(0);
                checkCsLimit(c, target);
                push(c, size, c.nextRip);
                c.nextRip = target;
            }
            case Op.RET -> {
                long target = peek(c, size, 0);
                jump(c, target, size);
                c.setReg(4, stackAddrSize(c), c.r[4] + size + d.imm);
            }
            case Op.LOOP -> {
                long cx = Exec.mask(c.r[1] - 1, d.asize);
                c.setReg(1, d.asize, cx);
                boolean go = cx != 0 && (d.sub == 2 || (d.sub == 1) == Flags.zf(c));
                if (go) jump(c, c.nextRip + d.imm, size);
            }
            case Op.JCXZ -> { if (c.reg(1, d.asize) == 0) jump(c, c.nextRip + d.imm, size); }
            case Op.JMP_FAR -> farJump(c, (int) d.imm2, d.imm, size);
            case Op.JMP_FAR_M, Op.CALL_FAR_M -> {
                long la = c.lin(d);
                long off = c.read(la, size);
                int sel = (int) c.read(c.linear(d.seg, Exec.mask(c.ea(d) + size, d.asize)), 2);
                if (d.op == Op.JMP_FAR_M) farJump(c, sel, off, size); else farCall(c, sel, off, size);
            }
            case Op.CALL_FAR -> farCall(c, (int) d.imm2, d.imm, size);
            case Op.RETF -> farReturn(c, size, d.imm);
            case Op.IRET -> Iret.execute(c, size);
            case Op.INT3 -> Interrupts.software(c, Interrupts.BP, true);
            case Op.INT -> {
                if ((c.cr0 & 1) != 0 && (c.flagsRest & Flags.VM) != 0 && ((c.flagsRest >>> 12) & 3) < 3) throw c.gp(0);
                Interrupts.software(c, (int) d.imm, true);
            }
            case Op.INTO -> { if (Flags.of(c)) Interrupts.software(c, Interrupts.OF, true); }
            case Op.INT1 -> Interrupts.software(c, Interrupts.DB, false);
            default -> throw c.ud();
        }
    }

    private static void farJump(Cpu c, int sel, long off, int size) {
        Segments.loadCode(c, sel, true, 0);
        c.nextRip = Exec.mask(off, size == 8 ? 8 : size);
    }

    private static void farCall(Cpu c, int sel, long off, int size) {
        int oldCs = c.segSel[Seg.CS];
        long ret = c.nextRip;
        long sp = c.r[4];
        // Push to the current stack before CS changes (same-privilege far call).
        push(c, size, oldCs);
        push(c, size, ret);
        try {
            Segments.loadCode(c, sel, true, 0);
        } catch (CpuFault f) {
            c.r[4] = sp;
            throw f;
        }
        c.nextRip = Exec.mask(off, size);
    }

    private static void farReturn(Cpu c, int size, long imm) {
        long off = peek(c, size, 0);
        int sel = (int) peek(c, size, size) & 0xFFFF;
        int rpl = sel & 3;
        if (Segments.protectedMode(c) && rpl > c.cpl) {
            // Return to an outer privilege level: SS:RSP follow CS:RIP on the stack.
            long newSp = peek(c, size, 2 * size + (int) imm);
            int newSs = (int) peek(c, size, 3 * size + (int) imm) & 0xFFFF;
            Segments.loadCode(c, sel, false, rpl);
            Segments.load(c, Seg.SS, newSs);
            c.setReg(4, size, newSp + imm);
            Iret.nullifyDataSegments(c);
        } else {
            Segments.loadCode(c, sel, true, 0);
            c.setReg(4, stackAddrSize(c), c.r[4] + 2L * size + imm);
        }
        c.nextRip = Exec.mask(off, size);
    }
}
