package dev.vmm.cpu;

/**
 * The executor's dispatch: one {@code switch} on the decoded {@link Op} id to small static handlers,
 * which HotSpot compiles to a jump table. Arithmetic lives in {@link Alu}, control transfer and the
 * stack in {@link Flow}, string instructions in {@link Strings}, system instructions in {@link Sys}.
 */
final class Exec {
    private Exec() { }

    /**
     * The hottest instructions, in a method of their own so that their dispatch is not burdened by the
     * general cases (HotSpot hoists the operand loads that many cases share above a switch); false for
     * anything else, which {@link #execute} then runs.
     */
    static boolean hot(Cpu c, Insn d) {
        switch (d.op) {
            // ---- wide fast forms: 32/64-bit operands (see Op.W_ADD_RR); r[] holds zero-extended values ----
            case Op.W_MOV_RR -> c.r[d.rm] = c.r[d.reg] & d.omask;
            case Op.W_MOV_RI -> c.r[d.rm] = d.imm & d.omask;
            case Op.W_MOV_LOAD -> c.r[d.reg] = c.read(c.lin(d), d.osize);
            case Op.W_MOV_STORE -> c.write(c.lin(d), d.osize, c.r[d.reg]);
            case Op.W_LEA -> c.r[d.reg] = c.ea(d) & d.omask;
            case Op.W_ADD_RR -> c.r[d.rm] = add(c, d, c.r[d.rm] & d.omask, c.r[d.reg] & d.omask);
            case Op.W_ADD_RI -> c.r[d.rm] = add(c, d, c.r[d.rm] & d.omask, d.imm & d.omask);
            case Op.W_SUB_RR -> c.r[d.rm] = sub(c, d, c.r[d.rm] & d.omask, c.r[d.reg] & d.omask);
            case Op.W_SUB_RI -> c.r[d.rm] = sub(c, d, c.r[d.rm] & d.omask, d.imm & d.omask);
            case Op.W_CMP_RR -> sub(c, d, c.r[d.rm] & d.omask, c.r[d.reg] & d.omask);
            case Op.W_CMP_RI -> sub(c, d, c.r[d.rm] & d.omask, d.imm & d.omask);
            case Op.W_AND_RR -> c.r[d.rm] = logic(c, d, c.r[d.rm] & c.r[d.reg] & d.omask);
            case Op.W_AND_RI -> c.r[d.rm] = logic(c, d, c.r[d.rm] & d.imm & d.omask);
            case Op.W_OR_RR -> c.r[d.rm] = logic(c, d, (c.r[d.rm] | c.r[d.reg]) & d.omask);
            case Op.W_OR_RI -> c.r[d.rm] = logic(c, d, (c.r[d.rm] | d.imm) & d.omask);
            case Op.W_XOR_RR -> c.r[d.rm] = logic(c, d, (c.r[d.rm] ^ c.r[d.reg]) & d.omask);
            case Op.W_XOR_RI -> c.r[d.rm] = logic(c, d, (c.r[d.rm] ^ d.imm) & d.omask);
            case Op.W_TEST_RR -> logic(c, d, c.r[d.rm] & c.r[d.reg] & d.omask);
            case Op.W_TEST_RI -> logic(c, d, c.r[d.rm] & d.imm & d.omask);
            case Op.W_INC_R -> c.r[d.rm] = incDec(c, d, Flags.INC, c.r[d.rm] & d.omask, (c.r[d.rm] + 1) & d.omask);
            case Op.W_DEC_R -> c.r[d.rm] = incDec(c, d, Flags.DEC, c.r[d.rm] & d.omask, (c.r[d.rm] - 1) & d.omask);
            case Op.JCC -> Flow.jcc(c, d);
            case Op.W_ADD_LD -> c.r[d.reg] = add(c, d, c.r[d.reg] & d.omask, c.read(c.lin(d), d.osize));
            case Op.W_SUB_LD -> c.r[d.reg] = sub(c, d, c.r[d.reg] & d.omask, c.read(c.lin(d), d.osize));
            case Op.W_CMP_LD -> sub(c, d, c.r[d.reg] & d.omask, c.read(c.lin(d), d.osize));
            case Op.W_AND_LD -> c.r[d.reg] = logic(c, d, c.r[d.reg] & c.read(c.lin(d), d.osize) & d.omask);
            case Op.W_OR_LD -> c.r[d.reg] = logic(c, d, (c.r[d.reg] | c.read(c.lin(d), d.osize)) & d.omask);
            case Op.W_XOR_LD -> c.r[d.reg] = logic(c, d, (c.r[d.reg] ^ c.read(c.lin(d), d.osize)) & d.omask);
            case Op.W_SHIFT_RI -> c.r[d.rm] = Shifts.shift(c, d.sub, d.osize, c.r[d.rm] & d.omask, d.imm | Shifts.IMM_COUNT) & d.omask;
            case Op.W_IMUL_RR -> c.r[d.reg] = Alu.imul2(c, d.osize, c.r[d.reg] & d.omask, c.r[d.rm] & d.omask) & d.omask;
            case Op.W_MOVZX_LD -> c.r[d.reg] = c.read(c.lin(d), d.sub);
            // 64-bit stack: the store or load comes before RSP changes, so a fault leaves RSP as it was
            case Op.L_PUSH_REG -> { c.write(c.r[4] - 8, 8, c.r[d.rm]); c.r[4] -= 8; }
            case Op.L_POP_REG -> { long v = c.read(c.r[4], 8); c.r[4] += 8; c.r[d.rm] = v; }
            case Op.L_CALL_REL -> {
                long target = Flow.canonical(c, c.nextRip + d.imm);
                c.write(c.r[4] - 8, 8, c.nextRip);
                c.r[4] -= 8;
                c.nextRip = target;
            }
            case Op.L_RET -> {
                c.nextRip = Flow.canonical(c, c.read(c.r[4], 8));
                c.r[4] += 8 + d.imm;
            }
            default -> { return false; }
        }
        return true;
    }

