package dev.vmm.cpu;

import static dev.vmm.cpu.DiffCase.*;

import dev.vmm.cpu.DiffCase.Inputs;
import java.util.List;

/**
 * Differential cases for shifts and rotates (by 1, by CL over every count 0..2*width+1, by immediates
 * including 0 and counts at and beyond the width) and the double shifts SHLD/SHRD.
 *
 * <p>Undefined flags (SDM SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD/SHRD): AF for shifts with a non-zero
 * count, OF for counts above 1, CF for SHL/SHR/SHLD/SHRD counts of the width or more. The masks below
 * are the union over the counts a case can see.
 */
final class ShiftCases {
    private ShiftCases() { }

    private static final String[] OPS = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sar"};
    private static final int[] COUNTS = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255};

    static void add(List<DiffCase> out) {
        for (String op : OPS) {
            boolean rotate = op.startsWith("r");
            for (int w : ArithCases.WIDTHS) {
                String s = sfx(w);
                int many = rotate ? OF : AF | OF | CF;
                int one = rotate ? 0 : AF;
                out.add(new DiffCase(op + w + "_1", 64, op + s + " " + reg(RBX, w), w, new int[] {RBX}, Inputs.VALUES, one));
                out.add(new DiffCase(op + w + "_cl", 64, op + s + " %cl," + reg(RBX, w), w, new int[] {RBX, RCX}, Inputs.COUNT, many));
                out.add(new DiffCase(op + w + "_clm", 64, "mov " + reg(RBX, w) + ",(%rdi);" + op + s + " %cl,(%rdi)", w,
                    new int[] {RBX, RCX}, Inputs.COUNT, many));
                out.add(new DiffCase(op + w + "_clh", 64, op + s + " %cl," + reg(w == 8 ? 16 : 13, w), w,
                    new int[] {RAX, RCX, 13}, Inputs.COUNT, many));
                for (int cnt : COUNTS) {
                    if (cnt == 1) continue;
                    out.add(new DiffCase(op + w + "_i" + cnt, 64, op + s + " $" + cnt + "," + reg(RSI, w), w,
                        new int[] {RSI}, Inputs.VALUES, many));
                }
            }
        }
        // SAL /6 is an alias of SHL /4 that assemblers never emit; encode it by hand.
        out.add(new DiffCase("sal6_32_cl", 64, ".byte 0xd3,0xf3", 32, new int[] {RBX, RCX}, Inputs.COUNT, AF | OF | CF));
        out.add(new DiffCase("sal6_8_1", 64, ".byte 0xd0,0xf3", 8, new int[] {RBX}, Inputs.VALUES, AF));
        // a count of 1 given as an immediate (C0/C1 /r ib) rather than the D0/D1 form
        out.add(new DiffCase("rol32_ib1", 64, ".byte 0xc1,0xc3,0x01", 32, new int[] {RBX}, Inputs.VALUES, 0));
        out.add(new DiffCase("ror8_ib1", 64, ".byte 0xc0,0xcb,0x01", 8, new int[] {RBX}, Inputs.VALUES, 0));
        out.add(new DiffCase("rcl16_ib1", 64, ".byte 0x66,0xc1,0xd3,0x01", 16, new int[] {RBX}, Inputs.VALUES, 0));
        for (String op : new String[] {"shld", "shrd"}) {
            for (int w : new int[] {16, 32, 64}) {
                String s = sfx(w);
                out.add(new DiffCase(op + w + "_cl", 64, op + s + " %cl," + reg(RSI, w) + "," + reg(RBX, w), w,
                    new int[] {RBX, RSI, RCX}, Inputs.COUNT, AF | OF | CF));
                out.add(new DiffCase(op + w + "_clm", 64, "mov " + reg(RBX, w) + ",(%rdi);" + op + s + " %cl," + reg(RSI, w)
                    + ",(%rdi)", w, new int[] {RBX, RSI, RCX}, Inputs.COUNT, AF | OF | CF));
                for (int cnt : COUNTS) {
                    out.add(new DiffCase(op + w + "_i" + cnt, 64, op + s + " $" + cnt + "," + reg(RSI, w) + "," + reg(RBX, w),
                        w, new int[] {RBX, RSI}, Inputs.VALUES, AF | OF | CF));
                }
            }
        }
    }
}
