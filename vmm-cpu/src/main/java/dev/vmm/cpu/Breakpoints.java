package dev.vmm.cpu;

import dev.vmm.mmu.Access;

/**
 * Debug-register breakpoints (SDM vol. 3, 17.2 and 17.3): DR0-DR3 with DR7's enables (L0-L3/G0-G3),
 * R/W kinds (execute, write, I/O with CR4.DE=1, read/write) and lengths (1, 2, 4, 8 bytes, the address
 * aligned down to the length), reported in DR6.B0-B3.
 *
 * <p>Cost: nothing while DR7 enables no breakpoint. Once one is enabled the vCPU runs one instruction
 * per {@link Cpu#run} iteration: an execute breakpoint is a fault before the instruction (unless
 * RFLAGS.RF is set, which the instruction's completion then clears); a data breakpoint makes every data
 * access leave the fast TLB lookup for {@link #dataAccess}, which notes hits, and the #DB trap follows the
 * instruction. A data access matches when its first byte lies in the watched range (an unaligned access
 * that starts below the range and runs into it is not seen).
 */
final class Breakpoints {
    private Breakpoints() { }

    /** A CpuFault vector that is no exception: the instruction completed, the run loop re-reads its mode. */
    static final int REENTER = 256;

    private static final int[] LEN_BYTES = {1, 2, 8, 4};

    /** Recomputes whether DR7 enables any breakpoint, and any data breakpoint, after DR7 changed. */
    static void update(Cpu c) {
        long dr7 = c.dr[7];
        boolean any = false, data = false;
        for (int i = 0; i < 4; i++) {
            if (((dr7 >>> (2 * i)) & 3) == 0) continue;
            int rw = (int) (dr7 >>> (16 + 4 * i)) & 3;
            any = true;
            if (rw == 1 || rw == 3) data = true; // I/O breakpoints (2) are matched by IN/OUT/INS/OUTS themselves
        }
        c.debugArmed = any || c.rfStep;
        c.watchData = data;
        c.updateTranslationPath();
    }

    /** MOV to DR7 armed breakpoints: finish the instruction here and leave the fast loop (which does not check them). */
    static void leaveFastLoop(Cpu c) {
        finishAndLeave(c, (c.flagsRest & Flags.TF) != 0);
    }

    /**
     * IRET loaded RF=1 (a fault handler returning: faults push RF=1) while no breakpoint is armed: the
     * next instruction runs on the checked path, whose completion clears RF again, then the fast loop
     * resumes. {@code tf}: TF as the IRET began (its single-step trap).
     */
    static void rfLoaded(Cpu c, boolean tf) {
        c.rfStep = true;
        c.debugArmed = true;
        finishAndLeave(c, tf);
    }

    private static void finishAndLeave(Cpu c, boolean tf) {
        c.rip = c.nextRip;
        c.instructions++;
        if (tf) { c.dr[6] |= Debug.DR6_BS; throw c.raise(Interrupts.DB, -1); }
        throw c.raise(REENTER, -1);
    }

    /** DR6.B0-B3 of the enabled breakpoints covering {@code lin}: execute ones, or data ones (write-only ones for writes only). */
    private static int match(Cpu c, long lin, boolean exec, boolean write) {
        long dr7 = c.dr[7];
        int hits = 0;
        for (int i = 0; i < 4; i++) {
            if (((dr7 >>> (2 * i)) & 3) == 0) continue;
            int rw = (int) (dr7 >>> (16 + 4 * i)) & 3;
            if (exec) {
                if (rw == 0 && c.dr[i] == lin) hits |= 1 << i;
                continue;
            }
            if (rw == 0 || rw == 2 || (rw == 1 && !write)) continue;
            int len = LEN_BYTES[(int) (dr7 >>> (18 + 4 * i)) & 3];
            long start = c.dr[i] & -len;
            if (lin - start >= 0 && lin - start < len) hits |= 1 << i;
        }
        return hits;
    }

    /** Before an instruction: an enabled execute breakpoint at its address is a #DB fault, unless RF=1. */
    static void beforeInstruction(Cpu c) {
        c.iretLoadedRf = false;
        c.stringRestart = false;
        if ((c.flagsRest & Flags.RF) != 0) return;
        int hits = match(c, c.linearRip(), true, false);
        if (hits == 0) return;
        c.dr[6] = (c.dr[6] & ~0xFL) | hits;
        throw c.raise(Interrupts.DB, -1);
    }

    /** After an instruction completed: RF is cleared (unless IRET loaded it); data hits become a #DB trap. */
    static void afterInstruction(Cpu c) {
        // RF=1 lets one instruction past its execute breakpoint; a string instruction that will run again
        // for its remaining iterations has not completed yet
        if (!c.iretLoadedRf && !c.stringRestart) c.flagsRest &= ~Flags.RF;
        if (c.rfStep) { c.rfStep = false; update(c); }
        int hits = c.dataHits;
        if (hits == 0) return;
        c.dataHits = 0;
        c.dr[6] = (c.dr[6] & ~0xFL) | hits;
        throw c.raise(Interrupts.DB, -1);
    }

    /**
     * IN, OUT, INS or OUTS of {@code size} bytes at {@code port} with breakpoints armed: R/W = 10 breakpoints
     * (only while CR4.DE=1) whose port range overlaps it are noted; the #DB trap follows the instruction
     * (for a repeated INS/OUTS, the first iteration).
     */
    static void ioAccess(Cpu c, int port, int size) {
        if ((c.cr4 & SystemRegs.CR4_DE) == 0) return;
        long dr7 = c.dr[7];
        for (int i = 0; i < 4; i++) {
            if (((dr7 >>> (2 * i)) & 3) == 0 || ((dr7 >>> (16 + 4 * i)) & 3) != 2) continue;
            int len = LEN_BYTES[(int) (dr7 >>> (18 + 4 * i)) & 3];
            long start = c.dr[i] & 0xFFFF & -len;
            if (port < start + len && port + size > start) c.dataHits |= 1 << i;
        }
    }

    /** A data access of kind {@code acc} at {@code lin} on the slow memory path while data breakpoints are armed. */
    static void dataAccess(Cpu c, long lin, int acc) {
        if (acc != Access.READ && acc != Access.WRITE) return; // fetches and the processor's own table accesses
        c.dataHits |= match(c, lin, false, acc == Access.WRITE);
    }
}
