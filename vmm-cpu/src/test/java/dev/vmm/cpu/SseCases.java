package dev.vmm.cpu;

import static dev.vmm.cpu.DiffCase.*;

import dev.vmm.cpu.DiffCase.Inputs;
import java.util.List;

/**
 * Differential cases for the SSE/SSE2 moves and 128-bit integer instructions, MXCSR, the x87 control
 * words and FXSAVE/FXRSTOR: register and memory forms, aligned and misaligned operands (a misaligned
 * 128-bit operand must fault as on the host), every shift count class. XMM1 and XMM2 get generated
 * inputs; the other XMM registers keep distinct defaults so that a wrong register shows.
 */
final class SseCases {
    private SseCases() { }

    private static final int X1 = XMM0 + 1, X2 = XMM0 + 2;

    static final String[] BINARY = {"paddb", "paddw", "paddd", "paddq", "psubb", "psubw", "psubd", "psubq",
        "paddsb", "paddsw", "paddusb", "paddusw", "psubsb", "psubsw", "psubusb", "psubusw",
        "pcmpeqb", "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtw", "pcmpgtd", "pminub", "pmaxub", "pminsw", "pmaxsw",
        "pavgb", "pavgw", "pmullw", "pmulhw", "pmulhuw", "pmuludq", "pmaddwd", "psadbw",
        "pand", "pandn", "por", "pxor", "andps", "andnps", "orps", "xorps", "andpd", "andnpd", "orpd", "xorpd",
        "punpcklbw", "punpcklwd", "punpckldq", "punpcklqdq", "punpckhbw", "punpckhwd", "punpckhdq", "punpckhqdq",
        "unpcklps", "unpckhps", "unpcklpd", "unpckhpd", "packsswb", "packssdw", "packuswb"};

    static void add(List<DiffCase> out) {
        int[] x12 = {X1, X2};
        for (String op : BINARY) {
            out.add(new DiffCase(op, 64, op + " %xmm2,%xmm1", 128, x12, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "_m", 64, "movdqa %xmm2,(%rdi);" + op + " (%rdi),%xmm1", 128, x12, Inputs.VALUES, 0));
        }
        for (String op : new String[] {"pxor", "paddb", "punpcklbw", "pcmpeqb"}) {
            out.add(new DiffCase(op + "_unaligned", 64, op + " 8(%rdi),%xmm1", 128, x12, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "_32", 32, op + " %xmm2,%xmm1", 128, x12, Inputs.VALUES, 0));
        }
        String[] shifts = {"psrlw", "psrld", "psrlq", "psraw", "psrad", "psllw", "pslld", "psllq"};
        for (String op : shifts) {
            out.add(new DiffCase(op, 64, "movzbl %cl,%ecx;movq %rcx,%xmm2;" + op + " %xmm2,%xmm1", 64, new int[] {X1, RCX},
                Inputs.COUNT, 0));
            out.add(new DiffCase(op + "_big", 64, op + " %xmm2,%xmm1", 128, x12, Inputs.VALUES, 0));
            for (int imm : new int[] {0, 1, 7, 8, 15, 16, 31, 32, 33, 63, 64, 255}) {
                out.add(new DiffCase(op + "_i" + imm, 64, op + " $" + imm + ",%xmm1", 128, x12, Inputs.VALUES, 0));
            }
        }
        for (String op : new String[] {"psrldq", "pslldq"}) {
            for (int imm : new int[] {0, 1, 3, 7, 8, 9, 15, 16, 200}) {
                out.add(new DiffCase(op + "_i" + imm, 64, op + " $" + imm + ",%xmm1", 128, x12, Inputs.VALUES, 0));
            }
        }
        for (int imm : new int[] {0x00, 0x1B, 0xE4, 0x4E, 0xB1, 0xFF, 0x93}) {
            for (String op : new String[] {"pshufd", "pshufhw", "pshuflw", "shufps"}) {
                out.add(new DiffCase(op + "_" + imm, 64, op + " $" + imm + ",%xmm2,%xmm1", 128, x12, Inputs.VALUES, 0));
            }
            out.add(new DiffCase("pshufd_m" + imm, 64, "pshufd $" + imm + ",(%rsi),%xmm1", 128, x12, Inputs.VALUES, 0));
        }
        for (int imm = 0; imm < 4; imm++) out.add(new DiffCase("shufpd_" + imm, 64, "shufpd $" + imm + ",%xmm2,%xmm1", 128, x12, Inputs.VALUES, 0));
        moves(out, x12);
        control(out, x12);
    }

