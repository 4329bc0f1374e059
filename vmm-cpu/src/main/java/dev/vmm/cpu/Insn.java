package dev.vmm.cpu;

/**
 * One decoded instruction: everything the executor needs, so execution never looks at bytes again.
 * Made once by the {@link Decoder} and cached per physical page; executing it allocates nothing.
 *
 * <p>Register numbers are 0-15 (RAX..R15, with REX extensions folded in). For byte operands without
 * REX, 4-7 name AH, CH, DH, BH and are stored as {@link #AH_BASE}+0..3. A memory operand is
 * base + (index << scale) + disp in segment {@code seg}, truncated to the address size; base
 * {@link #RIP_BASE} is RIP-relative (added to the next instruction's RIP at execution, since one
 * physical page may be mapped at several linear addresses).
 */
public final class Insn {
    public static final int NONE = -1;
    public static final int RIP_BASE = 16;
    public static final int AH_BASE = 16;

    /** {@link Op} id and its refinement. */
    public int op, sub;
    /** Length in bytes. */
    public int len;
    /** Operand size in bytes (1, 2, 4, 8) and address size in bytes (2, 4, 8). */
    public int osize, asize;
    /** Mask of the operand size (0xFFFFFFFF or -1 for the wide forms) and log2 of the size, for lazy flags. */
    public long omask;
    public int lw;
    /**
     * The {@link BasicBlock} this instruction is in: the instruction after it (null after the block's last)
     * and the number of instructions from it to the block's end (0: in no block yet).
     */
    Insn next;
    int runLen;
    /** Whether the block after this one, when it is a block's last, may follow without the run loop's checks. */
    boolean chains;
    /** As a block's last: the first instructions of the blocks it last went on to in the same page, or null. */
    Insn link0, link1;
    /** Offset in its code page. */
    int off;
    /** What executes it ({@link Handler#of} its op, set by the decoder). */
    Handler h = Handler.GENERAL;
    /** Code mode it was decoded in (16, 32, 64): the cache re-decodes if the mode differs. */
    public int mode;
    /** ModRM.mod == 3 is false: the r/m operand is in memory. */
    public boolean mem;
    /** ModRM.reg (or the register in the opcode's low bits) and the register r/m operand. */
    public int reg, rm;
    /** Memory operand. */
    public int base = NONE, index = NONE, scale, seg;
    public long disp;
    /** Immediates (sign-extended to 64 bits where the SDM says so); imm2 is a far pointer's selector or ENTER's level. */
    public long imm, imm2;
    /** 0, or 0xF3 (REP/REPE) or 0xF2 (REPNE). */
    public int rep;
    public boolean lock;
    /** Whether any prefix selected a segment (for string instructions' source). */
    public boolean segOverride;
    /** Raw opcode byte(s), for the disassembler and reports: 0x0F << 8 | b for two-byte, 0x0F38 << 8 | b for three-byte opcodes. */
    public int opcode;
}
