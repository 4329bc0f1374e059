# pvtest.S -- a pv guest kernel (vmm run --pv pvtest): it leaves its user
# address spaces to the VMM's VM layer through the pv hypercalls (README,
# "pv hypercalls") and checks that they behave, printing PASS lines on COM1.
#
#  1. Multiboot entry (32-bit) -> identity map of 1 GiB plus the same 1 GiB at
#     KERNBASE (0xffffffff80000000) -> long mode -> jump to the KERNBASE alias.
#     The VMM maps the guest's RAM at KERNBASE in the kernel half of every pv
#     address space, so from here on the kernel keeps running whatever space
#     is active. All addressing is RIP-relative for that reason.
#  2. GDT with user segments and a TSS (RSP0), IDT: #PF -> pf_handler, int
#     0x80 (DPL 3) -> the way back from ring 3, anything else -> FAIL.
#  3. vmspace create, mmap code/data/stack, activate; the kernel copies the
#     user code in (its own stores fault and are resolved by vm_fault), then
#     mprotects it to r-x.
#  4. Ring 3 stores to NPAGES fresh pages (each a #PF resolved by the VMM's
#     vm_fault, invisible to this kernel), then sums them back in ring 3.
#  5. fork: the child writes (copy on write), the parent still sums to its
#     own values; then the parent writes and the child is unchanged.
#  6. A ring-3 load from an unmapped address reaches this kernel's #PF
#     handler with CR2 and error code 4 (user read, not present).
#  7. Both spaces destroyed; exit through port 0xf4.

        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0x00000003
        .set COM1, 0x3F8
        .set KERNBASE_HI, 0xffffffff    # KERNBASE = 0xffffffff80000000: PML4[511], PDPT[510]
        .set HC_CREATE, 0x100
        .set HC_DESTROY, 0x101
        .set HC_MMAP, 0x102
        .set HC_MPROTECT, 0x104
        .set HC_FORK, 0x108
        .set HC_ACTIVATE, 0x109
        .set MAP_FIXED_PRIVATE_ANON, 0x1012
        .set UCODE, 0x400000            # user addresses in every space
        .set UDATA, 0x10000000
        .set USTACK, 0x7fff0000
        .set NPAGES, 64
        .set BAD_VA, 0x70000000
        .set SEL_KCODE, 0x08
        .set SEL_UDATA, 0x23            # 0x20 | RPL 3
        .set SEL_UCODE, 0x2B            # 0x28 | RPL 3
        .set SEL_TSS, 0x30

        .section .multiboot, "a"
        .p2align 2
        .long   MB_MAGIC
        .long   MB_FLAGS
        .long   -(MB_MAGIC + MB_FLAGS)

        .section .text
        .code32
        .globl  entry32
entry32:
        cli
        cld
        lgdt    gdt_ptr32
        ljmp    $0x18, $1f
1:      movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movl    $stack_top, %esp
        movl    $pml4, %edi             # zero pml4, pdpt, pdpt_hi, pd
        movl    $(4 * 4096 / 4), %ecx
        xorl    %eax, %eax
        rep stosl
        movl    $pdpt + 3, pml4
        movl    $pdpt_hi + 3, pml4 + 511 * 8
        movl    $pd + 3, pdpt
        movl    $pd + 3, pdpt_hi + 510 * 8
        movl    $pd, %edi               # PD[i] = i * 2 MiB | P | RW | PS
        movl    $0x83, %eax
        movl    $512, %ecx
2:      movl    %eax, (%edi)
        addl    $0x200000, %eax
        addl    $8, %edi
        decl    %ecx
        jnz     2b
        movl    $pml4, %eax
        movl    %eax, %cr3
        movl    %cr4, %eax
        orl     $0x20, %eax             # CR4.PAE
        movl    %eax, %cr4
        movl    $0xC0000080, %ecx       # IA32_EFER.LME | NXE: the VMM's pmap sets NX
        rdmsr                           # in its PTEs, a reserved bit without NXE
        orl     $0x900, %eax
        wrmsr
        movl    %cr0, %eax
        orl     $0x80000001, %eax       # CR0.PG | CR0.PE
        movl    %eax, %cr0
        ljmp    $SEL_KCODE, $long_entry

        .code64
