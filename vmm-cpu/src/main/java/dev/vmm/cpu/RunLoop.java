package dev.vmm.cpu;

/**
 * The vCPU's run loop: {@link Cpu#run} and {@link Cpu#step}. The usual case runs {@link BasicBlock}s
 * (no per-instruction lookup or checks); anything that must see every instruction boundary (TF, armed
 * debug registers, an interrupt shadow, the monitor's breakpoints, watchpoints and traces) runs one
 * instruction at a time. External interrupts are taken between blocks, faults are delivered here.
 */
final class RunLoop {
    private RunLoop() { }

    private static boolean atBreakpoint(Cpu c, long[] bps) {
        long lin = c.linearRip();
        boolean passing = lin == c.resumeFrom;
        c.resumeFrom = -1;
        if (passing) return false;
        for (long b : bps) if (b == lin) return true;
        return false;
    }

    /** Executes up to {@code budget} instructions. */
    static Cpu.Exit run(Cpu c, long budget) {
        long end = c.instructions + budget;
        if (c.checker != null) c.checker.enter();
        while (true) {
            if (c.shutdown) return Cpu.Exit.SHUTDOWN;
            if (c.stopRequested) { c.stopRequested = false; return Cpu.Exit.STOP_REQUESTED; }
            if (c.halted) {
                if (!Interrupts.checkExternal(c)) return Cpu.Exit.HALTED;
            }
            if (c.instructions >= end) return Cpu.Exit.BUDGET;
            try {
                long[] bps = c.breakpoints;
                if (bps == null && c.watches == null && c.insnTrace == null && !c.debugArmed) loop(c, end);
                else if (bps != null && atBreakpoint(c, bps)) return Cpu.Exit.BREAKPOINT;
                else if (c.watches != null || c.insnTrace != null) { if (monitorStep(c)) return Cpu.Exit.BREAKPOINT; }
                else if (c.debugArmed) debugStep(c);
                else loop(c, c.instructions + 1);
            } catch (CpuFault f) {
                c.dataHits = 0;
                if (f.vector == Breakpoints.REENTER) continue;
                Watchpoints w = c.watches;
                if (w != null) w.beginDelivery(c); // the frame pushed for the faulting instruction is watched too
                Interrupts.exception(c, f.vector, f.errorCode);
                if (w != null && w.end(c)) return Cpu.Exit.BREAKPOINT;
            }
        }
    }

    /**
     * One instruction with the debugger's hooks (trace, watchpoints); returns whether a watchpoint was hit.
     * A fault the instruction raises escapes as from {@link #loop}; a watch hit by its delivery is then
     * reported after the next instruction.
     */
    private static boolean monitorStep(Cpu c) {
        CpuTrace t = c.insnTrace;
        if (t != null && !c.halted) t.instruction(c);
        Watchpoints w = c.watches;
        if (w == null) { loop(c, c.instructions + 1); return false; }
        // decoded first (a fetch fault is raised here as step would raise it) for the operand size
        w.begin(c, c.halted ? null : c.fetch());
        try {
            loop(c, c.instructions + 1);
        } catch (CpuFault f) {
            w.abandon();
            throw f;
        }
        return w.end(c);
    }

    /**
     * The hot loop. Stop requests are looked at every {@link #CHECK_EVERY} instructions (a volatile read
     * per instruction would cost more than the rest of a simple instruction); HLT, faults and shutdown
     * leave at once.
     */
    private static void loop(Cpu c, long end) {
        while (c.instructions < end && !c.stopRequested && !c.halted) {
            long chunkEnd = Math.min(end, c.instructions + CHECK_EVERY);
            while (c.instructions < chunkEnd) {
                if ((c.flagsRest & Flags.IF) != 0 && !c.inhibitInterrupts && c.interrupts.pending()) {
                    Interrupts.checkExternal(c);
                }
                if (!c.inhibitInterrupts && (c.flagsRest & Flags.TF) == 0 && !c.debugArmed) {
                    runBlock(c, chunkEnd);
                } else {
                    c.inhibitInterrupts = false;
                    step(c);
                }
                if (c.halted | c.shutdown) return;
            }
        }
    }

