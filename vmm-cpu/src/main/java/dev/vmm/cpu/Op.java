package dev.vmm.cpu;

/**
 * Executor operation ids: what a decoded instruction does, independent of its encoding. The decoder
 * normalises encodings onto these (e.g. {@code ADD AL,Ib} and {@code ADD Eb,Ib} are both
 * {@link #ALU_RM_IMM} with the register form selected), so the executor has one handler per id.
 * {@code sub} in {@link Insn} refines an id: the ALU operation, the condition code, the shift kind.
 */
public final class Op {
    private Op() { }

    public static final int UD = 0;
    // data movement and arithmetic
    public static final int ALU_RM_REG = 1, ALU_REG_RM = 2, ALU_RM_IMM = 3;
    public static final int TEST_RM_REG = 4, TEST_RM_IMM = 5;
    public static final int MOV_RM_REG = 6, MOV_REG_RM = 7, MOV_RM_IMM = 8;
    public static final int INC = 9, DEC = 10, NOT = 11, NEG = 12;
    public static final int MUL = 13, IMUL1 = 14, DIV = 15, IDIV = 16, IMUL_REG_RM = 17, IMUL_REG_RM_IMM = 18;
    public static final int SHIFT = 19; // sub: 0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 6 SAL 7 SAR; imm = count, or -1 for CL
    public static final int LEA = 20, MOVZX = 21, MOVSX = 22, MOVSXD = 23, CBW = 24, CWD = 25;
    public static final int XCHG = 26, XADD = 27, CMPXCHG = 28, CMPXCHG8B = 29, BSWAP = 30;
    public static final int CMOV = 31, SETCC = 32, BT = 33; // BT sub: 0 BT 1 BTS 2 BTR 3 BTC; imm >= 0: immediate bit
    public static final int BSF = 34, BSR = 35, SHLD = 36, SHRD = 37;
    // stack
    public static final int PUSH_REG = 40, POP_REG = 41, PUSH_IMM = 42, PUSH_RM = 43, POP_RM = 44;
    public static final int PUSH_SEG = 45, POP_SEG = 46, PUSHF = 47, POPF = 48, LEAVE = 49, ENTER = 50;
    public static final int PUSHA = 51, POPA = 52;
    // control
    public static final int JCC = 60, JMP_REL = 61, CALL_REL = 62, JMP_RM = 63, CALL_RM = 64, RET = 65;
    public static final int LOOP = 66, JCXZ = 67, JMP_FAR = 68, JMP_FAR_M = 69, CALL_FAR = 70, CALL_FAR_M = 71;
    public static final int RETF = 72, IRET = 73, INT3 = 74, INT = 75, INTO = 76, INT1 = 77;
    // strings: sub = 0 MOVS 1 CMPS 2 STOS 3 LODS 4 SCAS 5 INS 6 OUTS
    public static final int STRING = 80;
    // flags and misc
    public static final int FLAGOP = 85; // sub: 0 CLC 1 STC 2 CMC 3 CLI 4 STI 5 CLD 6 STD
    public static final int SAHF = 86, LAHF = 87, NOP = 88, HLT = 89, XLAT = 90, CPUID = 91, RDTSC = 92;
    public static final int RDMSR = 93, WRMSR = 94, IN = 95, OUT = 96; // IN/OUT: imm >= 0 port, -1 DX
    public static final int MOV_SREG_RM = 97, MOV_RM_SREG = 98, MOV_CR_R = 99, MOV_R_CR = 100;
    public static final int MOV_DR_R = 101, MOV_R_DR = 102;
    public static final int LGDT = 103, LIDT = 104, SGDT = 105, SIDT = 106, LLDT = 107, LTR = 108;
    public static final int SLDT = 109, STR = 110, INVLPG = 111, SMSW = 112, LMSW = 113, CLTS = 114;
    public static final int SWAPGS = 115, SYSCALL = 116, SYSRET = 117, RDTSCP = 118, WBINVD = 119;
    public static final int LSS = 120, LDS = 121, LES = 122, LFS = 123, LGS = 124, CLFLUSH = 125, FENCE = 126;
    public static final int SALC = 127, RDPID = 128;
    // register and memory forms chosen at decode time, so hot handlers do not test ModRM.mod (Bochs does the same)
    public static final int MOV_RR = 129, MOV_LOAD = 130, MOV_STORE = 131, ALU_RR = 132, ALU_RI = 133;
    // bit counts (F3 0F B8/BC/BD), MOVBE (0F 38 F0/F1), BCD adjustments (sub: 0 DAA 1 DAS 2 AAA 3 AAS)
    public static final int POPCNT = 134, TZCNT = 135, LZCNT = 136, MOVBE_LOAD = 137, MOVBE_STORE = 138;
    public static final int BCD = 139, AAM = 140, AAD = 141;
    public static final int ARPL = 142, BOUND = 143;
    public static final int SEG_QUERY = 144; // sub: 0 LAR 1 LSL 2 VERR 3 VERW
    public static final int ADX = 145; // sub: 0 ADCX 1 ADOX
    public static final int VMCALL = 146; // 0F 01 C1, to the hypervisor (Hypervisor.vmcall)
    public static final int SSE = 147;  // sub: an Sse instruction id (SseTable)
    public static final int X87 = 148;  // sub: ESC opcode low bits 0-7 (D8-DF), or 8 for WAIT (Fpu)
    public static final int INVPCID = 149; // 66 0F 38 82 /r
    /*
     * Wide fast forms (Decoder.specialise): register and load/store variants of the hottest instructions
     * when the operand size is 32 or 64 bits, so their handlers (FastForms) are a few array operations
     * with no size switch. Numbered from 200 so the architectural ids above can grow.
     */
    public static final int W_ADD_RR = 200, W_OR_RR = 201, W_AND_RR = 202, W_SUB_RR = 203, W_XOR_RR = 204, W_CMP_RR = 205;
    public static final int W_ADD_RI = 206, W_OR_RI = 207, W_AND_RI = 208, W_SUB_RI = 209, W_XOR_RI = 210, W_CMP_RI = 211;
    public static final int W_TEST_RR = 212, W_TEST_RI = 213, W_MOV_RR = 214, W_MOV_LOAD = 215, W_MOV_STORE = 216;
    public static final int W_INC_R = 217, W_DEC_R = 218, W_LEA = 219, W_MOV_RI = 220;
    // 64-bit mode stack forms (SS base 0, 64-bit stack pointer): CALL rel32, RET [imm16], PUSH r64, POP r64
    public static final int L_CALL_REL = 221, L_RET = 222, L_PUSH_REG = 223, L_POP_REG = 224;
    // wide load-op forms (reg = reg OP [mem]), shifts/rotates of a register by an immediate, IMUL r, r/m
    // with a register source, MOVZX from memory
    public static final int W_ADD_LD = 225, W_OR_LD = 226, W_AND_LD = 227, W_SUB_LD = 228, W_XOR_LD = 229, W_CMP_LD = 230;
    public static final int W_SHIFT_RI = 231, W_IMUL_RR = 232, W_MOVZX_LD = 233;
    public static final int COUNT = 234;
}
