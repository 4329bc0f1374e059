package dev.vmm.cpu;

import static dev.vmm.cpu.DiffCase.*;

import dev.vmm.cpu.DiffCase.Inputs;
import java.util.List;

/**
 * Differential cases for bit instructions (BT/BTS/BTR/BTC on registers, immediates and bit strings in
 * memory, BSF/BSR, TZCNT/LZCNT/POPCNT, BSWAP) and for the condition codes (CMOVcc, SETcc, Jcc).
 */
final class BitCases {
    private BitCases() { }

    static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};

    static void add(List<DiffCase> out) {
        int btUndef = OF | SF | AF | PF;
        for (String op : new String[] {"bt", "bts", "btr", "btc"}) {
            for (int w : new int[] {16, 32, 64}) {
                String s = sfx(w);
                out.add(new DiffCase(op + w + "_rr", 64, op + s + " " + reg(RCX, w) + "," + reg(RBX, w), w,
                    new int[] {RBX, RCX}, Inputs.VALUES, btUndef));
                out.add(new DiffCase(op + w + "_mr", 64, "mov %rbx,(%rdi);mov %rax,8(%rdi);" + op + s + " " + reg(RCX, w)
                    + ",(%rdi)", w, new int[] {RAX, RBX, RCX}, Inputs.BIT_OFFSET, btUndef));
                for (int bit : new int[] {0, 5, 15, 16, 31, 33, 63, 64 + 7, 255}) {
                    out.add(new DiffCase(op + w + "_ri" + bit, 64, op + s + " $" + bit + "," + reg(RBX, w), w,
                        new int[] {RBX}, Inputs.VALUES, btUndef));
                    out.add(new DiffCase(op + w + "_mi" + bit, 64, "mov %rbx,(%rdi);" + op + s + " $" + bit + ",(%rdi)", w,
                        new int[] {RBX}, Inputs.VALUES, btUndef));
                }
                if (!op.equals("bt")) {
                    out.add(new DiffCase(op + w + "_lock", 64, "mov %rbx,(%rdi);lock " + op + s + " " + reg(RCX, w)
                        + ",(%rdi)", w, new int[] {RBX, RCX}, Inputs.BIT_OFFSET, btUndef));
                }
            }
        }
        for (int w : new int[] {16, 32, 64}) {
            String s = sfx(w);
            for (String op : new String[] {"bsf", "bsr"}) {
                out.add(new DiffCase(op + w, 64, op + s + " " + reg(RBX, w) + "," + reg(RAX, w), w, new int[] {RAX, RBX},
                    Inputs.VALUES, CF | OF | SF | AF | PF));
                out.add(new DiffCase(op + w + "_m", 64, "mov " + reg(RBX, w) + ",(%rdi);" + op + s + " (%rdi)," + reg(RAX, w), w,
                    new int[] {RAX, RBX}, Inputs.VALUES, CF | OF | SF | AF | PF));
            }
            for (String op : new String[] {"tzcnt", "lzcnt"}) {
                out.add(new DiffCase(op + w, 64, op + s + " " + reg(RBX, w) + "," + reg(RAX, w), w, new int[] {RAX, RBX},
                    Inputs.VALUES, OF | SF | AF | PF));
            }
            out.add(new DiffCase("popcnt" + w, 64, "popcnt" + s + " " + reg(RBX, w) + "," + reg(RAX, w), w,
                new int[] {RAX, RBX}, Inputs.VALUES, 0));
            out.add(new DiffCase("popcnt" + w + "_m", 64, "mov " + reg(RBX, w) + ",(%rdi);popcnt" + s + " (%rdi),"
                + reg(10, w), w, new int[] {10, RBX}, Inputs.VALUES, 0));
        }
        for (String op : new String[] {"adcx", "adox"}) {
            out.add(new DiffCase(op + "32", 64, op + " %ebx,%eax", 32, new int[] {RAX, RBX}, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "64", 64, op + " %rbx,%r9", 64, new int[] {9, RBX}, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "64_m", 64, "mov %rbx,(%rdi);" + op + " (%rdi),%rax;" + op + " %rax,%rax", 64, new int[] {RAX, RBX}, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "32_c", 32, op + " %ebx,%eax", 32, new int[] {RAX, RBX}, Inputs.VALUES, 0));
        }
        out.add(new DiffCase("bswap32", 64, "bswap %ebx", 32, new int[] {RBX}, Inputs.VALUES, 0));
        out.add(new DiffCase("bswap64", 64, "bswap %r11", 64, new int[] {11}, Inputs.VALUES, 0));
        conditions(out);
    }

    /** Every condition code read from flags set by CMP/SUB (the lazy fast path) and by arbitrary inputs. */
    private static void conditions(List<DiffCase> out) {
        for (int c = 0; c < 16; c++) {
            String cc = CC[c];
            out.add(new DiffCase("set" + cc, 64, "set" + cc + " %al;set" + cc + " %ch", 8, new int[] {RAX, RCX},
                Inputs.VALUES, 0));
            for (int w : new int[] {8, 16, 32, 64}) {
                out.add(new DiffCase("cmp" + w + "_set" + cc, 64, "cmp" + sfx(w) + " " + reg(RBX, w) + "," + reg(RAX, w)
                    + ";set" + cc + " %dl", w, new int[] {RAX, RBX, RDX}, Inputs.VALUES, 0));
            }
            out.add(new DiffCase("add32_set" + cc, 64, "add %ebx,%eax;set" + cc + " %dl", 32, new int[] {RAX, RBX, RDX},
                Inputs.VALUES, 0));
            // condition codes read from every kind of lazy flag state
            String[] producers = {"dec %ebx", "sbb %ebx,%eax", "adc %bx,%ax", "neg %al", "inc %rbx", "shr %cl,%ebx", "imul %ebx,%eax",
                "bt %ecx,%ebx", "xor %ebx,%eax", "rol %cl,%bl", "sahf", "popcnt %ebx,%eax"};
            for (int p = 0; p < producers.length; p++) {
                out.add(new DiffCase("p" + p + "_set" + cc, 64, producers[p] + ";set" + cc + " %dl;cmov" + cc + " %ebx,%esi", 32,
                    new int[] {RAX, RBX, RCX, RDX, RSI}, Inputs.VALUES, 0));
            }
            out.add(new DiffCase("sub8_j" + cc, 64, "sub %bl,%al;j" + cc + " 1f;mov $1,%esi;1:", 8,
                new int[] {RAX, RBX, RSI}, Inputs.VALUES, 0));
            for (int w : new int[] {16, 32, 64}) {
                out.add(new DiffCase("cmov" + cc + w, 64, "cmov" + cc + sfx(w) + " " + reg(RBX, w) + "," + reg(RAX, w), w,
                    new int[] {RAX, RBX}, Inputs.VALUES, 0));
            }
            out.add(new DiffCase("cmov" + cc + "32_m", 64, "mov %ebx,(%rdi);cmov" + cc + "l (%rdi),%r9d", 32,
                new int[] {9, RBX}, Inputs.VALUES, 0));
        }
    }
}
