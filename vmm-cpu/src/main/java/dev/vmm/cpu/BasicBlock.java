package dev.vmm.cpu;

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
 * <p>A block is not an object of its own but a chain of the page's decoded instructions: each knows the
 * one after it in its block ({@link Insn#next}, null after the last) and how many instructions are left
 * from it to the end ({@link Insn#runLen}, 0 until a block through it is built), so the run loop follows
 * one pointer per instruction and touches nothing but the instructions it executes. A block is built
 * by decoding ahead in the current page, up to {@link #MAX} instructions, and stops where an instruction
 * could reach into the next page (whose translation may fault, and must not before the code really
 * gets there) or where it meets an instruction already in a block (it then joins that block's tail,
 * which is where execution would go on anyway). Blocks starting inside another one share its tail. The
 * links live and die with the decoded page; an instruction decoded in another code mode is a different
 * {@link Insn}. Outside 64-bit mode the run loop does not use a block where IP could wrap around its
 * segment inside the page (the next instruction would then not follow in the page).
 *
 * <p>Between blocks of one page the last instruction remembers the first instructions of the last two
 * blocks it went on to ({@link Insn#link0}, {@link Insn#link1}: a loop's branch goes back or falls
 * through), so a loop runs from block to block without looking anything up.
 */
final class BasicBlock {
    private BasicBlock() { }

    static final int MAX = 32;
    /** Longest x86 instruction: a block only decodes ahead where a whole one fits in the page. */
    private static final int MAX_INSN = 15;

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
     * Whether the block after one ending in {@code last} may run without going back to the run loop:
     * {@code last} only moves RIP (a jump, call or return within the code segment, or a straight
     * instruction where the block was cut), so interrupt delivery, TF, the code mode and the debug
     * state are as they were.
     */
    private static boolean chains(Insn last) {
        return straight(last) || last.op >= 0 && last.op < Op.COUNT && NEAR_BRANCH[last.op];
    }

    /**
     * Builds the block starting with {@code first} at linear address {@code lin}, decoding ahead
     * through {@code ahead}: links its instructions and counts what is left from each.
     */
    static void build(Insn first, long lin, Ahead ahead) {
        Insn[] buf = new Insn[MAX];
        int n = 0;
        Insn d = first, tail = null;
        int off = (int) (lin & 0xFFF);
        while (true) {
            buf[n++] = d;
            if (n == MAX || !straight(d)) break;
            off += d.len;
            if (off > 4096 - MAX_INSN) break;
            Insn x = ahead.at(off);
            if (x.runLen != 0) { tail = x; break; } // the rest is a block already
            d = x;
        }
        int left = tail == null ? 0 : tail.runLen;
        for (int k = n - 1; k >= 0; k--) {
            Insn x = buf[k];
            x.next = tail;
            x.runLen = ++left;
            x.chains = chains(x);
            tail = x;
        }
    }

    /** The instruction at an offset of the current code page (in the first one's mode), decoded if it is not yet. */
    interface Ahead {
        Insn at(int offset);
    }
}
