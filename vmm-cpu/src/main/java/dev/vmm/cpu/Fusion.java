package dev.vmm.cpu;

/**
 * Compare-and-branch fusion: a flag-setting register instruction (CMP, TEST, INC, DEC, ADD/SUB with an
 * immediate) immediately followed by a Jcc in the same code page is executed in one dispatch, as
 * recent x86 cores fuse the pair into one macro-op. Both instructions still retire one by one: the
 * instruction count, RIP at a fault of the Jcc (a non-canonical target) and the flags are exactly
 * those of executing them separately. The only observable difference is that an external interrupt
 * cannot be taken between the two, which on hardware is equally true of a fused pair.
 *
 * <p>The link from the first instruction to its Jcc is made the first time the first instruction runs
 * after the Jcc has been decoded (both live in the same decoded page, so the page's invalidation drops
 * them together). Fusion is off whenever anything must see every instruction boundary: TF, armed debug
 * registers, monitor breakpoints, watchpoints and traces (those run the CPU one instruction at a time,
 * so {@link Cpu#fuseEnd} leaves no room for a second instruction).
 */
final class Fusion {
    private Fusion() { }

    /** Marks an instruction whose successor is known not to be a fusable Jcc. */
    static final Insn NO_JCC = new Insn();

    /** After the flag-setting instruction {@code d} ran: runs the Jcc that follows it, if fusable now. */
    static void jcc(Cpu c, Insn d) {
        Insn j = d.nextJcc;
        if (j == NO_JCC) return;
        if (j == null) { link(c, d); return; }
        if (c.instructions + 2 > c.fuseEnd || (c.flagsRest & Flags.TF) != 0 || c.debugArmed) return;
        c.instructions++;          // d retires
        c.rip = c.nextRip;         // the Jcc is now the current instruction
        long n = c.rip + j.len;
        c.nextRip = c.codeMode == 64 ? n : n & Cpu.sizeMask(c.codeMode >>> 3);
        Flow.jcc(c, j);
    }

    private static void link(Cpu c, Insn d) {
        Insn next = c.code.following(c, d);
        if (next == null) return;                       // not decoded yet: try again next time
        d.nextJcc = next.op == Op.JCC && next.mode == d.mode ? next : NO_JCC;
    }
}
