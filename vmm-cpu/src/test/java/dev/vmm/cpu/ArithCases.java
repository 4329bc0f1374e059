package dev.vmm.cpu;

import static dev.vmm.cpu.DiffCase.*;

import dev.vmm.cpu.DiffCase.Inputs;
import java.util.List;

/**
 * Differential cases for the ALU: the eight binary operations and TEST (register, immediate, memory,
 * LOCKed memory and accumulator forms), INC/DEC/NEG/NOT, and multiply/divide in all their forms, at
 * every operand width.
 */
final class ArithCases {
    private ArithCases() { }

    static final int[] WIDTHS = {8, 16, 32, 64};
    private static final String[] BINARY = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test"};

    static void add(List<DiffCase> out) {
        for (String op : BINARY) {
            boolean logic = op.equals("and") || op.equals("or") || op.equals("xor") || op.equals("test");
            int undef = logic ? AF : 0;
            for (int w : WIDTHS) {
                String s = sfx(w);
                // register forms: low registers, AH-style high bytes, REX registers
                out.add(new DiffCase(op + w + "_rr", 64, op + s + " " + reg(RBX, w) + "," + reg(RAX, w), w,
                    new int[] {RAX, RBX}, Inputs.VALUES, undef));
                int hi = w == 8 ? 17 : RDX; // %ch
                out.add(new DiffCase(op + w + "_rr2", 64, op + s + " " + reg(hi, w) + "," + reg(w == 8 ? 16 : RSI, w), w,
                    new int[] {RAX, RCX, RDX, RSI}, Inputs.VALUES, undef));
                out.add(new DiffCase(op + w + "_rrx", 64, op + s + " " + reg(10, w) + "," + reg(9, w), w,
                    new int[] {9, 10}, Inputs.VALUES, undef));
                // memory forms: the memory operand is first stored from a register input
                out.add(new DiffCase(op + w + "_mr", 64, "mov " + reg(RBX, w) + ",(%rdi);" + op + s + " " + reg(RAX, w)
                    + ",(%rdi)", w, new int[] {RAX, RBX}, Inputs.VALUES, undef));
                if (!op.equals("test")) {
                    out.add(new DiffCase(op + w + "_rm", 64, "mov " + reg(RBX, w) + ",(%rdi);" + op + s + " (%rdi),"
                        + reg(RAX, w), w, new int[] {RAX, RBX}, Inputs.VALUES, undef));
                }
                if (!op.equals("cmp") && !op.equals("test")) {
                    out.add(new DiffCase(op + w + "_lock", 64, "mov " + reg(RBX, w) + ",(%rdi);lock " + op + s + " "
                        + reg(RAX, w) + ",(%rdi)", w, new int[] {RAX, RBX}, Inputs.VALUES, undef));
                }
                // immediates: sign-extended imm8, full immediates, the accumulator short form
                long[] imms = w == 8 ? new long[] {0, 1, 0x7F, 0x80, 0xFF} : new long[] {0, 1, -1, 0x7F, -0x80, 0x7FFF_FFFFL, -0x8000_0000L, 0x1234_5678};
                int k = 0;
                for (long imm : imms) {
                    if (w == 16 && (imm > 0xFFFF || imm < -0x8000)) continue;
                    String i = "$" + imm;
                    out.add(new DiffCase(op + w + "_ri" + k, 64, op + s + " " + i + "," + reg(RBX, w), w,
                        new int[] {RBX}, Inputs.VALUES, undef));
                    out.add(new DiffCase(op + w + "_ai" + k, 64, op + s + " " + i + "," + reg(RAX, w), w,
                        new int[] {RAX}, Inputs.VALUES, undef));
                    k++;
                }
                out.add(new DiffCase(op + w + "_mi", 64, "mov " + reg(RBX, w) + ",(%rdi);" + op + s + " $"
                    + (w == 8 ? 0x9C : -3) + ",(%rdi)", w, new int[] {RBX}, Inputs.VALUES, undef));
            }
        }
        for (String op : new String[] {"inc", "dec", "neg", "not"}) {
            for (int w : WIDTHS) {
                String s = sfx(w);
                out.add(new DiffCase(op + w + "_r", 64, op + s + " " + reg(RBX, w), w, new int[] {RBX}, Inputs.VALUES, 0));
                out.add(new DiffCase(op + w + "_rx", 64, op + s + " " + reg(w == 8 ? 18 : 12, w), w,
                    new int[] {RDX, 12}, Inputs.VALUES, 0));
                out.add(new DiffCase(op + w + "_m", 64, "mov " + reg(RBX, w) + ",(%rdi);lock " + op + s + " (%rdi)", w,
                    new int[] {RBX}, Inputs.VALUES, 0));
            }
        }
        multiplyDivide(out);
    }

    private static void multiplyDivide(List<DiffCase> out) {
        int mulUndef = SF | ZF | AF | PF;
        for (int w : WIDTHS) {
            String s = sfx(w);
            for (String op : new String[] {"mul", "imul"}) {
                out.add(new DiffCase(op + w + "_1", 64, op + s + " " + reg(RBX, w), w, new int[] {RAX, RBX, RDX},
                    Inputs.VALUES, mulUndef));
                out.add(new DiffCase(op + w + "_1m", 64, "mov " + reg(RBX, w) + ",(%rdi);" + op + s + " (%rdi)", w,
                    new int[] {RAX, RBX, RDX}, Inputs.VALUES, mulUndef));
            }
            for (String op : new String[] {"div", "idiv"}) {
                out.add(new DiffCase(op + w, 64, op + s + " " + reg(RBX, w), w, new int[] {RAX, RBX, RDX},
                    Inputs.DIVIDE, ARITH));
                out.add(new DiffCase(op + w + "_m", 64, "mov " + reg(RBX, w) + ",(%rdi);" + op + s + " (%rdi)", w,
                    new int[] {RAX, RBX, RDX}, Inputs.DIVIDE, ARITH));
            }
            if (w == 8) continue;
            out.add(new DiffCase("imul" + w + "_2", 64, "imul" + s + " " + reg(RBX, w) + "," + reg(RSI, w), w,
                new int[] {RBX, RSI}, Inputs.VALUES, mulUndef));
            out.add(new DiffCase("imul" + w + "_2x", 64, "imul" + s + " " + reg(11, w) + "," + reg(11, w), w,
                new int[] {11}, Inputs.VALUES, mulUndef));
            long[] imms = {3, -1, 0x7F, -0x80, 0x1234, 0x7FFF_FFFFL};
            for (int k = 0; k < imms.length; k++) {
                if (w == 16 && imms[k] > 0x7FFF) continue;
                out.add(new DiffCase("imul" + w + "_3i" + k, 64, "imul" + s + " $" + imms[k] + "," + reg(RBX, w) + ","
                    + reg(RSI, w), w, new int[] {RBX, RSI}, Inputs.VALUES, mulUndef));
            }
        }
    }
}
