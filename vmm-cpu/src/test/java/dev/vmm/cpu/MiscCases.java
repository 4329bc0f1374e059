package dev.vmm.cpu;

import static dev.vmm.cpu.DiffCase.*;

import dev.vmm.cpu.DiffCase.Inputs;
import java.util.List;

/**
 * Differential cases for data movement and the rest of the general-purpose ISA: the exchange family
 * (XCHG, XADD, CMPXCHG, CMPXCHG8B/16B), sign/zero extension, MOVBE, LEA, flag instructions, the stack
 * (PUSH/POP/PUSHF/POPF/ENTER/LEAVE), XLAT, string instructions, and in 32-bit mode the BCD adjustments,
 * PUSHA/POPA and the one-byte INC/DEC.
 */
final class MiscCases {
    private MiscCases() { }

    static void add(List<DiffCase> out) {
        for (int w : ArithCases.WIDTHS) {
            String s = sfx(w);
            int[] ab = {RAX, RBX};
            out.add(new DiffCase("xchg" + w, 64, "xchg" + s + " " + reg(RBX, w) + "," + reg(RCX, w), w, new int[] {RBX, RCX}, Inputs.VALUES, 0));
            out.add(new DiffCase("xchg" + w + "_a", 64, "xchg" + s + " " + reg(RAX, w) + "," + reg(9, w), w, new int[] {RAX, 9}, Inputs.VALUES, 0));
            out.add(new DiffCase("xchg" + w + "_m", 64, "mov " + reg(RBX, w) + ",(%rdi);xchg" + s + " " + reg(RAX, w) + ",(%rdi)", w, ab, Inputs.VALUES, 0));
            out.add(new DiffCase("xadd" + w, 64, "xadd" + s + " " + reg(RBX, w) + "," + reg(RAX, w), w, ab, Inputs.VALUES, 0));
            out.add(new DiffCase("xadd" + w + "_m", 64, "mov " + reg(RBX, w) + ",(%rdi);lock xadd" + s + " " + reg(RAX, w) + ",(%rdi)", w, ab, Inputs.VALUES, 0));
            out.add(new DiffCase("cmpxchg" + w, 64, "cmpxchg" + s + " " + reg(RBX, w) + "," + reg(RCX, w), w, new int[] {RAX, RBX, RCX}, Inputs.VALUES, 0));
            out.add(new DiffCase("cmpxchg" + w + "_eq", 64, "mov %rcx,%rax;cmpxchg" + s + " " + reg(RBX, w) + "," + reg(RCX, w), w,
                new int[] {RBX, RCX}, Inputs.VALUES, 0));
            out.add(new DiffCase("cmpxchg" + w + "_m", 64, "mov " + reg(RCX, w) + ",(%rdi);lock cmpxchg" + s + " " + reg(RBX, w) + ",(%rdi)", w,
                new int[] {RAX, RBX, RCX}, Inputs.VALUES, 0));
            out.add(new DiffCase("cmpxchg" + w + "_meq", 64, "mov " + reg(RAX, w) + ",(%rdi);lock cmpxchg" + s + " " + reg(RBX, w) + ",(%rdi)", w,
                new int[] {RAX, RBX}, Inputs.VALUES, 0));
        }
        int[] abcd = {RAX, RBX, RCX, RDX, RSI};
        out.add(new DiffCase("cmpxchg8b", 64, "mov %rsi,(%rdi);lock cmpxchg8b (%rdi)", 64, abcd, Inputs.VALUES, 0));
        out.add(new DiffCase("cmpxchg8b_eq", 64, "mov %eax,(%rdi);mov %edx,4(%rdi);lock cmpxchg8b (%rdi)", 64, abcd, Inputs.VALUES, 0));
        out.add(new DiffCase("cmpxchg16b", 64, "mov %rsi,(%rdi);mov %rdx,8(%rdi);lock cmpxchg16b (%rdi)", 64, abcd, Inputs.VALUES, 0));
        out.add(new DiffCase("cmpxchg16b_eq", 64, "mov %rax,(%rdi);mov %rdx,8(%rdi);lock cmpxchg16b (%rdi)", 64, abcd, Inputs.VALUES, 0));

        String[] ext = {"cbtw", "cwtl", "cltq", "cwtd", "cltd", "cqto"};
        for (String e : ext) out.add(new DiffCase(e, 64, e, 64, new int[] {RAX, RDX}, Inputs.VALUES, 0));
        String[][] mov = {{"movzbw", "%bl", "%cx"}, {"movzbl", "%bh", "%ecx"}, {"movzbq", "%sil", "%rcx"}, {"movzwl", "%bx", "%ecx"},
            {"movzwq", "%bx", "%r12"}, {"movsbw", "%bl", "%cx"}, {"movsbl", "%bh", "%ecx"}, {"movsbq", "%r9b", "%rcx"},
            {"movswl", "%bx", "%ecx"}, {"movswq", "%bx", "%rcx"}, {"movslq", "%ebx", "%rcx"}, {"movslq", "%ebx", "%ebx"}};
        for (String[] m : mov) {
            String asm = m[0] + " " + m[1] + "," + m[2];
            if (m[2].equals("%ebx")) asm = "movsxd %ebx,%ebx";
            out.add(new DiffCase(m[0] + "_" + m[1].substring(1) + "_" + m[2].substring(1), 64, asm, 64, new int[] {RBX, RCX, 9, 12}, Inputs.VALUES, 0));
        }
        for (int w : new int[] {16, 32, 64}) {
            String s = sfx(w);
            out.add(new DiffCase("movbe" + w + "_load", 64, "mov %rbx,(%rdi);movbe" + s + " (%rdi)," + reg(RAX, w), w, new int[] {RAX, RBX}, Inputs.VALUES, 0));
            out.add(new DiffCase("movbe" + w + "_store", 64, "movbe" + s + " " + reg(RBX, w) + ",(%rdi)", w, new int[] {RBX}, Inputs.VALUES, 0));
        }
        // loads and stores through [base + index * scale + disp] and [base + disp] (FastForms' own handlers)
        out.add(new DiffCase("mov_sib", 64, "and $0x1f,%rcx;mov %rbx,0x8(%rdi,%rcx,8);mov -0x8(%rdi,%rcx,8),%rax;"
            + "mov %ebx,4(%rsi,%rcx,4);mov 4(%rsi,%rcx,4),%edx;mov 0x10(%rdi),%r9d;mov %rax,-0x10(%rsi);mov -0x10(%rsi),%r10",
            64, new int[] {RBX, RCX}, Inputs.VALUES, 0));
        out.add(new DiffCase("movz_mem", 64, "mov %rbx,8(%rdi);movzbl 9(%rdi),%ecx;movzwq 10(%rdi),%r12;movzbq 0x1f(%rdi),%rax;"
            + "movzwl 0x3e(%rdi),%r9d", 64, new int[] {RBX, RCX, 9, 12}, Inputs.VALUES, 0));
        out.add(new DiffCase("lea_sib", 64, "lea 0x12(%rbx,%rcx,4),%rax", 64, new int[] {RBX, RCX}, Inputs.VALUES, 0));
        out.add(new DiffCase("lea_a32", 64, "lea -8(%ebx,%ecx,8),%eax", 64, new int[] {RBX, RCX}, Inputs.VALUES, 0));
        out.add(new DiffCase("endbr64", 64, "endbr64;endbr32", 64, new int[] {RAX}, Inputs.VALUES, 0));
        out.add(new DiffCase("lea_16", 64, "lea -1(%rbx,%r13),%ax", 64, new int[] {RAX, RBX, 13}, Inputs.VALUES, 0));

        for (String f : new String[] {"sahf", "lahf", "clc", "stc", "cmc", "lahf;sahf", "sahf;lahf"}) {
            out.add(new DiffCase(f.replace(';', '_'), 64, f, 16, new int[] {RAX}, Inputs.VALUES, 0));
        }
        stack(out);
        strings(out);
        legacy32(out);
    }