    /**
     * Runs the {@link BasicBlock} at RIP, or as much of it as fits before {@code chunkEnd}, and then the
     * blocks that follow it in the same code page or in one of the recently entered ones (see
     * {@link DecodedCache#lookup}), for as long as nothing needs the loop's checks (see
     * {@link Insn#chains}). Called when nothing needs every instruction boundary (no TF, debug registers
     * or interrupt shadow). A fault escapes to {@link #run}, which also finishes a MOV DR7 that completed
     * itself ({@link Breakpoints#REENTER}).
     */
    private static void runBlock(Cpu c, long chunkEnd) {
        long lin = c.linearRip();
        long ipMask = c.codeMode == 64 ? -1L : Cpu.sizeMask(c.codeMode >>> 3);
        // IP would wrap around its segment inside this page: a block could not follow it
        if (c.codeMode != 64 && ipMask - c.rip < 4096 - (lin & 0xFFF)) { step(c); return; }
        Insn d = c.fetch();
        DecodedCache code = c.code;
        if (code.isScratch(d)) { step(c); return; } // crosses a page: never part of a block
        code.stale = false;
        while (true) {
            if (d.runLen == 0) code.buildBlock(c, d, lin);
            long room = chunkEnd - c.instructions;
            if (d.runLen <= room) {
                while (true) {
                    c.nextRip = (c.rip + d.len) & ipMask;
                    d.h.exec(c, d);
                    c.rip = c.nextRip;
                    c.instructions++;
                    if (code.stale) return; // it wrote code: what follows is decoded again
                    Insn n = d.next;
                    if (n == null) break;
                    d = n;
                }
            } else {
                for (; room > 0; room--, d = d.next) { // the budget ends inside the block
                    c.nextRip = (c.rip + d.len) & ipMask;
                    d.h.exec(c, d);
                    c.rip = c.nextRip;
                    c.instructions++;
                    if (code.stale) return;
                }
                return;
            }
            // d ended its block. The next block, when it is decoded in this page or a recent one (valid:
            // nothing wrote code, nothing changed the translations) and nothing the run loop checks can
            // have changed: no budget left, a pending interrupt
            if (!d.chains || c.instructions >= chunkEnd) return;
            if ((c.flagsRest & Flags.IF) != 0 && c.interrupts.pending()) return;
            long next = c.codeMode == 64 ? c.rip : (c.segBase[Seg.CS] + c.rip) & 0xFFFF_FFFFL;
            if (c.codeMode != 64 && ipMask - c.rip < 4096 - (next & 0xFFF)) return;
            if ((next ^ lin) >>> 12 == 0) {
                d = follow(code, d, (int) (next & 0xFFF), c.codeMode);
            } else {
                d = code.lookup(next, c.codeMode); // another page: one of the recent ones, still valid, or none
            }
            if (d == null) return;
            lin = next;
        }
    }

    /** The decoded instruction at {@code off} of the current page that {@code last}'s block went on to. */
    private static Insn follow(DecodedCache code, Insn last, int off, int mode) {
        Insn n = last.link0;
        if (n != null && n.off == off) return n;
        n = last.link1;
        if (n != null && n.off == off) return n;
        n = code.inCurrentPage(off, mode);
        if (n != null) { last.link1 = last.link0; last.link0 = n; }
        return n;
    }

    private static final int CHECK_EVERY = 1024;

    /** One instruction with DR0-DR3 breakpoints armed (see {@link Breakpoints}). */
    private static void debugStep(Cpu c) {
        Breakpoints.beforeInstruction(c);
        long before = c.instructions;
        loop(c, c.instructions + 1);
        if (c.instructions != before) Breakpoints.afterInstruction(c);
    }

    /**
     * Executes one instruction and lets a guest fault escape as {@link CpuFault} (the loop's body; tests
     * and single-stepping call it directly). Small, so HotSpot inlines it into the loop.
     */
    static void step(Cpu c) {
        if (c.debugArmed) Breakpoints.beforeInstruction(c);
        Insn d = c.fetch();
        long n = c.rip + d.len;
        c.nextRip = c.codeMode == 64 ? n : n & Cpu.sizeMask(c.codeMode >>> 3);
        boolean tf = (c.flagsRest & Flags.TF) != 0;
        try {
            Exec.execute(c, d);
        } catch (CpuFault f) {
            c.dataHits = 0;
            if (f.vector == Breakpoints.REENTER) return; // MOV DR7 completed the instruction itself
            throw f;
        }
        c.rip = c.nextRip;
        c.instructions++;
        if (tf) Debug.singleStep(c, d);
        if (c.debugArmed) Breakpoints.afterInstruction(c);
    }
}
