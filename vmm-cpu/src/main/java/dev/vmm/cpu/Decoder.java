package dev.vmm.cpu;

import static dev.vmm.cpu.OpcodeTable.*;

/**
 * Turns instruction bytes into an {@link Insn}, as the SDM lays an instruction out (vol. 2, chapter 2):
 * legacy prefixes -> REX (64-bit mode) -> opcode (1 or 2 bytes) -> ModRM -> SIB -> displacement ->
 * immediate. Operand and address size follow the code mode and the 66/67 prefixes and REX.W.
 *
 * <p>Undefined encodings decode to {@link Op#UD} (the executor raises #UD); an instruction longer than 15
 * bytes decodes to a #GP marker. Bytes come from a {@link Fetch}, which may raise #PF for a byte on an
 * unmapped page: an instruction faults on fetch only for bytes it really has.
 */
public final class Decoder {
    private Decoder() { }

    /** Source of instruction bytes: the i-th byte of the instruction (may raise a fault). */
    public interface Fetch {
        int byteAt(int i);
    }

    /** Op id for "longer than 15 bytes" (#GP(0)), beyond the executor's ids. */
    public static final int TOO_LONG = -2;

    /** Decodes the instruction {@code f} supplies into {@code d}, including its handler ({@link Insn#h}). */
    public static void decode(Fetch f, int mode, Insn d) {
        decodeFields(f, mode, d);
        d.h = Handler.of(d);
    }