    private static void stack(List<DiffCase> out) {
        int[] ab = {RAX, RBX, RCX};
        out.add(new DiffCase("push_pop64", 64, "push %rbx;pop %rcx;push %r9;pop %rax", 64, new int[] {RBX, 9}, Inputs.VALUES, 0));
        out.add(new DiffCase("push_pop16", 64, "pushw %bx;popw %cx;push $-5;pushw $0x1234", 16, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("push_rsp", 64, "push %rsp;pop %rax;pop %rcx;push %rcx", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("pushf", 64, "pushfq;pop %rax", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("popf", 64, "and $0xcd5,%rbx;push %rbx;popfq", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("pop_mem", 64, "push %rbx;popq 8(%rdi);pushw %cx;popw (%rdi)", 64, ab, Inputs.VALUES, 0));
        for (int level : new int[] {0, 1, 2, 5}) {
            out.add(new DiffCase("enter_" + level, 64, "lea -64(%rsp),%rbp;enter $24," + "$" + level, 64, ab, Inputs.VALUES, 0));
        }
        out.add(new DiffCase("enter16", 64, "lea -64(%rsp),%rbp;enterw $8,$2", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("leave", 64, "push %rbx;mov %rsp,%rbp;push %rcx;push %rax;leave", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("xlat", 64, "mov %rdi,%rbx;xlat", 8, new int[] {RAX}, Inputs.VALUES, 0));
    }

    private static void strings(List<DiffCase> out) {
        int[] ab = {RAX, RBX};
        String fill = "mov %rbx,(%rdi);mov %rbx,(%rsi);mov %rax,8(%rsi);";
        out.add(new DiffCase("rep_movsb", 64, "mov $13,%ecx;rep movsb", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("rep_movsq_std", 64, "mov $3,%ecx;std;rep movsq;cld", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("rep_stosl", 64, "mov $5,%ecx;rep stosl", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("stosw_lodsb", 64, "stosw;lodsb;lodsq", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("repe_cmpsb", 64, fill + "mov $16,%ecx;repe cmpsb", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("repne_scasb", 64, fill + "mov $16,%ecx;repne scasb", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("repe_scasw", 64, fill + "mov $4,%ecx;repe scasw", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("cmpsq", 64, fill + "cmpsq", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("rep0_movsb", 64, "xor %ecx,%ecx;rep movsb", 64, ab, Inputs.VALUES, 0));
    }

    /** Instructions that exist only outside 64-bit mode, run in 32-bit compatibility mode on the host. */
    private static void legacy32(List<DiffCase> out) {
        for (String op : new String[] {"daa", "das", "aaa", "aas", "aam", "aad", "aam $16", "aad $7", "aam $3", "aad $0"}) {
            int undef = op.startsWith("aam") || op.startsWith("aad") ? OF | AF | CF : op.equals("daa") || op.equals("das") ? OF : OF | SF | ZF | PF;
            out.add(new DiffCase(op.replace(" $", "_"), 32, op, 16, new int[] {RAX}, Inputs.BCD, undef));
        }
        out.add(new DiffCase("aam0", 32, "aam $0", 16, new int[] {RAX}, Inputs.BCD, 0));
        out.add(new DiffCase("pusha_popa", 32, "pushal;mov $1,%eax;popal;pushw %bx;pushaw;popaw", 32,
            new int[] {RAX, RBX, RCX, RDX, RBP, RSI}, Inputs.VALUES, 0));
        out.add(new DiffCase("incdec32", 32, "inc %eax;dec %ebx;inc %cx;dec %dx", 32, new int[] {RAX, RBX, RCX, RDX}, Inputs.VALUES, 0));
        out.add(new DiffCase("add32_m32", 32, "mov %ebx,(%edi);add %eax,(%edi);adc (%edi),%cx", 32, new int[] {RAX, RBX, RCX}, Inputs.VALUES, 0));
        out.add(new DiffCase("salc", 32, ".byte 0xd6", 8, new int[] {RAX}, Inputs.VALUES, 0));
        out.add(new DiffCase("shld32_m32", 32, "shld %cl,%ebx,%eax", 32, new int[] {RAX, RBX, RCX}, Inputs.COUNT, AF | OF | CF));
        out.add(new DiffCase("push_pop32", 32, "push %ebx;pushw %cx;pop %dx;pop %eax;pushfl;pop %esi", 32,
            new int[] {RBX, RCX}, Inputs.VALUES, 0));
    }
}
