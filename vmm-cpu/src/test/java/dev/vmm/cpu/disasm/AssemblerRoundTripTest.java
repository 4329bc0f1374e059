package dev.vmm.cpu.disasm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Assembles a spread of encodings the images do not use (every operand kind of the opcode table:
 * groups, SIB forms, prefixes, string instructions, system instructions) with GNU as, and compares the
 * disassembler with objdump -M intel on the result. Skipped when binutils is absent.
 */
class AssemblerRoundTripTest {
    static final String COMMON = """
        add %al,(%ebx)
        sub $0x7f,%cl
        cmpb $0x80,-0x10(%ebp,%esi,4)
        xor %ah,%bh
        adc 0x12345678,%edx
        lea 0x8(,%ecx,8),%eax
        imul $0x10,%ecx,%eax
        imul $-3,%edx,%edx
        imul (%esi),%edi
        test %ecx,(%edx)
        xchg %ecx,(%eax)
        xchg %edx,%eax
        movzbl (%esi),%eax
        movsbw %al,%dx
        movzwl %cx,%ecx
        not %eax
        negb (%ecx)
        mull %ecx
        idivl 4(%esp)
        shl %cl,%edx
        sar $1,%eax
        rol $3,%byte_tgt
        shld $4,%ecx,%edx
        shrd %cl,%ecx,%edx
        bt %eax,%edx
        btsl $5,(%eax)
        bsf %eax,%edx
        bsr (%ecx),%eax
        bswap %ecx
        cmove %ecx,%edx
        setne %al
        push %ebx
        pop %esi
        push $0x12
        push $0x12345
        pushl (%eax)
        popl 4(%eax)
        pushf
        popf
        leave
        enter $0x20,$0
        ret $8
        ret
        lret
        int $0x80
        int3
        hlt
        cli
        sti
        clc
        stc
        cmc
        cld
        std
        lahf
        sahf
        cpuid
        rdtsc
        rdmsr
        wrmsr
        in $0x60,%al
        in %dx,%eax
        out %al,$0x80
        outw %ax,(%dx)
        rep movsb
        rep stosl
        repe cmpsb
        repne scasb
        lodsl
        movsw
        lock incl (%ebx)
        lock cmpxchg %ecx,(%edx)
        lock xadd %eax,(%ecx)
        cmpxchg8b (%esi)
        invlpg (%eax)
        lidt (%ebx)
        ltr %ax
        mov %cr2,%eax
        mov %eax,%cr3
        mov %ds,%eax
        mov %ax,%es
        mov %fs:0x28,%eax
        mov %gs:(%ebx),%ecx
        mov %es:(%edi),%al
        cbw
        cwtl
        cwtd
        cltd
        xlat
        nop
        pause
        ud2
        mfence
        clflush (%eax)
        incl (%eax)
        decw %cx
        call *%eax
        jmp *(%ebx)
        byte_tgt: loop byte_tgt
        jecxz byte_tgt
        ja byte_tgt
        jle far_tgt
        call far_tgt
        .skip 200, 0x90
        far_tgt: nop
        """.replace("%byte_tgt", "%bl");

    static final String ONLY64 = """
        mov %rax,%r15
        mov (%r13),%r12d
        mov 0x10(%rip),%rax
        lea -0x8(%rbp,%r9,2),%r10
        movabs $0x1122334455667788,%rbx
        mov $-1,%rax
        mov %sil,%dil
        mov %r8b,(%r9)
        movslq %eax,%rdx
        add $-8,%rsp
        and $-16,%rsp
        push %r12
        pop %r13
        syscall
        sysretq
        swapgs
        rdtscp
        iretq
        cqto
        cltq
        movabs 0x1122334455667788,%eax
        mov %cr4,%rax
        mov %rax,%cr8
        shl $4,%r11
        inc %r10
        xchg %r8,%rax
        cmpxchg %r11,(%rdi)
        rep stosq
        movsq
        setb %r9b
        cmovge %r14,%r15
        pushq $-1
        jrcxz .
        movdqa %xmm1,%xmm9
        movdqu (%rsi),%xmm0
        movdqa %xmm2,0x10(%rdi)
        movups %xmm3,(%rax)
        movaps 0x20(%rsp),%xmm4
        movq %rax,%xmm1
        movd %eax,%xmm2
        movq %xmm3,%r8
        movq %xmm1,%xmm2
        movq %xmm5,(%rdi)
        movss 4(%rsi),%xmm1
        movsd %xmm2,%xmm3
        movhlps %xmm1,%xmm2
        movlhps %xmm1,%xmm2
        movntdq %xmm0,(%rdi)
        movnti %rax,(%rdi)
        pxor %xmm8,%xmm8
        pcmpeqb (%rdi),%xmm0
        pmovmskb %xmm0,%eax
        punpcklbw %xmm0,%xmm0
        pshufd $0x1b,%xmm1,%xmm2
        paddq %xmm3,%xmm4
        psubusw %xmm1,%xmm2
        psrlq $4,%xmm1
        pslldq $8,%xmm2
        psraw $3,%xmm3
        xorps %xmm0,%xmm0
        andpd %xmm1,%xmm2
        shufps $0x44,%xmm1,%xmm2
        ldmxcsr (%rdi)
        stmxcsr 4(%rdi)
        fxsave (%rdi)
        fxrstor64 (%rsi)
        """;