    static void execute(Cpu c, Insn d) {
        if (!hot(c, d)) general(c, d);
    }

    private static void general(Cpu c, Insn d) {
        switch (d.op) {
            // ---- general forms ----
            case Op.MOV_RR -> c.setReg(d.rm, d.osize, c.reg(d.reg, d.osize));
            case Op.MOV_LOAD -> c.setReg(d.reg, d.osize, c.read(c.lin(d), d.osize));
            case Op.MOV_STORE -> c.write(c.lin(d), d.osize, c.reg(d.reg, d.osize));
            case Op.ALU_RR -> {
                long res = Alu.alu(c, d.sub, d.osize, c.reg(d.rm, d.osize), c.reg(d.reg, d.osize));
                if (d.sub != 7) c.setReg(d.rm, d.osize, res);
            }
            case Op.ALU_RI -> {
                long res = Alu.alu(c, d.sub, d.osize, c.reg(d.rm, d.osize), d.imm);
                if (d.sub != 7) c.setReg(d.rm, d.osize, res);
            }
            case Op.ALU_RM_REG -> Alu.rmw(c, d, Alu.K_ALU, c.reg(d.reg, d.osize));
            case Op.ALU_RM_IMM -> Alu.rmw(c, d, Alu.K_ALU, d.imm);
            case Op.ALU_REG_RM -> {
                long res = Alu.alu(c, d.sub, d.osize, c.reg(d.reg, d.osize), readRm(c, d));
                if (d.sub != 7) c.setReg(d.reg, d.osize, res);
            }
            case Op.TEST_RM_REG -> Alu.logicFlags(c, d.osize, readRm(c, d) & c.reg(d.reg, d.osize));
            case Op.TEST_RM_IMM -> Alu.logicFlags(c, d.osize, readRm(c, d) & d.imm);
            case Op.MOV_RM_REG -> writeRm(c, d, c.reg(d.reg, d.osize));
            case Op.MOV_REG_RM -> c.setReg(d.reg, d.osize, readRm(c, d));
            case Op.MOV_RM_IMM -> writeRm(c, d, d.imm);
            case Op.INC -> Alu.rmw(c, d, Alu.K_INC, 0);
            case Op.DEC -> Alu.rmw(c, d, Alu.K_DEC, 0);
            case Op.NOT -> Alu.rmw(c, d, Alu.K_NOT, 0);
            case Op.NEG -> Alu.rmw(c, d, Alu.K_NEG, 0);
            case Op.SHIFT -> Alu.rmw(c, d, Alu.K_SHIFT, d.imm < 0 ? c.r[1] & 0xFF : d.imm | Shifts.IMM_COUNT);
            case Op.MUL, Op.IMUL1 -> Alu.mul(c, d, readRm(c, d));
            case Op.DIV, Op.IDIV -> Alu.div(c, d, readRm(c, d));
            case Op.IMUL_REG_RM -> c.setReg(d.reg, d.osize, Alu.imul2(c, d.osize, c.reg(d.reg, d.osize), readRm(c, d)));
            case Op.IMUL_REG_RM_IMM -> c.setReg(d.reg, d.osize, Alu.imul2(c, d.osize, readRm(c, d), d.imm));
            case Op.LEA -> c.setReg(d.reg, d.osize, c.ea(d));
            case Op.MOVZX -> c.setReg(d.reg, d.osize, readRm(c, d, d.sub));
            case Op.MOVSX -> c.setReg(d.reg, d.osize, d.sub == 1 ? (byte) readRm(c, d, 1) : (short) readRm(c, d, 2));
            case Op.MOVSXD -> c.setReg(d.reg, d.osize, (int) readRm(c, d, 4));
            case Op.CBW -> cbw(c, d.osize);
            case Op.CWD -> cwd(c, d.osize);
            case Op.XCHG -> Alu.xchg(c, d);
            case Op.XADD -> Alu.xadd(c, d);
            case Op.CMPXCHG -> Alu.cmpxchg(c, d);
            case Op.CMPXCHG8B -> Alu.cmpxchg8b(c, d);
            case Op.BSWAP -> c.setReg(d.rm, d.osize, d.osize == 8 ? Long.reverseBytes(c.r[d.rm])
                : d.osize == 4 ? Integer.reverseBytes((int) c.r[d.rm]) & 0xFFFF_FFFFL : 0);
            case Op.CMOV -> {
                long v = readRm(c, d); // the source is read (and may fault) whatever the condition
                if (Flags.cond(c, d.sub)) c.setReg(d.reg, d.osize, v);
                else if (d.osize == 4) c.setReg(d.reg, 4, c.r[d.reg]); // 32-bit CMOV zero-extends even when false
            }
            case Op.SETCC -> writeRm(c, d, Flags.cond(c, d.sub) ? 1 : 0);
            case Op.BT -> Alu.bt(c, d);
            case Op.BSF, Op.BSR -> Alu.bitScan(c, d, readRm(c, d));
            case Op.SHLD, Op.SHRD -> Alu.shiftDouble(c, d);
            case Op.SALC -> c.setReg(0, 1, Flags.cf(c) ? 0xFF : 0);
            case Op.XLAT -> c.setReg(0, 1, c.read8(c.linear(d.seg, mask(c.r[3] + (c.r[0] & 0xFF), d.asize))));
            case Op.NOP, Op.FENCE, Op.CLFLUSH -> { }
            case Op.FLAGOP -> Sys.flagOp(c, d.sub);
            case Op.SAHF -> c.setRflags((c.rflags() & ~0xD5L) | (c.r[0] >>> 8 & 0xD5));
            case Op.LAHF -> c.setReg(Insn.AH_BASE, 1, c.rflags() & 0xD7 | 2);
            case Op.STRING -> Strings.execute(c, d);
            case Op.POPCNT, Op.TZCNT, Op.LZCNT -> BitCount.execute(c, d, readRm(c, d));
            case Op.MOVBE_LOAD -> c.setReg(d.reg, d.osize, Long.reverseBytes(c.read(c.lin(d), d.osize)) >>> (64 - 8 * d.osize));
            case Op.MOVBE_STORE -> c.write(c.lin(d), d.osize, Long.reverseBytes(c.reg(d.reg, d.osize)) >>> (64 - 8 * d.osize));
            case Op.BCD -> Bcd.adjust(c, d.sub);
            case Op.AAM -> Bcd.aam(c, (int) d.imm);
            case Op.AAD -> Bcd.aad(c, (int) d.imm);
            case Op.ARPL -> LegacyOps.arpl(c, d);
            case Op.BOUND -> LegacyOps.bound(c, d);
            case Op.SEG_QUERY -> SegmentQueries.execute(c, d, d.sub);
            case Op.ADX -> Alu.adx(c, d, readRm(c, d));
            case Op.SSE -> Sse.execute(c, d);
            case Op.X87 -> Fpu.execute(c, d);
            case Op.UD -> throw c.ud();
            case Decoder.TOO_LONG -> throw c.gp(0);
            default -> {
                if (d.op < Op.JCC) Flow.stack(c, d);
                else if (d.op < Op.STRING) Flow.control(c, d);
                else Sys.execute(c, d);
            }
        }
    }