    private static void decodeFields(Fetch f, int mode, Insn d) {
        int i = 0;
        int seg = -1, rep = 0, rex = 0;
        boolean opsz = false, adsz = false, lock = false;
        int b;
        prefixes:
        while (true) {
            if (i >= 14) { tooLong(d, mode); return; }
            b = f.byteAt(i++);
            switch (b) {
                case 0x66 -> { opsz = true; rex = 0; }
                case 0x67 -> { adsz = true; rex = 0; }
                case 0xF0 -> { lock = true; rex = 0; }
                case 0xF2, 0xF3 -> { rep = b; rex = 0; }
                case 0x26 -> { seg = Seg.ES; rex = 0; }
                case 0x2E -> { seg = Seg.CS; rex = 0; }
                case 0x36 -> { seg = Seg.SS; rex = 0; }
                case 0x3E -> { seg = Seg.DS; rex = 0; }
                case 0x64 -> { seg = Seg.FS; rex = 0; }
                case 0x65 -> { seg = Seg.GS; rex = 0; }
                default -> {
                    if (mode == 64 && (b & 0xF0) == 0x40) { rex = b; continue; }
                    break prefixes;
                }
            }
        }
        boolean twoByte = false, three38 = false;
        int opc = b;
        if (b == 0x0F) {
            twoByte = true;
            opc = f.byteAt(i++);
            if (opc == 0x3A) { ud(d, mode, i, opc); return; }
            if (opc == 0x38) { three38 = true; opc = f.byteAt(i++); }
        }
        Entry raw = three38 ? (rep == 0xF2 ? INVALID : THREE_38[opc]) : raw(twoByte, opc, mode);
        if (twoByte && !three38 && raw.has(SSE)) { // mandatory prefix: 66 then is no operand size, F3/F2 no REP
            int row = SseTable.row(opsz, rep);
            raw = SseTable.ROWS[row][opc];
            if (row == 1) opsz = false; else if (row >= 2) rep = 0;
        }
        if (twoByte && rep == 0xF3 && !three38 && TWO_F3[opc] != null) { raw = TWO_F3[opc]; rep = 0; }
        if (three38 && opc == 0xF6) { // ADCX (66) / ADOX (F3): a mandatory prefix, not an operand size
            raw = rep == 0xF3 ? ADOX : opsz ? ADCX : INVALID;
            opsz = false;
            rep = 0;
        }
        int modrm = 0;
        boolean hasModrm = raw.has(MODRM);
        if (hasModrm) modrm = f.byteAt(i++);
        Entry e = raw.has(GROUP) ? lookup(twoByte, opc, modrm) : raw;
        int flags = raw.flags() | e.flags();
        d.opcode = three38 ? 0x0F_3800 | opc : twoByte ? 0x0F00 | opc : opc;
        d.mode = mode;
        d.op = e.op();
        d.sub = e.sub();
        d.rep = rep;
        d.lock = lock;
        d.segOverride = seg >= 0;
        d.imm = 0;
        d.imm2 = 0;
        d.mem = false;
        d.base = Insn.NONE;
        d.index = Insn.NONE;
        d.scale = 0;
        d.disp = 0;
        d.reg = 0;
        d.rm = 0;
        d.seg = Seg.DS;
        if (e.op() == Op.UD || (mode == 64 && (flags & NO64) != 0) || (mode != 64 && (flags & ONLY64) != 0)) {
            d.op = Op.UD;
        }
        // sizes
        if ((flags & BYTE) != 0) d.osize = 1;
        else if (mode == 64 && (rex & 8) != 0) d.osize = 8;
        else if (mode == 64 && (flags & F64) != 0) d.osize = 8;
        else if (mode == 64 && (flags & D64) != 0) d.osize = opsz ? 2 : 8;
        else d.osize = (mode == 16) != opsz ? 2 : 4;
        if ((flags & W16) != 0) d.osize = 2;
        if (d.op == Op.ADX && d.osize == 2) d.osize = 4; // "Gy": 32 bits unless REX.W, in every mode
        d.asize = mode == 64 ? (adsz ? 4 : 8) : ((mode == 16) != adsz ? 2 : 4);
        boolean byteRegs = d.osize == 1 && rex == 0;

        if ((flags & REGOP) != 0) {
            int r = (opc & 7) | ((rex & 1) << 3);
            d.rm = byteRegs && r >= 4 && r < 8 ? Insn.AH_BASE + r - 4 : r;
            if (d.op == Op.XCHG) {
                d.reg = 0;
                if (r == 0 && !twoByte) d.op = Op.NOP; // 90: NOP (also PAUSE), not XCHG EAX,EAX
            }
        } else if (hasModrm) {
            int mod = modrm >>> 6, rm = modrm & 7;
            int reg = ((modrm >>> 3) & 7) | ((rex & 4) << 1);
            d.reg = byteRegs && reg >= 4 && reg < 8 ? Insn.AH_BASE + reg - 4 : reg;
            if (mod == 3) {
                int r = rm | ((rex & 1) << 3);
                boolean rmByte = byteRegs || ((flags & RM8) != 0 && rex == 0);
                d.rm = rmByte && r >= 4 && r < 8 ? Insn.AH_BASE + r - 4 : r;
                if ((flags & MEMONLY) != 0) d.op = Op.UD;
            } else {
                d.mem = true;
                if ((flags & REGONLY) != 0) d.op = Op.UD;
                i = d.asize == 2 ? modrm16(f, i, mod, rm, d) : modrm32(f, i, mod, rm, rex, d);
            }
        } else if ((flags & ACC) != 0) {
            d.rm = 0;
            d.reg = 0;
        }
        if (seg >= 0) d.seg = seg;

        // immediates
        switch (e.immKind() != 0 ? e.immKind() : raw.immKind()) {
            case 1 -> { d.imm = (byte) f.byteAt(i); i += 1; }                      // Ib, sign-extended
            case 10 -> { d.imm = f.byteAt(i); i += 1; }                            // Ib, unsigned
            case 2 -> { d.imm = le(f, i, 2); i += 2; }                            // Iw
            case 3 -> {                                                             // Iz
                if (d.osize == 2) { d.imm = (short) le(f, i, 2); i += 2; }
                else { d.imm = (int) le(f, i, 4); i += 4; }
            }
            case 4 -> {                                                             // Iv
                d.imm = le(f, i, d.osize);
                if (d.osize == 2) d.imm &= 0xFFFF; else if (d.osize == 4) d.imm &= 0xFFFF_FFFFL;
                i += d.osize;
            }
            case 5 -> { d.imm = (byte) f.byteAt(i); i += 1; }                      // Jb
            case 6 -> {                                                             // Jz
                if (d.osize == 2 && mode != 64) { d.imm = (short) le(f, i, 2); i += 2; }
                else { d.imm = (int) le(f, i, 4); i += 4; }
            }
            case 7 -> {                                                             // Ap: offset then selector
                int n = d.osize == 2 ? 2 : 4;
                d.imm = le(f, i, n) & (n == 2 ? 0xFFFF : 0xFFFF_FFFFL);
                d.imm2 = le(f, i + n, 2) & 0xFFFF;
                i += n + 2;
            }
            case 8 -> {                                                             // Ob/Ov: moffs of address size
                d.mem = true;
                d.disp = le(f, i, d.asize);
                if (d.asize == 4) d.disp &= 0xFFFF_FFFFL; else if (d.asize == 2) d.disp &= 0xFFFF;
                d.seg = seg >= 0 ? seg : Seg.DS;
                i += d.asize;
            }
            case 9 -> { d.imm = le(f, i, 2) & 0xFFFF; d.imm2 = f.byteAt(i + 2); i += 3; } // Iw,Ib
            default -> { }
        }
        if (d.op == Op.SHIFT) {
            if ((d.sub & 8) != 0) d.imm = 1;
            else if ((d.sub & 16) != 0) d.imm = -1;
            d.sub &= 7;
        }
        if (lock && !lockable(d)) d.op = Op.UD;
        specialise(d);
        if (i > 15) { tooLong(d, mode); return; }
        d.len = i;
    }

    /** Picks the register-only or memory-only variant of the hottest instructions. */
    private static void specialise(Insn d) {
        switch (d.op) {
            case Op.MOV_RM_REG -> d.op = d.mem ? Op.MOV_STORE : Op.MOV_RR;
            case Op.MOV_REG_RM -> {
                if (d.mem) d.op = Op.MOV_LOAD;
                else { swapRegs(d); d.op = Op.MOV_RR; }
            }
            case Op.ALU_RM_REG -> { if (!d.mem) d.op = Op.ALU_RR; }
            case Op.ALU_REG_RM -> { if (!d.mem) { swapRegs(d); d.op = Op.ALU_RR; } }
            case Op.ALU_RM_IMM -> { if (!d.mem) d.op = Op.ALU_RI; }
            default -> { }
        }
        d.omask = Cpu.sizeMask(d.osize);
        d.lw = Flags.lg(d.osize);
        if (d.osize >= 4 && !d.lock) d.op = wide(d);
        if (d.mode == 64 && d.osize == 8) d.op = longModeStack(d.op);
    }

    /** The wide fast form of a 32/64-bit instruction, or its op unchanged (ADC/SBB keep the general path). */
    private static int wide(Insn d) {
        return switch (d.op) {
            case Op.ALU_RR -> WIDE_ALU[d.sub] < 0 ? d.op : WIDE_ALU[d.sub];
            case Op.ALU_RI -> WIDE_ALU[d.sub] < 0 ? d.op : WIDE_ALU[d.sub] + (Op.W_ADD_RI - Op.W_ADD_RR);
            case Op.TEST_RM_REG -> d.mem ? d.op : Op.W_TEST_RR;
            case Op.TEST_RM_IMM -> d.mem ? d.op : Op.W_TEST_RI;
            case Op.MOV_RR -> Op.W_MOV_RR;
            case Op.MOV_LOAD -> Op.W_MOV_LOAD;
            case Op.MOV_STORE -> Op.W_MOV_STORE;
            case Op.MOV_RM_IMM -> d.mem ? d.op : Op.W_MOV_RI;
            case Op.INC -> d.mem ? d.op : Op.W_INC_R;
            case Op.DEC -> d.mem ? d.op : Op.W_DEC_R;
            case Op.LEA -> d.mem ? Op.W_LEA : d.op; // LEA with a register operand is #UD
            case Op.ALU_REG_RM -> d.mem && WIDE_ALU[d.sub] >= 0 ? WIDE_ALU[d.sub] + (Op.W_ADD_LD - Op.W_ADD_RR) : d.op;
            case Op.SHIFT -> !d.mem && d.imm >= 0 && (d.sub <= 1 || d.sub >= 4) ? Op.W_SHIFT_RI : d.op; // not RCL/RCR
            case Op.IMUL_REG_RM -> d.mem ? d.op : Op.W_IMUL_RR;
            case Op.MOVZX -> d.mem ? Op.W_MOVZX_LD : d.op;
            default -> d.op;
        };
    }