    @TempDir
    Path tmp;

    @Test
    void mode32() throws Exception { roundTrip(COMMON, 32); }

    @Test
    void mode64() throws Exception {
        // 32-bit registers stay (they are valid in 64-bit mode); addresses become 64-bit; the
        // instructions that have no 32-bit form in 64-bit mode get their 64-bit one.
        StringBuilder common64 = new StringBuilder();
        for (String line : COMMON.split("\n")) {
            String l = java.util.regex.Pattern.compile("\\(([^)]*)\\)").matcher(line)
                .replaceAll(m -> java.util.regex.Matcher.quoteReplacement("(" + m.group(1).replace("%e", "%r") + ")"));
            l = l.replace("push %ebx", "push %rbx").replace("pop %esi", "pop %rsi").replace("pushl", "pushq")
                .replace("popl", "popq").replace("*%eax", "*%rax").replace("jecxz", "jrcxz")
                .replace("%cr2,%eax", "%cr2,%rax").replace("%eax,%cr3", "%rax,%cr3").replace("lret", "lretl");
            common64.append(l).append('\n');
        }
        roundTrip(common64 + ONLY64, 64);
    }

    private void roundTrip(String source, int mode) throws Exception {
        Path s = tmp.resolve("t.s"), o = tmp.resolve("t.o"), bin = tmp.resolve("t.bin");
        Files.writeString(s, (mode == 64 ? ".code64\n" : ".code32\n") + source);
        assumeTrue(run("as", mode == 64 ? "--64" : "--32", "-o", o.toString(), s.toString()) != null, "GNU as not available");
        String listing = run("objdump", "-d", "-M", "intel", o.toString());
        assumeTrue(listing != null, "objdump not available");
        assumeTrue(run("objcopy", "-O", "binary", "-j", ".text", o.toString(), bin.toString()) != null, "objcopy not available");
        byte[] code = Files.readAllBytes(bin);
        Map<Long, String> theirs = new LinkedHashMap<>();
        for (String line : listing.split("\n")) {
            String[] f = line.split("\t");
            if (f.length < 3 || !f[0].strip().endsWith(":")) continue;
            theirs.put(Long.parseLong(f[0].strip().replace(":", ""), 16), DisassemblerTest.normalise(f[2]));
        }
        List<String> diffs = new ArrayList<>();
        int compared = 0;
        for (Disassembler.Line l : Disassembler.disassemble(code, 0, code.length, mode)) {
            String t = theirs.get(l.address());
            String mine = DisassemblerTest.normalise(l.text());
            if (t == null) diffs.add(String.format("%#x: vmm '%s' where objdump has no instruction", l.address(), mine));
            else if (!t.equals(mine)) diffs.add(String.format("%#x: objdump '%s', vmm '%s'", l.address(), t, mine));
            compared++;
        }
        assertTrue(compared > 100, "compared " + compared);
        assertTrue(diffs.isEmpty(), diffs.size() + " differences in " + mode + "-bit mode:\n" + String.join("\n", diffs));
    }

    private static String run(String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) { p.destroy(); return null; }
            if (p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
            return out;
        } catch (IOException e) {
            return null;
        }
    }
}
