package dev.vmm.cpu;

/**
 * POPCNT, TZCNT and LZCNT (SDM vol. 2; F3-prefixed 0F B8/BC/BD). Unlike BSF/BSR they define the
 * destination for a zero source (the operand width) and report it in CF; ZF says the count is zero.
 * POPCNT clears OF, SF, AF, CF and PF. For TZCNT/LZCNT OF, SF, AF and PF are undefined; Intel processors
 * clear them, and so does this (host vectors confirm it).
 */
final class BitCount {
    private BitCount() { }

    static void execute(Cpu c, Insn d, long src) {
        int size = d.osize, bits = size * 8;
        long v = Exec.mask(src, size);
        long res, f;
        switch (d.op) {
            case Op.POPCNT -> {
                res = Long.bitCount(v);
                f = res == 0 ? Flags.ZF : 0;
            }
            case Op.TZCNT -> {
                res = v == 0 ? bits : Long.numberOfTrailingZeros(v);
                f = (v == 0 ? Flags.CF : 0) | (res == 0 ? Flags.ZF : 0);
            }
            default -> { // LZCNT
                res = Long.numberOfLeadingZeros(v) - (64 - bits);
                f = (v == 0 ? Flags.CF : 0) | (res == 0 ? Flags.ZF : 0);
            }
        }
        c.setReg(d.reg, size, res);
        c.lfOp = Flags.EAGER;
        c.lfAux = f;
    }
}
