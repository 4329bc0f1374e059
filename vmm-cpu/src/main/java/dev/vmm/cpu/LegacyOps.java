package dev.vmm.cpu;

/**
 * ARPL and BOUND (SDM vol. 2): general-purpose instructions of 16/32-bit modes whose opcodes 64-bit
 * mode gave to MOVSXD (63) and the EVEX prefix (62).
 */
final class LegacyOps {
    private LegacyOps() { }

    /** ARPL Ew,Gw: raise the RPL of the destination selector to the source's; ZF says it changed. */
    static void arpl(Cpu c, Insn d) {
        if (!Segments.protectedMode(c)) throw c.ud();
        long dst = Exec.readRm(c, d, 2);
        int want = (int) c.reg(d.reg, 2) & 3;
        boolean raise = (dst & 3) < want;
        if (raise) {
            long v = (dst & ~3L) | want;
            if (d.mem) c.write(c.lin(d), 2, v); else c.setReg(d.rm, 2, v);
        }
        long f = c.rflags() & ~Flags.ZF;
        c.setRflags(raise ? f | Flags.ZF : f);
    }

    /** BOUND Gv,Ma: #BR unless lower <= index <= upper (signed; the bounds are two operands in memory). */
    static void bound(Cpu c, Insn d) {
        int size = d.osize;
        long lower = Alu.sx(c.read(c.lin(d), size), size);
        long upper = Alu.sx(c.read(c.linear(d.seg, Exec.mask(c.ea(d) + size, d.asize)), size), size);
        long index = Alu.sx(c.reg(d.reg, size), size);
        if (index < lower || index > upper) throw c.raise(Interrupts.BR, -1);
    }
}
