package dev.vmm.cpu;

/**
 * The opcode map (Intel SDM vol. 2, appendix A) in the SDM's operand notation: E = ModRM r/m, G = ModRM
 * reg, I = immediate, J = relative offset, O = moffs, A = far pointer, M = memory only, S = segment
 * register; sizes b = byte, w = word, v = operand size, z = word or dword (dword also for 64-bit
 * operands, sign-extended), q = quadword. Entries marked with a group are split by ModRM.reg.
 *
 * <p>Each entry's {@link Entry#flags} tell the decoder what follows the opcode; {@link Entry#op} and
 * {@link Entry#sub} tell the executor what to do. The mnemonic text serves the disassembler.
 */
public final class OpcodeTable {
    private OpcodeTable() { }

    // flags
    public static final int MODRM = 1, BYTE = 1 << 1, D64 = 1 << 2, F64 = 1 << 3;
    public static final int NO64 = 1 << 8, REGOP = 1 << 9, MEMONLY = 1 << 10, REGONLY = 1 << 11;
    public static final int ACC = 1 << 12, W16 = 1 << 13, GROUP = 1 << 14, ONLY64 = 1 << 15;
    /** The r/m operand is a byte register or byte in memory while the operand size is wider (MOVZX/MOVSX Gv,Eb). */
    public static final int RM8 = 1 << 16;
    /** 0F opcodes whose mandatory prefix (none, 66, F3, F2) selects the instruction in {@link SseTable}. */
    public static final int SSE = 1 << 17;
    // immediate kinds, bits 4-7
    public static final int IMM_SHIFT = 4;
    public static final int IB = 1 << 4, IW = 2 << 4, IZ = 3 << 4, IV = 4 << 4, JB = 5 << 4, JZ = 6 << 4;
    public static final int AP = 7 << 4, OV = 8 << 4, IWIB = 9 << 4, IBU = 10 << 4;

    /** One opcode's meaning. */
    public record Entry(String asm, int op, int sub, int flags) {
        public int immKind() { return (flags >>> IMM_SHIFT) & 0xF; }
        public boolean has(int f) { return (flags & f) != 0; }
    }

    static final Entry INVALID = new Entry("(bad)", Op.UD, 0, 0);
    /** 63 outside 64-bit mode (in 64-bit mode it is MOVSXD). */
    static final Entry ARPL = new Entry("ARPL Ew,Gw", Op.ARPL, 0, MODRM | W16);
    /** 66/F3 0F 38 F6: the prefix selects the instruction (its operand size stays 32, or 64 with REX.W). */
    static final Entry ADCX = new Entry("ADCX Gy,Ey", Op.ADX, 0, MODRM), ADOX = new Entry("ADOX Gy,Ey", Op.ADX, 1, MODRM);
    /** One-byte opcodes, two-byte (0F xx) opcodes. */
    static final Entry[] ONE = new Entry[256], TWO = new Entry[256];
    /** Two-byte opcodes whose meaning changes with a mandatory F3 prefix (null: the prefix is just REP). */
    static final Entry[] TWO_F3 = new Entry[256];
    /** Three-byte opcodes 0F 38 xx (without F2, which selects CRC32 and the like, not implemented). */
    static final Entry[] THREE_38 = new Entry[256];
    /** Groups by ModRM.reg: GROUPS[g][reg]; memory form first, register form at [g][8 + reg] when it differs. */
    static final Entry[][] GROUPS = new Entry[32][16];
    private static int groups;

    private static void one(int opc, String asm, int op, int sub, int flags) { ONE[opc] = new Entry(asm, op, sub, flags); }
    private static void two(int opc, String asm, int op, int sub, int flags) { TWO[opc] = new Entry(asm, op, sub, flags); }

    /** Starts a group; its Entry's sub is the group number. Returns the group number. */
    private static int group(Entry[] table, int opc, int flags) {
        int g = groups++;
        table[opc] = new Entry("group", Op.UD, g, flags | GROUP | MODRM);
        for (int i = 0; i < 16; i++) GROUPS[g][i] = INVALID;
        return g;
    }