long_entry:
        movq    $0xffffffff80000000, %rbx
        leaq    high(%rip), %rax
        addq    %rbx, %rax
        jmpq    *%rax
high:                                   # from here on: running at KERNBASE + phys
        addq    %rbx, %rsp
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        call    serial_init
        leaq    msg_start(%rip), %rsi
        call    puts
        call    setup_cpu_tables

        # ---- 3: an address space with code, data and stack --------------------------
        movl    $HC_CREATE, %eax
        vmcall
        call    check_ok
        movq    %rdx, parent(%rip)
        movq    %rdx, %rdi
        movl    $UCODE, %esi
        movl    $4096, %edx
        movl    $3, %r10d               # rw- while the kernel copies the code in
        call    mmap
        movq    parent(%rip), %rdi
        movl    $UDATA, %esi
        movl    $(NPAGES * 4096), %edx
        movl    $3, %r10d
        call    mmap
        movq    parent(%rip), %rdi
        movl    $USTACK, %esi
        movl    $0x4000, %edx
        movl    $3, %r10d
        call    mmap
        movq    parent(%rip), %rdi
        call    activate
        leaq    user_code(%rip), %rsi   # the kernel's stores to the fresh page fault too
        movl    $UCODE, %edi
        movl    $(user_code_end - user_code), %ecx
        rep movsb
        movl    $HC_MPROTECT, %eax
        movq    parent(%rip), %rdi
        movl    $UCODE, %esi
        movl    $4096, %edx
        movl    $5, %r10d               # r-x
        vmcall
        call    check_ok
        leaq    msg_space(%rip), %rsi
        call    puts

        # ---- 4: ring 3 touches fresh pages ----------------------------------------
        movq    $0x1111, %rdx
        call    user_touch_all
        movq    $0x1111, %rdx
        call    expect_sum
        leaq    msg_touch(%rip), %rsi
        call    puts

        # ---- 5: fork and copy on write, both ways ----------------------------------
        movl    $HC_FORK, %eax
        movq    parent(%rip), %rdi
        vmcall
        call    check_ok
        movq    %rdx, child(%rip)
        movq    %rdx, %rdi
        call    activate
        movq    $0x1111, %rdx           # the child sees the parent's data
        call    expect_sum
        movq    $0x2222, %rdx
        call    user_touch_all
        movq    $0x2222, %rdx
        call    expect_sum
        movq    parent(%rip), %rdi
        call    activate
        movq    $0x1111, %rdx
        call    expect_sum
        leaq    msg_cow1(%rip), %rsi
        call    puts
        movq    $0x3333, %rdx
        call    user_touch_all
        movq    $0x3333, %rdx
        call    expect_sum
        movq    child(%rip), %rdi
        call    activate
        movq    $0x2222, %rdx
        call    expect_sum
        leaq    msg_cow2(%rip), %rsi
        call    puts

        # ---- 6: a fault the VMM cannot resolve reaches this kernel -------------------
        movq    $0, pf_cr2(%rip)
        movl    $(UCODE + user_bad - user_code), %r8d
        call    enter_user
        cmpq    $-1, %rax
        jne     fail
        cmpq    $BAD_VA, pf_cr2(%rip)
        jne     fail
        cmpq    $4, pf_err(%rip)
        jne     fail
        leaq    msg_pf(%rip), %rsi
        call    puts
1:
        # ---- 7: destroy both spaces (the active one too) ------------------------------
        movl    $HC_DESTROY, %eax
        movq    child(%rip), %rdi
        vmcall
        call    check_ok
        movl    $HC_DESTROY, %eax
        movq    parent(%rip), %rdi
        vmcall
        call    check_ok
        leaq    msg_destroy(%rip), %rsi
        call    puts
        leaq    msg_done(%rip), %rsi
        call    puts
        xorl    %eax, %eax
        jmp     exit

fail:
        leaq    msg_fail(%rip), %rsi
        call    puts
        movl    $1, %eax
exit:                                   # al = status for isa-debug-exit
        movl    %eax, %ebx
        movw    $COM1 + 5, %dx          # wait until the transmitter is empty
1:      inb     %dx, %al
        testb   $0x40, %al
        jz      1b
        movl    %ebx, %eax
        outb    %al, $0xf4
2:      cli
        hlt
        jmp     2b

