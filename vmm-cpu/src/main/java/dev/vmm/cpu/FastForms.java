package dev.vmm.cpu;

/**
 * The handlers of the decode-time fast forms (see {@link Op#W_ADD_RR}): 32/64-bit register and
 * load/store forms of the hottest instructions, and the 64-bit stack forms. r[] holds zero-extended
 * values, so a 32-bit result is masked by {@link Insn#omask} and a 64-bit one is not (omask -1). Each is
 * a few array operations: small enough for HotSpot to compile into a short method of its own (see
 * {@link Handler}). The host-differential vectors check them against the host CPU like the general forms.
 */
final class FastForms {
    private FastForms() { }

    /** Handler by op id; null where the id has no fast form. */
    static final Handler[] BY_OP = new Handler[Op.COUNT];
    /** Handlers by op id and then by {@link Insn#sub}, where the refinement selects one; else null. */
    static final Handler[][] BY_SUB = new Handler[Op.COUNT][];

    /*
     * Jcc by condition code and shift-by-immediate by kind: each handler passes a constant, so HotSpot
     * folds the condition (or the shift kind) to its few operations instead of switching on it.
     */
    private static final Handler[] JCC = {
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 0)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 1)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 2)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 3)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 4)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 5)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 6)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 7)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 8)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 9)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 10)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 11)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 12)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 13)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 14)); } },
        new Handler() { void exec(Cpu c, Insn d) { branch(c, d, Flags.cond(c, 15)); } },
    };

    private static final Handler[] SHIFT_RI = {
        new Handler() { void exec(Cpu c, Insn d) { shiftImm(c, d, 0); } },
        new Handler() { void exec(Cpu c, Insn d) { shiftImm(c, d, 1); } },
        new Handler() { void exec(Cpu c, Insn d) { shiftImm(c, d, 2); } },
        new Handler() { void exec(Cpu c, Insn d) { shiftImm(c, d, 3); } },
        new Handler() { void exec(Cpu c, Insn d) { shiftImm(c, d, 4); } },
        new Handler() { void exec(Cpu c, Insn d) { shiftImm(c, d, 5); } },
        new Handler() { void exec(Cpu c, Insn d) { shiftImm(c, d, 6); } },
        new Handler() { void exec(Cpu c, Insn d) { shiftImm(c, d, 7); } },
    };

    /*
     * 64-bit code addressing [base + disp] or [base + index * scale + disp] with a 64-bit address, the
     * commonest memory operands: the linear address is the segment base (zero but for FS and GS) plus
     * the registers plus the displacement, without the general effective-address path's tests, and the
     * access size is a constant, so the access compiles to one load or store of that width.
     */
    private static final Handler LOAD_BD8 = new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = c.read(baseDisp(c, d), 8); } };
    private static final Handler LOAD_BD4 = new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = c.read(baseDisp(c, d), 4); } };
    private static final Handler STORE_BD8 = new Handler() { void exec(Cpu c, Insn d) { c.write(baseDisp(c, d), 8, c.r[d.reg]); } };
    private static final Handler STORE_BD4 = new Handler() { void exec(Cpu c, Insn d) { c.write(baseDisp(c, d), 4, c.r[d.reg]); } };

    private static final Handler LOAD_BIS8 = new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = c.read(baseIndex(c, d), 8); } };
    private static final Handler LOAD_BIS4 = new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = c.read(baseIndex(c, d), 4); } };
    private static final Handler STORE_BIS8 = new Handler() { void exec(Cpu c, Insn d) { c.write(baseIndex(c, d), 8, c.r[d.reg]); } };
    private static final Handler STORE_BIS4 = new Handler() { void exec(Cpu c, Insn d) { c.write(baseIndex(c, d), 4, c.r[d.reg]); } };

    private static long baseDisp(Cpu c, Insn d) { return c.segBaseEff[d.seg] + c.r[d.base] + d.disp; }

    private static long baseIndex(Cpu c, Insn d) {
        return c.segBaseEff[d.seg] + c.r[d.base] + (c.r[d.index] << d.scale) + d.disp;
    }

    /** The [base + disp] or [base + index * scale + disp] handler of a 64-bit load or store (see above), or null. */
    static Handler baseDispForm(Insn d) {
        if (d.mode != 64 || d.asize != 8 || d.base < 0 || d.base >= 16 || d.index >= 16) return null;
        boolean wide = d.osize == 8, indexed = d.index >= 0;
        return switch (d.op) {
            case Op.W_MOV_LOAD -> indexed ? (wide ? LOAD_BIS8 : LOAD_BIS4) : (wide ? LOAD_BD8 : LOAD_BD4);
            case Op.W_MOV_STORE -> indexed ? (wide ? STORE_BIS8 : STORE_BIS4) : (wide ? STORE_BD8 : STORE_BD4);
            default -> null;
        };
    }

    private static void branch(Cpu c, Insn d, boolean taken) {
        if (taken) Flow.jump(c, c.nextRip + d.imm, d.osize);
    }

    private static void shiftImm(Cpu c, Insn d, int kind) {
        c.r[d.rm] = Shifts.shift(c, kind, d.osize, c.r[d.rm] & d.omask, d.imm | Shifts.IMM_COUNT) & d.omask;
    }

    private static void set(int op, Handler h) { BY_OP[op] = h; }

    static {
        BY_SUB[Op.JCC] = JCC;
        BY_SUB[Op.W_SHIFT_RI] = SHIFT_RI;
        set(Op.W_MOV_RR, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = c.r[d.reg] & d.omask; } });
        set(Op.W_MOV_RI, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = d.imm & d.omask; } });
        set(Op.W_MOV_LOAD, new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = c.read(c.lin(d), d.osize); } });
        set(Op.W_MOV_STORE, new Handler() { void exec(Cpu c, Insn d) { c.write(c.lin(d), d.osize, c.r[d.reg]); } });
        set(Op.W_LEA, new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = c.ea(d) & d.omask; } });
        set(Op.W_ADD_RR, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = add(c, d, c.r[d.rm] & d.omask, c.r[d.reg] & d.omask); } });
        set(Op.W_ADD_RI, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = add(c, d, c.r[d.rm] & d.omask, d.imm & d.omask); } });
        set(Op.W_SUB_RR, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = sub(c, d, c.r[d.rm] & d.omask, c.r[d.reg] & d.omask); } });
        set(Op.W_SUB_RI, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = sub(c, d, c.r[d.rm] & d.omask, d.imm & d.omask); } });
        set(Op.W_CMP_RR, new Handler() { void exec(Cpu c, Insn d) { sub(c, d, c.r[d.rm] & d.omask, c.r[d.reg] & d.omask); } });
        set(Op.W_CMP_RI, new Handler() { void exec(Cpu c, Insn d) { sub(c, d, c.r[d.rm] & d.omask, d.imm & d.omask); } });
        set(Op.W_AND_RR, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = logic(c, d, c.r[d.rm] & c.r[d.reg] & d.omask); } });
        set(Op.W_AND_RI, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = logic(c, d, c.r[d.rm] & d.imm & d.omask); } });
        set(Op.W_OR_RR, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = logic(c, d, (c.r[d.rm] | c.r[d.reg]) & d.omask); } });
        set(Op.W_OR_RI, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = logic(c, d, (c.r[d.rm] | d.imm) & d.omask); } });
        set(Op.W_XOR_RR, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = logic(c, d, (c.r[d.rm] ^ c.r[d.reg]) & d.omask); } });
        set(Op.W_XOR_RI, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = logic(c, d, (c.r[d.rm] ^ d.imm) & d.omask); } });
        set(Op.W_TEST_RR, new Handler() { void exec(Cpu c, Insn d) { logic(c, d, c.r[d.rm] & c.r[d.reg] & d.omask); } });
        set(Op.W_TEST_RI, new Handler() { void exec(Cpu c, Insn d) { logic(c, d, c.r[d.rm] & d.imm & d.omask); } });
        set(Op.W_INC_R, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = incDec(c, d, Flags.INC, c.r[d.rm] & d.omask, (c.r[d.rm] + 1) & d.omask); } });
        set(Op.W_DEC_R, new Handler() { void exec(Cpu c, Insn d) { c.r[d.rm] = incDec(c, d, Flags.DEC, c.r[d.rm] & d.omask, (c.r[d.rm] - 1) & d.omask); } });
        set(Op.W_ADD_LD, new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = add(c, d, c.r[d.reg] & d.omask, c.read(c.lin(d), d.osize)); } });
        set(Op.W_SUB_LD, new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = sub(c, d, c.r[d.reg] & d.omask, c.read(c.lin(d), d.osize)); } });
        set(Op.W_CMP_LD, new Handler() { void exec(Cpu c, Insn d) { sub(c, d, c.r[d.reg] & d.omask, c.read(c.lin(d), d.osize)); } });
        set(Op.W_AND_LD, new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = logic(c, d, c.r[d.reg] & c.read(c.lin(d), d.osize) & d.omask); } });
        set(Op.W_OR_LD, new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = logic(c, d, (c.r[d.reg] | c.read(c.lin(d), d.osize)) & d.omask); } });
        set(Op.W_XOR_LD, new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = logic(c, d, (c.r[d.reg] ^ c.read(c.lin(d), d.osize)) & d.omask); } });
        // not fast forms, but frequent enough in compiled code to skip the general switch: NOP (ENDBR64
        // and the multi-byte NOPs of alignment padding decode to it) and JMP rel
        set(Op.NOP, new Handler() { void exec(Cpu c, Insn d) { } });
        set(Op.JMP_REL, new Handler() { void exec(Cpu c, Insn d) { Flow.jump(c, c.nextRip + d.imm, d.osize); } });
        set(Op.W_IMUL_RR, new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = Alu.imul2(c, d.osize, c.r[d.reg] & d.omask, c.r[d.rm] & d.omask) & d.omask; } });
        set(Op.W_MOVZX_LD, new Handler() { void exec(Cpu c, Insn d) { c.r[d.reg] = c.read(c.lin(d), d.sub); } });
        set(Op.L_PUSH_REG, new Handler() { void exec(Cpu c, Insn d) {
            c.write(c.r[4] - 8, 8, c.r[d.rm]);
            c.r[4] -= 8;
        } });
        set(Op.L_POP_REG, new Handler() { void exec(Cpu c, Insn d) {
            long v = c.read(c.r[4], 8);
            c.r[4] += 8;
            c.r[d.rm] = v;
        } });
        set(Op.L_CALL_REL, new Handler() { void exec(Cpu c, Insn d) {
            long target = Flow.canonical(c, c.nextRip + d.imm);
            c.write(c.r[4] - 8, 8, c.nextRip);
            c.r[4] -= 8;
            c.nextRip = target;
        } });
        set(Op.L_RET, new Handler() { void exec(Cpu c, Insn d) {
            c.nextRip = Flow.canonical(c, c.read(c.r[4], 8));
            c.r[4] += 8 + d.imm;
        } });
    }

    // Lazy-flag recorders: each is a few stores (see Flags), small enough for HotSpot to inline.

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
}