    private static void moves(List<DiffCase> out, int[] x12) {
        for (String op : new String[] {"movdqa", "movdqu", "movaps", "movups", "movapd", "movupd"}) {
            out.add(new DiffCase(op, 64, op + " %xmm2,%xmm1", 128, x12, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "_load", 64, op + " (%rsi),%xmm1", 128, x12, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "_store", 64, op + " %xmm2,(%rdi)", 128, x12, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "_load_unaligned", 64, op + " 3(%rsi),%xmm1", 128, x12, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "_store_unaligned", 64, op + " %xmm2,0xff9(%rdi)", 128, x12, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "_32", 32, op + " (%esi),%xmm1;" + op + " %xmm1,0x10(%edi)", 128, x12, Inputs.VALUES, 0));
        }
        for (String op : new String[] {"movntdq", "movntps", "movntpd"}) {
            out.add(new DiffCase(op, 64, op + " %xmm2,(%rdi)", 128, x12, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "_unaligned", 64, op + " %xmm2,4(%rdi)", 128, x12, Inputs.VALUES, 0));
        }
        int[] ax = {RAX, X1, X2};
        out.add(new DiffCase("movnti64", 64, "movnti %rax,(%rdi)", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movnti32", 64, "movnti %eax,3(%rdi)", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movq_to_xmm", 64, "movq %rax,%xmm1", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movd_to_xmm", 64, "movd %eax,%xmm1", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movq_from_xmm", 64, "movq %xmm1,%rax", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movd_from_xmm", 64, "movd %xmm1,%eax", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movd_from_xmm_r9", 64, "movd %xmm1,%r9d;movq %xmm2,%r10", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movq_xmm_f3", 64, "movq %xmm2,%xmm1", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movq_xmm_66d6", 64, ".byte 0x66,0x0f,0xd6,0xd1", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movq_load", 64, "movq (%rsi),%xmm1", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movq_store", 64, "movq %xmm1,5(%rdi)", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movd_load", 64, "movd 2(%rsi),%xmm1", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movd_store", 64, "movd %xmm1,(%rdi)", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movq_gpr_m", 64, "movq (%rsi),%xmm9;movq %xmm9,%r8;movq %r8,%xmm10", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movd_32", 32, "movd %eax,%xmm1;movd %xmm2,%ecx;movq %xmm2,(%edi)", 32, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movd_16prefix", 64, ".byte 0x66,0x66,0x0f,0x6e,0xc8", 64, ax, Inputs.VALUES, 0));
        for (String op : new String[] {"movss", "movsd"}) {
            out.add(new DiffCase(op, 64, op + " %xmm2,%xmm1", 128, x12, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "_load", 64, op + " 1(%rsi),%xmm1", 128, x12, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "_store", 64, op + " %xmm2,7(%rdi)", 128, x12, Inputs.VALUES, 0));
        }
        for (String op : new String[] {"movlps", "movhps", "movlpd", "movhpd"}) {
            out.add(new DiffCase(op + "_load", 64, op + " 4(%rsi),%xmm1", 128, x12, Inputs.VALUES, 0));
            out.add(new DiffCase(op + "_store", 64, op + " %xmm2,(%rdi)", 128, x12, Inputs.VALUES, 0));
        }
        out.add(new DiffCase("movhlps", 64, "movhlps %xmm2,%xmm1", 128, x12, Inputs.VALUES, 0));
        out.add(new DiffCase("movlhps", 64, "movlhps %xmm2,%xmm1", 128, x12, Inputs.VALUES, 0));
        out.add(new DiffCase("pmovmskb", 64, "pmovmskb %xmm1,%eax;pmovmskb %xmm2,%r11d", 128, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("pmovmskb_w", 64, ".byte 0x66,0x48,0x0f,0xd7,0xc1", 128, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("movmskps", 64, "movmskps %xmm1,%eax;movmskpd %xmm2,%ecx", 128, ax, Inputs.VALUES, 0));
        // memset/memcpy/strlen-style sequences as gcc and glibc write them
        out.add(new DiffCase("memset_like", 64, "movd %eax,%xmm0;punpcklbw %xmm0,%xmm0;punpcklwd %xmm0,%xmm0;pshufd $0,%xmm0,%xmm0;"
            + "movdqu %xmm0,(%rdi);movdqa %xmm0,16(%rdi);movups %xmm0,29(%rdi)", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("memcpy_like", 64, "movdqu 1(%rsi),%xmm0;movdqu 17(%rsi),%xmm3;movdqa %xmm0,(%rdi);movntdq %xmm3,16(%rdi);"
            + "movups 0x3f(%rsi),%xmm4;movaps %xmm4,0x20(%rdi)", 64, ax, Inputs.VALUES, 0));
        out.add(new DiffCase("strlen_like", 64, "pxor %xmm0,%xmm0;movb $0,9(%rsi);pcmpeqb (%rsi),%xmm0;pmovmskb %xmm0,%eax;bsf %eax,%ecx",
            64, ax, Inputs.VALUES, 0));
    }

    private static void control(List<DiffCase> out, int[] x12) {
        int[] a = {RAX, X1};
        out.add(new DiffCase("ldmxcsr", 64, "and $0xffff,%eax;mov %eax,(%rdi);ldmxcsr (%rdi);stmxcsr 4(%rdi)", 32, a, Inputs.VALUES, 0));
        out.add(new DiffCase("ldmxcsr_reserved", 64, "mov %eax,(%rdi);ldmxcsr (%rdi);stmxcsr 4(%rdi)", 32, a, Inputs.VALUES, 0));
        out.add(new DiffCase("stmxcsr", 64, "stmxcsr 1(%rdi)", 32, a, Inputs.VALUES, 0));
        out.add(new DiffCase("fldcw", 64, "mov %ax,(%rdi);fldcw (%rdi);fnstcw 2(%rdi)", 16, a, Inputs.VALUES, 0));
        out.add(new DiffCase("fnstcw", 64, "fnstcw 3(%rdi);fnstsw 6(%rdi);fnstsw %ax", 16, a, Inputs.VALUES, 0));
        out.add(new DiffCase("fninit", 64, "mov %ax,(%rdi);fldcw (%rdi);fninit;fnstcw 2(%rdi);fwait", 16, a, Inputs.VALUES, 0));
        out.add(new DiffCase("fnstenv", 64, "fnstenv (%rdi);fnstcw 0x40(%rdi)", 16, a, Inputs.VALUES, 0));
        out.add(new DiffCase("fldenv", 64, "mov %ax,(%rsi);fldenv (%rsi);fnstenv (%rdi);fnclex;fnstsw %ax", 16, a, Inputs.VALUES, 0));
        out.add(new DiffCase("fxsave64", 64, "fxsave64 (%rdi)", 128, x12, Inputs.VALUES, 0));
        out.add(new DiffCase("fxsave", 64, "fxsave 0x200(%rdi)", 128, x12, Inputs.VALUES, 0));
        out.add(new DiffCase("fxsave_unaligned", 64, "fxsave 8(%rdi)", 128, x12, Inputs.VALUES, 0));
        out.add(new DiffCase("fxsave_32", 32, "fxsave (%edi)", 128, x12, Inputs.VALUES, 0));
        out.add(new DiffCase("fxrstor64", 64, "movl $0x1f80,24(%rsi);fxrstor64 (%rsi);fxsave64 (%rdi)", 128, x12, Inputs.VALUES, 0));
        out.add(new DiffCase("fxrstor", 64, "movl $0x9fc0,24(%rsi);fxrstor (%rsi);fxsave 0x400(%rdi)", 128, x12, Inputs.VALUES, 0));
        out.add(new DiffCase("fxrstor_tags", 64, "movl $0x1f80,24(%rsi);mov %al,4(%rsi);fxrstor64 (%rsi);fxsave64 (%rdi)", 8, new int[] {RAX, X1},
            Inputs.VALUES, 0));
        out.add(new DiffCase("fxrstor_mxcsr", 64, "mov %eax,24(%rsi);fxrstor64 (%rsi)", 32, a, Inputs.VALUES, 0));
        out.add(new DiffCase("fxrstor_32", 32, "movl $0x1f80,24(%esi);fxrstor (%esi);fxsave 0x200(%edi)", 128, x12, Inputs.VALUES, 0));
    }
}
