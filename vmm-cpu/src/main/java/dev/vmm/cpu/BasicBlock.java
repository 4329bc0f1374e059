package dev.vmm.cpu;

import java.util.Arrays;

/**
 * A run of decoded instructions that the vCPU executes without looking up each one: the
 * instructions that follow one another in a code page until the first that may do more than change
 * registers, flags and memory and advance RIP by its length (a jump, call or return, or anything
 * touching interrupts, modes, paging, segments or debug state), which ends the block as its last
 * instruction. Bochs' trace cache and QEMU's translation blocks cut code the same way.
 *
 * <p>Why: looking up each instruction by RIP, and checking interrupts, TF and debug state before
 * each, cost about as much as executing a simple instruction. Inside a block none of these can change
 * (only the last instruction may change them), so they are checked once per block.
 *
 * <p>What stays exact: RIP and the instruction count are updated after every instruction, so a fault
 * in the middle of a block is raised at its instruction with the count of the instructions before it;
 * the run loop cuts a block short at its budget; a write to a code page ends the block after the
 * writing instruction (the next instruction is decoded again). External interrupts are taken at block
 * boundaries: an interrupt that becomes pending inside a block (a store to the local APIC, say) is
 * delivered after the block's last instruction, as QEMU delivers them between translation blocks.
 *
 * <p>A block is built by decoding ahead in the current page, up to {@link #MAX} instructions, and
 * stops where an instruction could reach into the next page (whose translation may fault, and must not
 * before the code really gets there). It hangs off its first instruction ({@link Insn#block}), decoded
 * for one code mode, and so lives and dies with the decoded page. Outside 64-bit mode the run loop
 * does not use a block where IP could wrap around its segment inside the page (the next instruction
 * would then not follow in the page).
 */
final class BasicBlock {
    static final int MAX = 32;
    /** Longest x86 instruction: a block only decodes ahead where a whole one fits in the page. */
    private static final int MAX_INSN = 15;

    final Insn[] insns;
    /**
     * Whether the block after this one may run without going back to the run loop: the last
     * instruction only moves RIP (a jump, call or return within the code segment, or any straight
     * instruction where the block was cut), so interrupt delivery, TF, the code mode and the debug
     * state are as they were.
     */
    final boolean chains;

    private BasicBlock(Insn[] insns) {
        this.insns = insns;
        Insn last = insns[insns.length - 1];
        this.chains = straight(last) || last.op >= 0 && NEAR_BRANCH[last.op];
    }

    private static final boolean[] NEAR_BRANCH = new boolean[Op.COUNT];

    static {
        for (int op : new int[] {Op.JCC, Op.JMP_REL, Op.CALL_REL, Op.JMP_RM, Op.CALL_RM, Op.RET, Op.LOOP,
            Op.JCXZ, Op.L_CALL_REL, Op.L_RET}) {
            NEAR_BRANCH[op] = true;
        }
    }

    private static final boolean[] STRAIGHT = new boolean[Op.COUNT];

    static {
        // registers, flags and memory only; RIP moves by the instruction's length
        for (int op = Op.ALU_RM_REG; op <= Op.SHRD; op++) STRAIGHT[op] = true;
        for (int op : new int[] {Op.PUSH_REG, Op.POP_REG, Op.PUSH_IMM, Op.PUSH_RM, Op.POP_RM, Op.PUSHF,
            Op.LEAVE, Op.ENTER, Op.SAHF, Op.LAHF, Op.NOP, Op.XLAT, Op.FENCE, Op.CLFLUSH, Op.SALC,
            Op.MOV_RR, Op.MOV_LOAD, Op.MOV_STORE, Op.ALU_RR, Op.ALU_RI, Op.POPCNT, Op.TZCNT, Op.LZCNT,
            Op.MOVBE_LOAD, Op.MOVBE_STORE, Op.ADX, Op.SSE, Op.X87}) {
            STRAIGHT[op] = true;
        }
        for (int op = Op.W_ADD_RR; op < Op.COUNT; op++) STRAIGHT[op] = true;
        STRAIGHT[Op.L_CALL_REL] = false;
        STRAIGHT[Op.L_RET] = false;
    }

    /** Whether {@code d} may be followed by another instruction of the same block. */
    static boolean straight(Insn d) {
        int op = d.op;
        if (op == Op.FLAGOP) return d.sub != 3 && d.sub != 4; // CLI and STI change interrupt delivery
        return op >= 0 && op < Op.COUNT && STRAIGHT[op];
    }

    /**
     * Builds the block starting with {@code first} at linear address {@code lin}, decoding ahead
     * through {@code ahead}, and attaches it to {@code first}.
     */
    static BasicBlock build(Insn first, long lin, Ahead ahead) {
        Insn[] buf = new Insn[MAX];
        int n = 0;
        Insn d = first;
        int off = (int) (lin & 0xFFF);
        while (true) {
            buf[n++] = d;
            if (n == MAX || !straight(d)) break;
            off += d.len;
            if (off > 4096 - MAX_INSN) break;
            d = ahead.at(off);
        }
        BasicBlock b = new BasicBlock(Arrays.copyOf(buf, n));
        first.block = b;
        return b;
    }

    /** The instruction at an offset of the current code page (in the first one's mode), decoded if it is not yet. */
    interface Ahead {
        Insn at(int offset);
    }
}