    private static void member(int g, int reg, String asm, int op, int sub, int flags) {
        Entry e = new Entry(asm, op, sub, flags);
        GROUPS[g][reg] = e;
        if ((flags & MEMONLY) == 0) GROUPS[g][8 + reg] = e;
    }

    /** Register form (mod == 3) of a group member that differs from its memory form. */
    private static void memberReg(int g, int reg, String asm, int op, int sub, int flags) {
        GROUPS[g][8 + reg] = new Entry(asm, op, sub, flags);
    }

    static final String[] ALU = {"ADD", "OR", "ADC", "SBB", "AND", "SUB", "XOR", "CMP"};
    static final String[] CC = {"O", "NO", "B", "AE", "E", "NE", "BE", "A", "S", "NS", "P", "NP", "L", "GE", "LE", "G"};
    static final String[] SHIFTS = {"ROL", "ROR", "RCL", "RCR", "SHL", "SHR", "SAL", "SAR"};

    static {
        java.util.Arrays.fill(ONE, INVALID);
        java.util.Arrays.fill(TWO, INVALID);
        java.util.Arrays.fill(THREE_38, INVALID);
        for (int a = 0; a < 8; a++) {
            int b = a << 3;
            one(b, ALU[a] + " Eb,Gb", Op.ALU_RM_REG, a, MODRM | BYTE);
            one(b + 1, ALU[a] + " Ev,Gv", Op.ALU_RM_REG, a, MODRM);
            one(b + 2, ALU[a] + " Gb,Eb", Op.ALU_REG_RM, a, MODRM | BYTE);
            one(b + 3, ALU[a] + " Gv,Ev", Op.ALU_REG_RM, a, MODRM);
            one(b + 4, ALU[a] + " AL,Ib", Op.ALU_RM_IMM, a, ACC | BYTE | IB);
            one(b + 5, ALU[a] + " rAX,Iz", Op.ALU_RM_IMM, a, ACC | IZ);
        }
        one(0x06, "PUSH ES", Op.PUSH_SEG, 0, NO64);
        one(0x07, "POP ES", Op.POP_SEG, 0, NO64);
        one(0x0E, "PUSH CS", Op.PUSH_SEG, 1, NO64);
        one(0x16, "PUSH SS", Op.PUSH_SEG, 2, NO64);
        one(0x17, "POP SS", Op.POP_SEG, 2, NO64);
        one(0x1E, "PUSH DS", Op.PUSH_SEG, 3, NO64);
        one(0x1F, "POP DS", Op.POP_SEG, 3, NO64);
        for (int r = 0; r < 8; r++) {
            one(0x40 + r, "INC Zv", Op.INC, 0, REGOP | NO64);   // REX prefixes in 64-bit mode
            one(0x48 + r, "DEC Zv", Op.DEC, 0, REGOP | NO64);
            one(0x50 + r, "PUSH Zv", Op.PUSH_REG, 0, REGOP | D64);
            one(0x58 + r, "POP Zv", Op.POP_REG, 0, REGOP | D64);
            one(0x90 + r, "XCHG Zv,rAX", Op.XCHG, 0, REGOP);
            one(0xB0 + r, "MOV Zb,Ib", Op.MOV_RM_IMM, 0, REGOP | BYTE | IB);
            one(0xB8 + r, "MOV Zv,Iv", Op.MOV_RM_IMM, 0, REGOP | IV);
        }
        one(0x27, "DAA", Op.BCD, 0, NO64);
        one(0x2F, "DAS", Op.BCD, 1, NO64);
        one(0x37, "AAA", Op.BCD, 2, NO64);
        one(0x3F, "AAS", Op.BCD, 3, NO64);
        one(0xD4, "AAM Ib", Op.AAM, 0, IBU | NO64);
        one(0xD5, "AAD Ib", Op.AAD, 0, IBU | NO64);
        one(0x60, "PUSHA", Op.PUSHA, 0, NO64);
        one(0x62, "BOUND Gv,Ma", Op.BOUND, 0, MODRM | MEMONLY | NO64);
        one(0x61, "POPA", Op.POPA, 0, NO64);
        one(0x63, "MOVSXD Gv,Ed", Op.MOVSXD, 0, MODRM);
        one(0x68, "PUSH Iz", Op.PUSH_IMM, 0, IZ | D64);
        one(0x69, "IMUL Gv,Ev,Iz", Op.IMUL_REG_RM_IMM, 0, MODRM | IZ);
        one(0x6A, "PUSH Ib", Op.PUSH_IMM, 0, IB | D64);
        one(0x6B, "IMUL Gv,Ev,Ib", Op.IMUL_REG_RM_IMM, 0, MODRM | IB);
        one(0x6C, "INSB", Op.STRING, 5, BYTE);
        one(0x6D, "INS", Op.STRING, 5, 0);
        one(0x6E, "OUTSB", Op.STRING, 6, BYTE);
        one(0x6F, "OUTS", Op.STRING, 6, 0);
        for (int c = 0; c < 16; c++) {
            one(0x70 + c, "J" + CC[c] + " Jb", Op.JCC, c, JB | F64);
            two(0x80 + c, "J" + CC[c] + " Jz", Op.JCC, c, JZ | F64);
            two(0x40 + c, "CMOV" + CC[c] + " Gv,Ev", Op.CMOV, c, MODRM);
            two(0x90 + c, "SET" + CC[c] + " Eb", Op.SETCC, c, MODRM | BYTE);
        }
        int g1b = group(ONE, 0x80, BYTE | IB), g1v = group(ONE, 0x81, IZ), g1x = group(ONE, 0x82, BYTE | IB | NO64),
            g1s = group(ONE, 0x83, IB);
        for (int a = 0; a < 8; a++) {
            member(g1b, a, ALU[a] + " Eb,Ib", Op.ALU_RM_IMM, a, 0);
            member(g1v, a, ALU[a] + " Ev,Iz", Op.ALU_RM_IMM, a, 0);
            member(g1x, a, ALU[a] + " Eb,Ib", Op.ALU_RM_IMM, a, 0);
            member(g1s, a, ALU[a] + " Ev,Ib", Op.ALU_RM_IMM, a, 0);
        }
        one(0x84, "TEST Eb,Gb", Op.TEST_RM_REG, 0, MODRM | BYTE);
        one(0x85, "TEST Ev,Gv", Op.TEST_RM_REG, 0, MODRM);
        one(0x86, "XCHG Eb,Gb", Op.XCHG, 0, MODRM | BYTE);
        one(0x87, "XCHG Ev,Gv", Op.XCHG, 0, MODRM);
        one(0x88, "MOV Eb,Gb", Op.MOV_RM_REG, 0, MODRM | BYTE);
        one(0x89, "MOV Ev,Gv", Op.MOV_RM_REG, 0, MODRM);
        one(0x8A, "MOV Gb,Eb", Op.MOV_REG_RM, 0, MODRM | BYTE);
        one(0x8B, "MOV Gv,Ev", Op.MOV_REG_RM, 0, MODRM);
        one(0x8C, "MOV Ev,Sw", Op.MOV_RM_SREG, 0, MODRM);
        one(0x8D, "LEA Gv,M", Op.LEA, 0, MODRM | MEMONLY);
        one(0x8E, "MOV Sw,Ew", Op.MOV_SREG_RM, 0, MODRM | W16);
        int g1a = group(ONE, 0x8F, D64);
        member(g1a, 0, "POP Ev", Op.POP_RM, 0, 0);
        one(0x98, "CBW", Op.CBW, 0, 0);
        one(0x99, "CWD", Op.CWD, 0, 0);
        one(0x9A, "CALLF Ap", Op.CALL_FAR, 0, AP | NO64);
        one(0x9B, "FWAIT", Op.X87, Fpu.WAIT, 0);
        one(0x9C, "PUSHF", Op.PUSHF, 0, D64);
        one(0x9D, "POPF", Op.POPF, 0, D64);
        one(0x9E, "SAHF", Op.SAHF, 0, 0);
        one(0x9F, "LAHF", Op.LAHF, 0, 0);
        one(0xA0, "MOV AL,Ob", Op.MOV_REG_RM, 0, ACC | BYTE | OV);
        one(0xA1, "MOV rAX,Ov", Op.MOV_REG_RM, 0, ACC | OV);
        one(0xA2, "MOV Ob,AL", Op.MOV_RM_REG, 0, ACC | BYTE | OV);
        one(0xA3, "MOV Ov,rAX", Op.MOV_RM_REG, 0, ACC | OV);
        String[] str = {"MOVS", "CMPS", "STOS", "LODS", "SCAS"};
        int[] strOpc = {0xA4, 0xA6, 0xAA, 0xAC, 0xAE};
        for (int s = 0; s < 5; s++) {
            one(strOpc[s], str[s] + "B", Op.STRING, s, BYTE);
            one(strOpc[s] + 1, str[s], Op.STRING, s, 0);
        }
        one(0xA8, "TEST AL,Ib", Op.TEST_RM_IMM, 0, ACC | BYTE | IB);
        one(0xA9, "TEST rAX,Iz", Op.TEST_RM_IMM, 0, ACC | IZ);
        int g2b = group(ONE, 0xC0, BYTE | IBU), g2v = group(ONE, 0xC1, IBU), g2b1 = group(ONE, 0xD0, BYTE),
            g2v1 = group(ONE, 0xD1, 0), g2bc = group(ONE, 0xD2, BYTE), g2vc = group(ONE, 0xD3, 0);
        for (int s = 0; s < 8; s++) {
            member(g2b, s, SHIFTS[s] + " Eb,Ib", Op.SHIFT, s, 0);
            member(g2v, s, SHIFTS[s] + " Ev,Ib", Op.SHIFT, s, 0);
            member(g2b1, s, SHIFTS[s] + " Eb,1", Op.SHIFT, s | 8, 0);
            member(g2v1, s, SHIFTS[s] + " Ev,1", Op.SHIFT, s | 8, 0);
            member(g2bc, s, SHIFTS[s] + " Eb,CL", Op.SHIFT, s | 16, 0);
            member(g2vc, s, SHIFTS[s] + " Ev,CL", Op.SHIFT, s | 16, 0);
        }
        one(0xC2, "RET Iw", Op.RET, 0, IW | F64);
        one(0xC3, "RET", Op.RET, 0, F64);
        one(0xC4, "LES Gz,Mp", Op.LES, 0, MODRM | MEMONLY | NO64);
        one(0xC5, "LDS Gz,Mp", Op.LDS, 0, MODRM | MEMONLY | NO64);
        int g11b = group(ONE, 0xC6, BYTE | IB), g11v = group(ONE, 0xC7, IZ);
        member(g11b, 0, "MOV Eb,Ib", Op.MOV_RM_IMM, 0, 0);
        member(g11v, 0, "MOV Ev,Iz", Op.MOV_RM_IMM, 0, 0);
        one(0xC8, "ENTER Iw,Ib", Op.ENTER, 0, IWIB | D64);
        one(0xC9, "LEAVE", Op.LEAVE, 0, D64);
        one(0xCA, "RETF Iw", Op.RETF, 0, IW);
        one(0xCB, "RETF", Op.RETF, 0, 0);
        one(0xCC, "INT3", Op.INT3, 0, 0);
        one(0xCD, "INT Ib", Op.INT, 0, IBU);
        one(0xCE, "INTO", Op.INTO, 0, NO64);
        one(0xCF, "IRET", Op.IRET, 0, 0);
        one(0xD6, "SALC", Op.SALC, 0, NO64);
        one(0xD7, "XLAT", Op.XLAT, 0, 0);
        for (int i = 0; i < 8; i++) one(0xD8 + i, "ESC" + i + " Ev", Op.X87, i, MODRM); // x87: Fpu
        one(0xE0, "LOOPNE Jb", Op.LOOP, 0, JB | F64);
        one(0xE1, "LOOPE Jb", Op.LOOP, 1, JB | F64);
        one(0xE2, "LOOP Jb", Op.LOOP, 2, JB | F64);
        one(0xE3, "JrCXZ Jb", Op.JCXZ, 0, JB | F64);
        one(0xE4, "IN AL,Ib", Op.IN, 0, BYTE | IBU);
        one(0xE5, "IN eAX,Ib", Op.IN, 0, IBU);
        one(0xE6, "OUT Ib,AL", Op.OUT, 0, BYTE | IBU);
        one(0xE7, "OUT Ib,eAX", Op.OUT, 0, IBU);
        one(0xE8, "CALL Jz", Op.CALL_REL, 0, JZ | F64);
        one(0xE9, "JMP Jz", Op.JMP_REL, 0, JZ | F64);
        one(0xEA, "JMPF Ap", Op.JMP_FAR, 0, AP | NO64);
        one(0xEB, "JMP Jb", Op.JMP_REL, 0, JB | F64);
        one(0xEC, "IN AL,DX", Op.IN, 1, BYTE);
        one(0xED, "IN eAX,DX", Op.IN, 1, 0);
        one(0xEE, "OUT DX,AL", Op.OUT, 1, BYTE);
        one(0xEF, "OUT DX,eAX", Op.OUT, 1, 0);
        one(0xF1, "INT1", Op.INT1, 0, 0);
        one(0xF4, "HLT", Op.HLT, 0, 0);
        one(0xF5, "CMC", Op.FLAGOP, 2, 0);
        int g3b = group(ONE, 0xF6, BYTE), g3v = group(ONE, 0xF7, 0);
        String[] g3 = {"TEST", "TEST", "NOT", "NEG", "MUL", "IMUL", "DIV", "IDIV"};
        int[] g3op = {Op.TEST_RM_IMM, Op.TEST_RM_IMM, Op.NOT, Op.NEG, Op.MUL, Op.IMUL1, Op.DIV, Op.IDIV};
        for (int r = 0; r < 8; r++) {
            member(g3b, r, g3[r] + (r < 2 ? " Eb,Ib" : " Eb"), g3op[r], 0, r < 2 ? IB : 0);
            member(g3v, r, g3[r] + (r < 2 ? " Ev,Iz" : " Ev"), g3op[r], 0, r < 2 ? IZ : 0);
        }
        String[] fl = {"CLC", "STC", "CMC", "CLI", "STI", "CLD", "STD"};
        int[] flOpc = {0xF8, 0xF9, 0xF5, 0xFA, 0xFB, 0xFC, 0xFD};
        for (int i = 0; i < fl.length; i++) one(flOpc[i], fl[i], Op.FLAGOP, i, 0);
        int g4 = group(ONE, 0xFE, BYTE);
        member(g4, 0, "INC Eb", Op.INC, 0, 0);
        member(g4, 1, "DEC Eb", Op.DEC, 0, 0);
        int g5 = group(ONE, 0xFF, 0);
        member(g5, 0, "INC Ev", Op.INC, 0, 0);
        member(g5, 1, "DEC Ev", Op.DEC, 0, 0);
        member(g5, 2, "CALL Ev", Op.CALL_RM, 0, F64);
        member(g5, 3, "CALLF Mp", Op.CALL_FAR_M, 0, MEMONLY);
        member(g5, 4, "JMP Ev", Op.JMP_RM, 0, F64);
        member(g5, 5, "JMPF Mp", Op.JMP_FAR_M, 0, MEMONLY);
        member(g5, 6, "PUSH Ev", Op.PUSH_RM, 0, D64);

        // ---- two-byte opcodes (0F xx) ----
        int g6 = group(TWO, 0x00, 0);
        member(g6, 0, "SLDT Ew", Op.SLDT, 0, 0);
        member(g6, 1, "STR Ew", Op.STR, 0, 0);
        member(g6, 2, "LLDT Ew", Op.LLDT, 0, W16);
        member(g6, 3, "LTR Ew", Op.LTR, 0, W16);
        member(g6, 4, "VERR Ew", Op.SEG_QUERY, 2, W16);
        member(g6, 5, "VERW Ew", Op.SEG_QUERY, 3, W16);
        int g7 = group(TWO, 0x01, 0);
        member(g7, 0, "SGDT Ms", Op.SGDT, 0, MEMONLY);
        memberReg(g7, 0, "VMCALL", Op.VMCALL, 0, REGONLY); // rm 1 VMCALL; the others are VMX instructions (#UD)
        member(g7, 1, "SIDT Ms", Op.SIDT, 0, MEMONLY);
        member(g7, 2, "LGDT Ms", Op.LGDT, 0, MEMONLY);
        member(g7, 3, "LIDT Ms", Op.LIDT, 0, MEMONLY);
        member(g7, 4, "SMSW Ew", Op.SMSW, 0, 0);
        member(g7, 6, "LMSW Ew", Op.LMSW, 0, W16);
        member(g7, 7, "INVLPG Mb", Op.INVLPG, 0, MEMONLY);
        memberReg(g7, 7, "SWAPGS/RDTSCP", Op.SWAPGS, 0, REGONLY); // rm 0 SWAPGS, rm 1 RDTSCP
        two(0x02, "LAR Gv,Ew", Op.SEG_QUERY, 0, MODRM);
        two(0x03, "LSL Gv,Ew", Op.SEG_QUERY, 1, MODRM);
        two(0x05, "SYSCALL", Op.SYSCALL, 0, 0);
        two(0x06, "CLTS", Op.CLTS, 0, 0);
        two(0x07, "SYSRET", Op.SYSRET, 0, 0);
        two(0x08, "INVD", Op.WBINVD, 0, 0);
        two(0x09, "WBINVD", Op.WBINVD, 0, 0);
        two(0x0B, "UD2", Op.UD, 0, 0);
        two(0x0D, "NOP Ev", Op.NOP, 0, MODRM);   // PREFETCHW
        two(0x18, "NOP Ev", Op.NOP, 0, MODRM);   // PREFETCHh
        for (int i = 0x19; i <= 0x1F; i++) two(i, "NOP Ev", Op.NOP, 0, MODRM);
        two(0x20, "MOV Rd,Cd", Op.MOV_R_CR, 0, MODRM | F64);
        two(0x21, "MOV Rd,Dd", Op.MOV_R_DR, 0, MODRM | F64);
        two(0x22, "MOV Cd,Rd", Op.MOV_CR_R, 0, MODRM | F64);
        two(0x23, "MOV Dd,Rd", Op.MOV_DR_R, 0, MODRM | F64);
        two(0x30, "WRMSR", Op.WRMSR, 0, 0);
        two(0x31, "RDTSC", Op.RDTSC, 0, 0);
        two(0x32, "RDMSR", Op.RDMSR, 0, 0);
        two(0xA0, "PUSH FS", Op.PUSH_SEG, 4, D64);
        two(0xA1, "POP FS", Op.POP_SEG, 4, D64);
        two(0xA2, "CPUID", Op.CPUID, 0, 0);
        two(0xA3, "BT Ev,Gv", Op.BT, 0, MODRM);
        two(0xA4, "SHLD Ev,Gv,Ib", Op.SHLD, 0, MODRM | IBU);
        two(0xA5, "SHLD Ev,Gv,CL", Op.SHLD, 1, MODRM);
        two(0xA8, "PUSH GS", Op.PUSH_SEG, 5, D64);
        two(0xA9, "POP GS", Op.POP_SEG, 5, D64);
        two(0xAB, "BTS Ev,Gv", Op.BT, 1, MODRM);
        two(0xAC, "SHRD Ev,Gv,Ib", Op.SHRD, 0, MODRM | IBU);
        two(0xAD, "SHRD Ev,Gv,CL", Op.SHRD, 1, MODRM);
        int g15 = group(TWO, 0xAE, 0);
        member(g15, 0, "FXSAVE M", Op.SSE, Sse.FXSAVE, MEMONLY);
        member(g15, 1, "FXRSTOR M", Op.SSE, Sse.FXRSTOR, MEMONLY);
        member(g15, 2, "LDMXCSR Md", Op.SSE, Sse.LDMXCSR, MEMONLY);
        member(g15, 3, "STMXCSR Md", Op.SSE, Sse.STMXCSR, MEMONLY);
        member(g15, 7, "CLFLUSH Mb", Op.CLFLUSH, 0, MEMONLY);
        memberReg(g15, 5, "LFENCE", Op.FENCE, 0, 0);
        memberReg(g15, 6, "MFENCE", Op.FENCE, 0, 0);
        memberReg(g15, 7, "SFENCE", Op.FENCE, 0, 0);
        two(0xAF, "IMUL Gv,Ev", Op.IMUL_REG_RM, 0, MODRM);
        two(0xB0, "CMPXCHG Eb,Gb", Op.CMPXCHG, 0, MODRM | BYTE);
        two(0xB1, "CMPXCHG Ev,Gv", Op.CMPXCHG, 0, MODRM);
        two(0xB2, "LSS Gv,Mp", Op.LSS, 0, MODRM | MEMONLY);
        two(0xB3, "BTR Ev,Gv", Op.BT, 2, MODRM);
        two(0xB4, "LFS Gv,Mp", Op.LFS, 0, MODRM | MEMONLY);
        two(0xB5, "LGS Gv,Mp", Op.LGS, 0, MODRM | MEMONLY);
        two(0xB6, "MOVZX Gv,Eb", Op.MOVZX, 1, MODRM | RM8);
        two(0xB7, "MOVZX Gv,Ew", Op.MOVZX, 2, MODRM);
        int g8 = group(TWO, 0xBA, IBU);
        for (int b = 0; b < 4; b++) member(g8, 4 + b, new String[] {"BT", "BTS", "BTR", "BTC"}[b] + " Ev,Ib", Op.BT, b | 4, 0);
        two(0xBB, "BTC Ev,Gv", Op.BT, 3, MODRM);
        two(0xBC, "BSF Gv,Ev", Op.BSF, 0, MODRM);
        two(0xBD, "BSR Gv,Ev", Op.BSR, 0, MODRM);
        two(0xBE, "MOVSX Gv,Eb", Op.MOVSX, 1, MODRM | RM8);
        two(0xBF, "MOVSX Gv,Ew", Op.MOVSX, 2, MODRM);
        two(0xC0, "XADD Eb,Gb", Op.XADD, 0, MODRM | BYTE);
        two(0xC1, "XADD Ev,Gv", Op.XADD, 0, MODRM);
        int g9 = group(TWO, 0xC7, 0);
        member(g9, 1, "CMPXCHG8B Mq", Op.CMPXCHG8B, 0, MEMONLY);
        memberReg(g9, 7, "RDPID Rd", Op.RDPID, 0, REGONLY | F64);
        for (int r = 0; r < 8; r++) two(0xC8 + r, "BSWAP Zv", Op.BSWAP, 0, REGOP);
        TWO_F3[0xB8] = new Entry("POPCNT Gv,Ev", Op.POPCNT, 0, MODRM);
        TWO_F3[0xBC] = new Entry("TZCNT Gv,Ev", Op.TZCNT, 0, MODRM);
        TWO_F3[0xBD] = new Entry("LZCNT Gv,Ev", Op.LZCNT, 0, MODRM);
        THREE_38[0xF0] = new Entry("MOVBE Gv,Mv", Op.MOVBE_LOAD, 0, MODRM | MEMONLY);
        THREE_38[0x82] = new Entry("INVPCID Gy,Mdq", Op.INVPCID, 0, MODRM | MEMONLY);
        THREE_38[0xF1] = new Entry("MOVBE Mv,Gv", Op.MOVBE_STORE, 0, MODRM | MEMONLY);
        SseTable.markTwoByteTable(TWO);
    }

    /** The entry for a one-byte (twoByte false) or 0F-prefixed opcode, resolving groups with ModRM. */
    public static Entry lookup(boolean twoByte, int opc, int modrm) {
        Entry e = (twoByte ? TWO : ONE)[opc];
        if (!e.has(GROUP)) return e;
        int reg = (modrm >>> 3) & 7;
        return GROUPS[e.sub()][(modrm >>> 6) == 3 ? 8 + reg : reg];
    }

    /** The unresolved entry (a group entry carries the flags shared by its members). */
    public static Entry raw(boolean twoByte, int opc) { return (twoByte ? TWO : ONE)[opc]; }

    /** The unresolved entry in a given code mode: opcode 63 is ARPL outside 64-bit mode. */
    public static Entry raw(boolean twoByte, int opc, int mode) {
        return !twoByte && opc == 0x63 && mode != 64 ? ARPL : raw(twoByte, opc);
    }
}