# check_ok: a hypercall's RAX must be KERN_SUCCESS (0)
check_ok:
        testq   %rax, %rax
        jnz     fail
        ret

# mmap(rdi handle, esi addr, edx len, r10d prot), fixed private anonymous
mmap:
        movl    $HC_MMAP, %eax
        movl    $MAP_FIXED_PRIVATE_ANON, %r8d
        vmcall
        jmp     check_ok

# activate(rdi handle) on this vCPU
activate:
        movl    $HC_ACTIVATE, %eax
        vmcall
        jmp     check_ok

# user_touch_all(rdx value): ring 3 stores value ^ i to page NPAGES-i
user_touch_all:
        movl    $UDATA, %edi
        movl    $NPAGES, %ecx
        movl    $(UCODE + user_touch - user_code), %r8d
        jmp     enter_user

# expect_sum(rdx value): ring 3 sums the pages; must equal sum over i=1..NPAGES of (value ^ i)
expect_sum:
        xorl    %r11d, %r11d
        movl    $NPAGES, %ecx
1:      movq    %rdx, %rax
        xorq    %rcx, %rax
        addq    %rax, %r11
        decl    %ecx
        jnz     1b
        pushq   %r11
        movl    $UDATA, %edi
        movl    $NPAGES, %ecx
        movl    $(UCODE + user_sum - user_code), %r8d
        call    enter_user
        popq    %r11
        cmpq    %r11, %rax
        jne     fail
        ret

# enter_user(r8 user rip; rdi, rcx, rdx passed through): iretq to ring 3 with the
# user stack; int 0x80 (or a #PF) comes back here with the user's RAX.
enter_user:
        movq    %rsp, kret_rsp(%rip)
        pushq   $SEL_UDATA
        pushq   $(USTACK + 0x4000)
        pushq   $2                      # RFLAGS: IF off
        pushq   $SEL_UCODE
        pushq   %r8
        iretq

# int 0x80 from ring 3: back to enter_user's caller on the kernel stack
syscall_handler:
        movq    kret_rsp(%rip), %rsp
        ret

# #PF that vm_fault could not resolve: record CR2 and the error code, return -1
pf_handler:
        popq    %rax                    # error code
        movq    %rax, pf_err(%rip)
        movq    %cr2, %rax
        movq    %rax, pf_cr2(%rip)
        movq    kret_rsp(%rip), %rsp
        movq    $-1, %rax
        ret

bad_handler:
        jmp     fail

# setup_cpu_tables: GDT (with TSS), IDT, TR, at their KERNBASE addresses
setup_cpu_tables:
        leaq    gdt(%rip), %rax
        movq    %rax, gdt_ptr64 + 2(%rip)
        leaq    tss(%rip), %rax         # TSS descriptor base 31:0 / 63:32
        movw    %ax, gdt_tss + 2(%rip)
        shrq    $16, %rax
        movb    %al, gdt_tss + 4(%rip)
        movb    %ah, gdt_tss + 7(%rip)
        shrq    $16, %rax
        movl    %eax, gdt_tss + 8(%rip)
        leaq    isr_stack_top(%rip), %rax
        movq    %rax, tss + 4(%rip)     # RSP0
        lgdt    gdt_ptr64(%rip)
        movw    $SEL_TSS, %ax
        ltr     %ax
        xorl    %edi, %edi              # vectors 0..31: bad_handler
        leaq    bad_handler(%rip), %rsi
        movl    $0x8E, %edx
1:      call    set_gate
        incl    %edi
        cmpl    $32, %edi
        jb      1b
        movl    $14, %edi
        leaq    pf_handler(%rip), %rsi
        call    set_gate
        movl    $0x80, %edi
        leaq    syscall_handler(%rip), %rsi
        movl    $0xEE, %edx             # interrupt gate, DPL 3
        call    set_gate
        leaq    idt(%rip), %rax
        movq    %rax, idt_ptr + 2(%rip)
        lidt    idt_ptr(%rip)
        ret

# set_gate(edi vector, rsi handler, dl type/attributes): a 64-bit IDT gate
set_gate:
        leaq    idt(%rip), %r9
        movl    %edi, %eax
        shlq    $4, %rax
        addq    %rax, %r9
        movq    %rsi, %rax
        movw    %ax, (%r9)
        movw    $SEL_KCODE, 2(%r9)
        movb    $0, 4(%r9)
        movb    %dl, 5(%r9)
        shrq    $16, %rax
        movw    %ax, 6(%r9)
        shrq    $16, %rax
        movl    %eax, 8(%r9)
        movl    $0, 12(%r9)
        ret