    private static int longModeStack(int op) {
        return switch (op) {
            case Op.CALL_REL -> Op.L_CALL_REL;
            case Op.RET -> Op.L_RET;
            case Op.PUSH_REG -> Op.L_PUSH_REG;
            case Op.POP_REG -> Op.L_POP_REG;
            default -> op;
        };
    }

    /** ALU sub-operation (ADD OR ADC SBB AND SUB XOR CMP) -> wide register form, or -1 for ADC/SBB. */
    private static final int[] WIDE_ALU = {Op.W_ADD_RR, Op.W_OR_RR, -1, -1, Op.W_AND_RR, Op.W_SUB_RR, Op.W_XOR_RR, Op.W_CMP_RR};

    /** Register forms are executed as rm = rm OP reg; a "G, E" form swaps its two registers. */
    private static void swapRegs(Insn d) {
        int t = d.rm;
        d.rm = d.reg;
        d.reg = t;
    }

    /** LOCK is allowed only on the read-modify-write instructions with a memory destination (SDM LOCK). */
    private static boolean lockable(Insn d) {
        if (!d.mem) return false;
        return switch (d.op) {
            case Op.ALU_RM_REG, Op.ALU_RM_IMM -> d.sub != 7;
            case Op.INC, Op.DEC, Op.NOT, Op.NEG, Op.XCHG, Op.XADD, Op.CMPXCHG, Op.CMPXCHG8B -> true;
            case Op.BT -> (d.sub & 3) != 0;
            default -> false;
        };
    }

    /** 16-bit addressing (SDM table 2-1): BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP/disp16, BX. */
    private static int modrm16(Fetch f, int i, int mod, int rm, Insn d) {
        int[] bases = {3, 3, 5, 5, 6, 7, 5, 3};
        int[] idx = {6, 7, 6, 7, Insn.NONE, Insn.NONE, Insn.NONE, Insn.NONE};
        d.base = bases[rm];
        d.index = idx[rm];
        if (rm == 2 || rm == 3 || (rm == 6 && mod != 0)) d.seg = Seg.SS; // BP-based: stack segment
        if (mod == 0 && rm == 6) { d.base = Insn.NONE; d.disp = le(f, i, 2) & 0xFFFF; return i + 2; }
        if (mod == 1) { d.disp = (byte) f.byteAt(i); return i + 1; }
        if (mod == 2) { d.disp = (short) le(f, i, 2); return i + 2; }
        return i;
    }

    /** 32/64-bit addressing (SDM tables 2-2, 2-3) with SIB, REX.X/B and RIP-relative disp32. */
    private static int modrm32(Fetch f, int i, int mod, int rm, int rex, Insn d) {
        if (rm == 4) {
            int sib = f.byteAt(i++);
            int base = sib & 7, index = ((sib >>> 3) & 7) | ((rex & 2) << 2);
            d.scale = sib >>> 6;
            d.index = index == 4 ? Insn.NONE : index;
            if (base == 5 && mod == 0) {
                d.base = Insn.NONE;
                d.disp = (int) le(f, i, 4);
                return i + 4;
            }
            d.base = base | ((rex & 1) << 3);
            if (d.base == 4 || d.base == 5) d.seg = Seg.SS; // ESP/EBP (not R12/R13) imply SS
        } else if (rm == 5 && mod == 0) {
            d.base = d.mode == 64 ? Insn.RIP_BASE : Insn.NONE;
            d.disp = (int) le(f, i, 4);
            return i + 4;
        } else {
            d.base = rm | ((rex & 1) << 3);
            if (d.base == 5) d.seg = Seg.SS;
        }
        if (mod == 1) { d.disp = (byte) f.byteAt(i); return i + 1; }
        if (mod == 2) { d.disp = (int) le(f, i, 4); return i + 4; }
        return i;
    }

    private static long le(Fetch f, int i, int n) {
        long v = 0;
        for (int k = 0; k < n; k++) v |= (long) f.byteAt(i + k) << (8 * k);
        return v;
    }

    private static void ud(Insn d, int mode, int len, int opc) {
        d.op = Op.UD;
        d.mode = mode;
        d.len = len;
        d.opcode = 0x0F00 | opc;
    }

    private static void tooLong(Insn d, int mode) {
        d.op = TOO_LONG;
        d.mode = mode;
        d.len = 15;
    }
}
