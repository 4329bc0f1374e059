package dev.vmm.cpu;

/**
 * The executor: {@link Insn#h} runs an instruction (see {@link Handler}); the instructions without a
 * fast form come here, to one {@code switch} on the decoded {@link Op} id, which HotSpot compiles to a
 * jump table. Arithmetic lives in {@link Alu}, control transfer and the stack in {@link Flow}, string
 * instructions in {@link Strings}, system instructions in {@link Sys}.
 */
final class Exec {
    private Exec() { }

    /** Executes {@code d} through its handler (a fast form's, or {@link #general}). */
    static void execute(Cpu c, Insn d) { d.h.exec(c, d); }

    /** Every instruction without a fast form ({@link Handler#GENERAL}). */
    static void general(Cpu c, Insn d) {
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
            case Op.FENCE, Op.CLFLUSH -> { } // NOP and JMP rel have handlers of their own (FastForms)
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
