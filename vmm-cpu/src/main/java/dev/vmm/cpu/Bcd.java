package dev.vmm.cpu;

/**
 * The decimal adjustments DAA, DAS, AAA, AAS, AAM and AAD (SDM vol. 2), valid outside 64-bit mode.
 * Their flags follow the SDM's pseudocode; the flags it leaves undefined get the values Intel
 * processors produce (host differential vectors in 32-bit mode pin them down).
 */
final class Bcd {
    private Bcd() { }

    static void adjust(Cpu c, int kind) {
        long fl = c.rflags();
        boolean cf = (fl & Flags.CF) != 0, af = (fl & Flags.AF) != 0;
        int al = (int) c.r[0] & 0xFF;
        switch (kind) {
            case 0, 1 -> { // DAA, DAS
                boolean sub = kind == 1;
                int oldAl = al;
                boolean newCf = false, newAf = false;
                if ((al & 0xF) > 9 || af) {
                    int t = sub ? al - 6 : al + 6;
                    newCf = cf || (t & ~0xFF) != 0;
                    al = t & 0xFF;
                    newAf = true;
                }
                if (oldAl > 0x99 || cf) {
                    al = (sub ? al - 0x60 : al + 0x60) & 0xFF;
                    newCf = true;
                }
                c.setReg(0, 1, al);
                eager(c, al, newCf, newAf, false);
            }
            default -> { // AAA, AAS
                int ax = (int) c.r[0] & 0xFFFF;
                boolean adj = (al & 0xF) > 9 || af;
                if (adj) {
                    if (kind == 2) ax = ax + 0x106;
                    else ax = ((ax - 6) & 0xFF) | ((((ax >>> 8) - 1) & 0xFF) << 8);
                }
                ax = ax & 0xFF0F;
                c.setReg(0, 2, ax);
                eager(c, ax & 0xFF, adj, adj, false);
            }
        }
    }

    /** AAM imm8: AH = AL / imm8, AL = AL mod imm8; #DE for 0. */
    static void aam(Cpu c, int base) {
        if (base == 0) throw c.raise(Interrupts.DE, -1);
        int al = (int) c.r[0] & 0xFF;
        int q = al / base, r = al % base;
        c.setReg(0, 2, (q << 8) | r);
        eager(c, r, false, false, false);
    }

    /**
     * AAD imm8: AL = AL + AH * imm8, AH = 0. Intel processors set all six flags as the byte addition
     * AL + (AH * imm8 mod 256) does (OF, AF, CF are undefined in the SDM).
     */
    static void aad(Cpu c, int base) {
        int ax = (int) c.r[0] & 0xFFFF;
        int prod = ((ax >>> 8) * base) & 0xFF, al = ax & 0xFF;
        c.setReg(0, 2, (al + prod) & 0xFF);
        Alu.lazy(c, Flags.ADD, 0, al, prod, al + prod);
    }

    private static void eager(Cpu c, int al, boolean cf, boolean af, boolean of) {
        long f = (cf ? Flags.CF : 0) | (af ? Flags.AF : 0) | (of ? Flags.OF : 0);
        if (al == 0) f |= Flags.ZF;
        if ((al & 0x80) != 0) f |= Flags.SF;
        if ((Integer.bitCount(al) & 1) == 0) f |= Flags.PF;
        c.lfOp = Flags.EAGER;
        c.lfAux = f;
    }
}
