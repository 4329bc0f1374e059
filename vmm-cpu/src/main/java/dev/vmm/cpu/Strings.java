package dev.vmm.cpu;

/**
 * String instructions MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS with REP/REPE/REPNE (SDM vol. 2, "REP").
 * The source is seg:rSI (DS unless overridden), the destination ES:rDI (never overridden); rSI/rDI step
 * by the element size, backwards with DF=1. A repeated instruction runs at most {@link #CHUNK} iterations
 * per execution and then restarts itself (RIP unchanged), so interrupts are taken between iterations as
 * on hardware, and a fault leaves rCX/rSI/rDI describing the iterations done.
 */
final class Strings {
    private Strings() { }

    static final int MOVS = 0, CMPS = 1, STOS = 2, LODS = 3, SCAS = 4, INS = 5, OUTS = 6;
    private static final int CHUNK = 4096;

    static void execute(Cpu c, Insn d) {
        int size = d.osize, as = d.asize;
        long step = (c.flagsRest & Flags.DF) != 0 ? -size : size;
        if (d.sub == INS || d.sub == OUTS) Sys.checkIo(c, (int) c.r[2] & 0xFFFF, size);
        if (d.rep == 0) {
            once(c, d, size, as, step);
            return;
        }
        for (int n = 0; n < CHUNK; n++) {
            if (c.reg(1, as) == 0) return;
            once(c, d, size, as, step);
            c.setReg(1, as, c.reg(1, as) - 1);
            if (d.sub == CMPS || d.sub == SCAS) {
                boolean zf = Flags.zf(c);
                if (d.rep == 0xF3 ? !zf : zf) return; // REPE stops on a difference, REPNE on a match
            }
            if (c.dataHits != 0) break; // a data breakpoint traps after this iteration (SDM 17.3.1.2)
        }
        if (c.reg(1, as) != 0) { c.nextRip = c.rip; c.stringRestart = true; } // more to do: run this instruction again
    }

    private static void once(Cpu c, Insn d, int size, int as, long step) {
        long si = c.reg(6, as), di = c.reg(7, as);
        switch (d.sub) {
            case MOVS -> {
                long v = c.read(c.linear(d.seg, si), size);
                c.write(c.linear(Seg.ES, di), size, v);
                c.setReg(6, as, si + step);
                c.setReg(7, as, di + step);
            }
            case CMPS -> {
                long a = c.read(c.linear(d.seg, si), size);
                long b = c.read(c.linear(Seg.ES, di), size);
                Alu.alu(c, 7, size, a, b);
                c.setReg(6, as, si + step);
                c.setReg(7, as, di + step);
            }
            case STOS -> {
                c.write(c.linear(Seg.ES, di), size, c.reg(0, size));
                c.setReg(7, as, di + step);
            }
            case LODS -> {
                c.setReg(0, size, c.read(c.linear(d.seg, si), size));
                c.setReg(6, as, si + step);
            }
            case SCAS -> {
                Alu.alu(c, 7, size, c.reg(0, size), c.read(c.linear(Seg.ES, di), size));
                c.setReg(7, as, di + step);
            }
            case INS -> {
                long la = c.linear(Seg.ES, di);
                c.translate(la, dev.vmm.mmu.Access.WRITE); // fault before the port is read
                c.write(la, size, c.io.in((int) c.r[2] & 0xFFFF, size));
                c.setReg(7, as, di + step);
            }
            default -> { // OUTS
                c.io.out((int) c.r[2] & 0xFFFF, size, (int) c.read(c.linear(d.seg, si), size));
                c.setReg(6, as, si + step);
            }
        }
    }
}
