package dev.vmm.cpu;

/**
 * What executes one decoded instruction: {@link Insn#h}, chosen by the decoder from the instruction's
 * {@link Op} id. The hottest forms have a handler of their own ({@link FastForms}); everything else goes
 * through {@link #GENERAL}, the executor's {@code switch}.
 *
 * <p>Why objects rather than one {@code switch}: HotSpot compiles a big switch into one method and loads
 * the operand fields that many cases share (register numbers, size masks, immediates, the memory operand)
 * before its jump table, for every instruction, whatever the case needs. A handler is a small method of
 * its own that loads only its own operands; the call through the instruction's handler is one indirect
 * call, as a jump table is one indirect jump. Bochs dispatches the same way (a handler pointer per decoded
 * instruction). Measured on the benchmark kernel: about 1.2x the guest MIPS of the switch.
 */
abstract class Handler {
    abstract void exec(Cpu c, Insn d);

    /** Every instruction without a fast form: {@link Exec#general}. */
    static final Handler GENERAL = new Handler() {
        @Override
        void exec(Cpu c, Insn d) { Exec.general(c, d); }
    };

    /** The handler of a decoded instruction (any op id, including the decoder's {@link Decoder#TOO_LONG}). */
    static Handler of(Insn d) {
        int op = d.op;
        if (op < 0 || op >= Op.COUNT) return GENERAL;
        Handler m = FastForms.baseDispForm(d);
        if (m != null) return m;
        Handler[] bySub = FastForms.BY_SUB[op];
        Handler h = bySub != null ? bySub[d.sub] : FastForms.BY_OP[op];
        return h != null ? h : GENERAL;
    }
}
