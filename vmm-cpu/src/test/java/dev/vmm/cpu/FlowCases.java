package dev.vmm.cpu;

import static dev.vmm.cpu.DiffCase.*;

import dev.vmm.cpu.DiffCase.Inputs;
import java.util.List;

/**
 * Differential cases for LOOP/LOOPE/LOOPNE/JrCXZ, far-pointer loads (LSS in 64-bit mode, LDS/LES in
 * 32-bit mode, with the user data selector 0x2B both the host and {@link TestCpu} define, and a null
 * selector), 16-bit BSWAP, and the 32-bit-only ARPL and BOUND.
 */
final class FlowCases {
    private FlowCases() { }

    static void add(List<DiffCase> out) {
        int[] ab = {RAX, RBX};
        out.add(new DiffCase("loop", 64, "mov $5,%ecx;1:add %ebx,%eax;loop 1b", 32, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("loopne", 64, "mov $9,%ecx;and $7,%ebx;xor %eax,%eax;1:inc %eax;cmp %ebx,%eax;loopne 1b", 32, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("loope", 64, "mov $9,%ecx;1:cmp %ebx,%eax;loope 1b", 8, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("loop_a32", 64, "mov $0x100000002,%rcx;1:inc %eax;addr32 loop 1b", 32, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("jrcxz", 64, "mov %rbx,%rcx;and $1,%ecx;jrcxz 1f;mov $1,%esi;1:", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("jecxz", 64, "mov %rbx,%rcx;jecxz 1f;mov $1,%esi;1:", 32, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("bswap16", 64, ".byte 0x66,0x0f,0xcb", 16, new int[] {RBX}, Inputs.VALUES, 0));
        out.add(new DiffCase("lss64", 64, "mov %rbx,(%rdi);movw $0x2b,8(%rdi);.byte 0x48,0x0f,0xb2,0x0f", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("lss32", 64, "mov %rbx,(%rdi);movw $0x2b,4(%rdi);lss (%rdi),%ecx", 32, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("lss16", 64, "mov %rbx,(%rdi);movw $0x2b,2(%rdi);lss (%rdi),%cx", 16, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("lss_null", 64, "mov %rbx,(%rdi);movw $0,4(%rdi);lss (%rdi),%ecx", 32, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("lds32", 32, "mov %ebx,(%edi);movw $0x2b,4(%edi);lds (%edi),%ecx;les (%edi),%edx", 32, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("lds_null", 32, "mov %ebx,(%edi);movw $0,4(%edi);lds (%edi),%ecx", 32, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("arpl", 32, "arpl %bx,%ax", 16, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("arpl_m", 32, "mov %eax,(%edi);arpl %bx,(%edi)", 16, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("bound32", 32, "mov %ebx,(%edi);mov %ecx,4(%edi);bound %eax,(%edi)", 32,
            new int[] {RAX, RBX, RCX}, Inputs.VALUES, 0));
        out.add(new DiffCase("bound32_in", 32, "mov %eax,%ebx;sub $3,%ebx;mov %ebx,(%edi);mov %eax,4(%edi);bound %eax,(%edi)", 32,
            new int[] {RAX, RBX}, Inputs.VALUES, 0));
        // selectors: null, the three user selectors, kernel ones (DPL 0: invisible at CPL 3), beyond the GDT, an LDT one
        int[] sels = {0, 0x23, 0x2b, 0x33, 0x10, 0x18, 0x2a, 0x28, 0x8b, 0x2000, 0x2f};
        for (int m : new int[] {64, 32}) {
            for (int sel : sels) {
                String sx = "mov $" + sel + ",%ecx;";
                out.add(new DiffCase("lar" + m + "_" + Integer.toHexString(sel), m, sx + "lar %ecx,%eax;lar %cx,%bx", 32, ab, Inputs.VALUES, 0));
                out.add(new DiffCase("lsl" + m + "_" + Integer.toHexString(sel), m, sx + "lsl %ecx,%eax;lslw %cx,%bx", 32, ab, Inputs.VALUES, 0));
                out.add(new DiffCase("verr" + m + "_" + Integer.toHexString(sel), m, sx + "verr %cx;setz %al;verw %cx", 32, ab, Inputs.VALUES, 0));
            }
        }
        out.add(new DiffCase("lsl_m", 64, "movw $0x2b,(%rdi);lsl (%rdi),%rax", 64, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("sreg32", 32, "mov %ds,%eax;mov %ss,%bx;mov %es,(%edi);push %ds;pop %es;mov %ax,%ds;push %ss;pop %ecx", 32,
            new int[] {RAX, RBX, RCX}, Inputs.VALUES, 0));
        out.add(new DiffCase("sreg64", 64, "mov %ss,%eax;mov %cs,%rbx;mov %ds,(%rdi)", 32, ab, Inputs.VALUES, 0));
        out.add(new DiffCase("moffs64", 64, "mov %rbx,(%rdi);movabs 0x200100,%eax;movabs %al,0x200104;movabs 0x200101,%ax", 64, ab, Inputs.VALUES, 0));
        for (String bad : new String[] {"ud2", ".byte 0xf0,0x90", ".byte 0xf0,0x01,0xd8", ".byte 0x0f,0x0b", ".byte 0xf0,0x39,0x07", ".byte 0xc4,0xc1"}) {
            out.add(new DiffCase("ud_" + bad.replaceAll("[^a-z0-9]", ""), 64, bad, 32, ab, Inputs.VALUES, 0));
        }
        out.add(new DiffCase("bound16", 32, "mov %ebx,(%edi);boundw %ax,(%edi)", 16, ab, Inputs.VALUES, 0));
    }
}
