/*
 * Entry into and exit from one test case on the host CPU (x86-64 Linux, user mode).
 *
 * run_case(struct state *s, int mode) loads all sixteen general-purpose registers (RSP included: the
 * case runs on the fixed window's stack) and RFLAGS from s, then jumps to the case's code at 0x100000.
 * The code ends with a jump through the slot at 0x300000 (64-bit cases) or a far jump to 64-bit code
 * at 0x300010 (32-bit cases), which lands on case_return; that stores the registers and RFLAGS back
 * into s and returns to C. Only MOVs run between the case and the stores, so no flag is disturbed.
 *
 * struct state layout: r[0..15] at 0..120 (RAX RCX RDX RBX RSP RBP RSI RDI R8..R15), rflags at 128,
 * a 16-byte-aligned FXSAVE image at 144 (x87/SSE state in before the case, out after it).
 */
        .text
        .globl run_case
        .globl case_return
run_case:
        push %rbx
        push %rbp
        push %r12
        push %r13
        push %r14
        push %r15
        mov %rsp, saved_rsp(%rip)
        mov %rdi, state_ptr(%rip)
        mov %ds, saved_ds(%rip)
        mov %es, saved_es(%rip)
        lea code64(%rip), %rax
        cmp $32, %esi
        jne 1f
        mov %ss, %cx            /* compatibility mode needs usable DS/ES: the flat user data selector */
        mov %cx, %ds
        mov %cx, %es
        lea enter32ptr(%rip), %rax
1:      mov (%rax), %rax
        mov %rax, entry(%rip)
        fxrstor64 144(%rdi)
        pushq 128(%rdi)
        popfq
        mov 0(%rdi), %rax
        mov 8(%rdi), %rcx
        mov 16(%rdi), %rdx
        mov 24(%rdi), %rbx
        mov 40(%rdi), %rbp
        mov 48(%rdi), %rsi
        mov 64(%rdi), %r8
        mov 72(%rdi), %r9
        mov 80(%rdi), %r10
        mov 88(%rdi), %r11
        mov 96(%rdi), %r12
        mov 104(%rdi), %r13
        mov 112(%rdi), %r14
        mov 120(%rdi), %r15
        mov 32(%rdi), %rsp
        mov 56(%rdi), %rdi
        jmp *entry(%rip)        /* nothing between POPFQ and the case may change a flag */
enter32:
        ljmpl *far32(%rip)

case_return:
        mov %rdi, scratch(%rip)
        mov state_ptr(%rip), %rdi
        mov %rax, 0(%rdi)
        mov %rcx, 8(%rdi)
        mov %rdx, 16(%rdi)
        mov %rbx, 24(%rdi)
        mov %rsp, 32(%rdi)
        mov %rbp, 40(%rdi)
        mov %rsi, 48(%rdi)
        mov %r8, 64(%rdi)
        mov %r9, 72(%rdi)
        mov %r10, 80(%rdi)
        mov %r11, 88(%rdi)
        mov %r12, 96(%rdi)
        mov %r13, 104(%rdi)
        mov %r14, 112(%rdi)
        mov %r15, 120(%rdi)
        mov scratch(%rip), %rax
        mov %rax, 56(%rdi)
        fxsave64 144(%rdi)
        mov saved_rsp(%rip), %rsp
        pushfq
        popq 128(%rdi)
        mov saved_ds(%rip), %ds
        mov saved_es(%rip), %es
        cld
        pop %r15
        pop %r14
        pop %r13
        pop %r12
        pop %rbp
        pop %rbx
        ret

        .data
        .balign 8
code64:    .quad 0x100000
far32:     .long 0x100000
           .word 0x23          /* __USER32_CS */
        .balign 8
saved_rsp: .quad 0
state_ptr: .quad 0
scratch:   .quad 0
entry:     .quad 0
enter32ptr: .quad enter32
saved_ds:  .word 0
saved_es:  .word 0
        .section .note.GNU-stack,"",@progbits