    static long mask(long v, int size) { return v & Cpu.sizeMask(size); }

    // Lazy-flag recorders of the wide forms: each is a few stores, small enough for HotSpot to inline.

    private static long add(Cpu c, Insn d, long a, long b) {
        long res = (a + b) & d.omask;
        c.lfOp = Flags.ADD << 2 | d.lw; c.lfA = a; c.lfB = b; c.lfRes = res;
        return res;
    }

    private static long sub(Cpu c, Insn d, long a, long b) {
        long res = (a - b) & d.omask;
        c.lfOp = Flags.SUB << 2 | d.lw; c.lfA = a; c.lfB = b; c.lfRes = res;
        return res;
    }

    private static long logic(Cpu c, Insn d, long res) {
        c.lfOp = Flags.LOGIC << 2 | d.lw; c.lfRes = res;
        return res;
    }

    /** INC/DEC keep CF: it is read from the previous flags before they are replaced. */
    private static long incDec(Cpu c, Insn d, int kind, long a, long res) {
        long cf = Flags.cf(c) ? Flags.CF : 0;
        c.lfOp = kind << 2 | d.lw; c.lfA = a; c.lfB = 1; c.lfRes = res; c.lfAux = cf;
        return res;
    }

    static long readRm(Cpu c, Insn d) { return readRm(c, d, d.osize); }

    static long readRm(Cpu c, Insn d, int size) {
        return d.mem ? c.read(c.lin(d), size) : c.reg(d.rm, size);
    }

    static void writeRm(Cpu c, Insn d, long v) {
        if (d.mem) c.write(c.lin(d), d.osize, v); else c.setReg(d.rm, d.osize, v);
    }

    private static void cbw(Cpu c, int size) {
        switch (size) {
            case 2 -> c.setReg(0, 2, (byte) c.r[0]);
            case 4 -> c.setReg(0, 4, (short) c.r[0]);
            default -> c.r[0] = (int) c.r[0];
        }
    }

    private static void cwd(Cpu c, int size) {
        switch (size) {
            case 2 -> c.setReg(2, 2, ((short) c.r[0]) >> 15);
            case 4 -> c.setReg(2, 4, ((int) c.r[0]) >> 31);
            default -> c.r[2] = c.r[0] >> 63;
        }
    }
}
