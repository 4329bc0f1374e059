package dev.vmm.cpu;

/**
 * Debug facilities (SDM vol. 3, chapter 17): the TF single-step trap and the debug registers' access
 * rules, DR7.GD general detect. Breakpoints in DR0-DR3 are matched by {@link Breakpoints}.
 */
final class Debug {
    private Debug() { }

    /** DR6 bits: breakpoint conditions B0-B3, BD (debug-register access), BS (single step), BT (task switch). */
    static final long DR6_BS = 1 << 14, DR6_INIT = 0xFFFF_0FF0L, DR7_INIT = 0x400;
    /** DR6.BD (a debug-register access met DR7.GD) and DR7.GD (general detect). */
    static final long DR6_BD = 1 << 13, DR7_GD = 1 << 13;

    /**
     * After an instruction that began with RFLAGS.TF set (SDM 17.3.1.4): a #DB trap with DR6.BS, RIP at
     * the next instruction. Not after an instruction that delivered an interrupt (INT n/INT3/INTO clear TF
     * and their handler runs first), and not after MOV SS/POP SS, which delay it by one instruction.
     */
    static void singleStep(Cpu c, Insn d) {
        boolean tfNow = (c.flagsRest & Flags.TF) != 0;
        if (!tfNow && d.op != Op.POPF && d.op != Op.IRET) return;
        if ((d.op == Op.MOV_SREG_RM && (d.reg & 7) == Seg.SS) || (d.op == Op.POP_SEG && d.sub == Seg.SS)) return;
        c.dr[6] |= DR6_BS;
        throw c.raise(Interrupts.DB, -1);
    }

    /** MOV from DRn: DR4/DR5 alias DR6/DR7 unless CR4.DE, when they raise #UD. */
    static long read(Cpu c, int n) {
        generalDetect(c);
        return c.dr[alias(c, n)];
    }

    /** MOV to DRn: in 64-bit mode the upper halves of DR6 and DR7 are reserved (#GP(0)); fixed bits stay fixed. */
    static void write(Cpu c, int n, long v) {
        generalDetect(c);
        n = alias(c, n);
        if (n >= 6 && c.codeMode == 64 && (v >>> 32) != 0) throw c.gp(0);
        switch (n) {
            case 6 -> c.dr[6] = (v & 0xE00F) | DR6_INIT;      // B0-B3, BD, BS, BT; the rest reads as 1 (bits 4-11, 16-31) or 0 (12)
            case 7 -> {
                c.dr[7] = (v & 0xFFFF_2BFFL) | DR7_INIT; // bit 10 reads 1, bits 11, 12, 14, 15 read 0
                boolean was = c.debugArmed;
                Breakpoints.update(c);
                if (c.debugArmed && !was) Breakpoints.leaveFastLoop(c);
            }
            default -> c.dr[n] = c.codeMode == 64 ? v : v & 0xFFFF_FFFFL;
        }
    }

    /**
     * DR7.GD (SDM 17.2.4): any MOV to or from a debug register is a #DB fault, with DR6.BD set and GD
     * cleared so the handler itself can use the debug registers.
     */
    private static void generalDetect(Cpu c) {
        if ((c.dr[7] & DR7_GD) == 0) return;
        c.dr[7] &= ~DR7_GD;
        c.dr[6] |= DR6_BD;
        throw c.raise(Interrupts.DB, -1);
    }

    private static int alias(Cpu c, int n) {
        if (n == 4 || n == 5) {
            if ((c.cr4 & SystemRegs.CR4_DE) != 0) throw c.ud();
            return n + 2;
        }
        return n;
    }
}