serial_init:
        movw    $COM1 + 1, %dx
        xorb    %al, %al
        outb    %al, %dx
        movw    $COM1 + 3, %dx
        movb    $0x80, %al
        outb    %al, %dx
        movw    $COM1 + 0, %dx
        movb    $1, %al
        outb    %al, %dx
        movw    $COM1 + 1, %dx
        xorb    %al, %al
        outb    %al, %dx
        movw    $COM1 + 3, %dx
        movb    $3, %al
        outb    %al, %dx
        movw    $COM1 + 2, %dx
        movb    $0xC7, %al
        outb    %al, %dx
        ret

putc:                                   # al; clobbers ax, dx
        movb    %al, %ah
        movw    $COM1 + 5, %dx
1:      inb     %dx, %al
        testb   $0x20, %al
        jz      1b
        movw    $COM1, %dx
        movb    %ah, %al
        outb    %al, %dx
        ret

puts:                                   # rsi; clobbers rsi, ax, dx
        movb    (%rsi), %al
        testb   %al, %al
        jz      1f
        call    putc
        incq    %rsi
        jmp     puts
1:      ret

# ---- ring-3 code, copied to UCODE (position independent) ----------------------------
user_code:
user_touch:                             # rdi = base, ecx = n, rdx = value
1:      movq    %rdx, %rax
        xorq    %rcx, %rax
        movq    %rax, (%rdi)
        addq    $4096, %rdi
        decl    %ecx
        jnz     1b
        int     $0x80
user_sum:                               # rdi = base, ecx = n -> rax
        xorl    %eax, %eax
1:      addq    (%rdi), %rax
        addq    $4096, %rdi
        decl    %ecx
        jnz     1b
        int     $0x80
user_bad:
        movq    BAD_VA, %rax
        int     $0x80
user_code_end:

        .section .rodata
msg_start:      .asciz "pvtest: long mode, running at KERNBASE\n"
msg_space:      .asciz "PASS address space created, mapped and activated by hypercall\n"
msg_touch:      .asciz "PASS ring 3 touched 64 fresh pages, faults resolved by vm_fault\n"
msg_cow1:       .asciz "PASS fork: child wrote its copy, parent intact\n"
msg_cow2:       .asciz "PASS fork: parent wrote its copy, child intact\n"
msg_pf:         .asciz "PASS unresolvable #PF delivered to the guest with CR2 and error code\n"
msg_destroy:    .asciz "PASS address spaces destroyed\n"
msg_done:       .asciz "pvtest: all passed\n"
msg_fail:       .asciz "FAIL pvtest\n"

        .section .data
        .p2align 3
gdt:
        .quad   0
        .quad   0x00209A0000000000      # 0x08: 64-bit code, DPL 0
        .quad   0x00CF92000000FFFF      # 0x10: flat data, DPL 0
        .quad   0x00CF9A000000FFFF      # 0x18: flat 32-bit code (boot)
        .quad   0x00CFF2000000FFFF      # 0x20: flat data, DPL 3
        .quad   0x0020FA0000000000      # 0x28: 64-bit code, DPL 3
gdt_tss:
        .quad   0x0000890000000067      # 0x30: 64-bit TSS, limit 0x67 (base filled in)
        .quad   0
gdt_end:
gdt_ptr32:
        .word   gdt_end - gdt - 1
        .long   gdt
        .p2align 3
gdt_ptr64:
        .word   gdt_end - gdt - 1
        .quad   0
        .p2align 3
idt_ptr:
        .word   256 * 16 - 1
        .quad   0
        .p2align 3
parent:         .quad 0
child:          .quad 0
kret_rsp:       .quad 0
pf_cr2:         .quad 0
pf_err:         .quad 0
        .p2align 3
tss:    .space  0x68

        .section .bss
        .p2align 12
pml4:   .space 4096
pdpt:   .space 4096
pdpt_hi: .space 4096
pd:     .space 4096
idt:    .space 256 * 16
        .space 8192
stack_top:
        .space 8192
isr_stack_top:
