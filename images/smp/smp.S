# smp.S -- the multiprocessor test kernel: a Multiboot v1 kernel (ELF32, 64-bit
# code inside, like hello) that brings up every CPU the way a PC kernel does.
#
#  1. BSP: own GDT, identity map of the first 4 GiB (2 MiB pages), long mode, COM1.
#  2. Finds the RSDP in the BIOS area (0xE0000-0xFFFFF, 16-byte steps, checksum),
#     follows the XSDT (or RSDT) to the MADT, checks its checksum and collects
#     the enabled local APICs and the IOAPIC. Cross-checks the CPU count with
#     QEMU's fw_cfg (ports 0x510/0x511).
#  3. Copies a real-mode trampoline to 0x8000 and sends every AP INIT, INIT
#     de-assert, then two start-up IPIs with vector 0x08 (CS = 0x0800, IP = 0),
#     back to back, without delays. Each AP: real mode -> lgdt -> CR0.PE -> far
#     jump to 32-bit code -> PAE, LME, paging -> 64-bit code; reports its APIC ID
#     (with CPUID's initial APIC ID next to it) under a spinlock.
#  4. Every CPU enables its local APIC and its timer: APIC ID mod 3 picks the
#     mode (0 periodic, 1 one-shot re-armed by the handler, 2 TSC-deadline).
#  5. The BSP ping-pongs fixed IPIs with each AP (vector 0x50 there, 0x51 back)
#     ROUNDS times; alone, it sends itself IPIs (shorthand "self").
#  Command line: "broadcast" starts the APs with one INIT and one SIPI to all
#  excluding self instead; "x2apic" switches every local APIC to x2APIC mode.
#  6. It waits until every CPU has counted TICKS timer interrupts of its own,
#     prints a summary and exits through port 0xf4 (value 0: status 1 under
#     QEMU's isa-debug-exit and vmm). Failures exit with value 1 (status 3).

        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0x00000003
        .set COM1, 0x3F8
        .set LAPIC, 0xFEE00000
        .set TRAMP, 0x8000
        .set MAXCPU, 64
        .set STACK_SIZE, 8192
        .set VEC_TIMER, 0x40
        .set VEC_PING, 0x50
        .set VEC_PONG, 0x51
        .set VEC_SPURIOUS, 0xFF
        .set ROUNDS, 8
        .set TICKS, 4
        .set TIMER_COUNT, 100000

        .section .multiboot, "a"
        .p2align 2
        .long   MB_MAGIC
        .long   MB_FLAGS
        .long   -(MB_MAGIC + MB_FLAGS)

# Macros, not calls: APs come out of the trampoline without a stack.
        .macro flat_segments
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    %ax, %fs
        movw    %ax, %gs
        .endm

# PAE, EFER.LME, CR3 = the shared PML4, then paging: long mode (compatibility
# sub-mode until the far jump that follows).
        .macro long_mode_on
        movl    $pml4, %eax
        movl    %eax, %cr3
        movl    %cr4, %eax
        orl     $0x20, %eax
        movl    %eax, %cr4
        movl    $0xC0000080, %ecx
        rdmsr
        orl     $0x100, %eax
        wrmsr
        movl    %cr0, %eax
        orl     $0x80000001, %eax
        movl    %eax, %cr0
        .endm

        .section .text
        .code32
        .globl  entry32
entry32:
        cli
        cld
        movl    %ebx, mbi               # the Multiboot information (command line)
        lgdt    gdt_ptr
        ljmp    $0x18, $1f
1:      flat_segments
        movl    $stacks + STACK_SIZE, %esp
        movl    $pml4, %edi             # pml4, pdpt and four page directories: 6 pages
        movl    $(6 * 4096 / 4), %ecx
        xorl    %eax, %eax
        rep stosl
        movl    $pdpt + 3, pml4
        movl    $pdpt, %edi
        movl    $pd + 3, %eax
        movl    $4, %ecx
2:      movl    %eax, (%edi)
        addl    $4096, %eax
        addl    $8, %edi
        decl    %ecx
        jnz     2b
        movl    $pd, %edi               # 2048 entries of 2 MiB: 0 - 4 GiB
        movl    $0x83, %eax
        xorl    %edx, %edx
        movl    $2048, %ecx
3:      movl    %eax, (%edi)
        movl    %edx, 4(%edi)
        addl    $0x200000, %eax
        adcl    $0, %edx
        addl    $8, %edi
        decl    %ecx
        jnz     3b
        long_mode_on
        ljmp    $0x08, $bsp_main

# The APs arrive here from the trampoline, in 32-bit protected mode.
ap_entry32:
        flat_segments
        long_mode_on
        ljmp    $0x08, $ap_main

# ---- the real-mode trampoline, copied to TRAMP (0x8000 = SIPI vector 0x08) ----
        .code16
tramp_start:
        cli
        cld
        xorw    %ax, %ax
        movw    %ax, %ds
        lgdtl   TRAMP + (tramp_gdt_ptr - tramp_start)
        movl    %cr0, %eax
        orl     $1, %eax
        movl    %eax, %cr0
        ljmpl   $0x18, $ap_entry32
        .p2align 2
tramp_gdt_ptr:
        .word   gdt_end - gdt - 1
        .long   gdt
tramp_end:

        .code64
# ---- the BSP ------------------------------------------------------------------
bsp_main:
        movl    $0x10, %eax
        movl    %eax, %ds
        movl    %eax, %ss
        movq    $stacks + STACK_SIZE, %rsp
        call    uart_init
        leaq    msg_hello(%rip), %rsi
        call    puts
        call    find_madt
        leaq    msg_madt(%rip), %rsi
        call    puts
        movl    ncpus(%rip), %edi
        call    putdec
        leaq    msg_madt2(%rip), %rsi
        call    puts
        movl    lapic_base(%rip), %edi
        call    puthex
        leaq    msg_madt3(%rip), %rsi
        call    puts
        movl    ioapic_base(%rip), %edi
        call    puthex
        call    newline
        call    fw_cfg_check
        leaq    word_x2apic(%rip), %rdi
        call    cmdline_has
        movl    %eax, x2mode(%rip)
        testl   %eax, %eax
        jz      1f
        leaq    msg_x2apic(%rip), %rsi
        call    puts
1:      call    setup_idt
        call    cpu_init
        movl    %eax, bsp_id(%rip)
        leaq    msg_bsp(%rip), %rsi
        call    puts
        movl    bsp_id(%rip), %edi
        call    putdec
        call    newline
        # the trampoline goes to 0x8000
        leaq    tramp_start(%rip), %rsi
        movl    $TRAMP, %edi
        movl    $(tramp_end - tramp_start), %ecx
        rep movsb
        leaq    word_broadcast(%rip), %rdi
        call    cmdline_has
        testl   %eax, %eax
        jz      3f
        # "broadcast" on the command line: INIT and a single SIPI to all excluding self, no delays
        leaq    msg_bcast(%rip), %rsi
        call    puts
        xorl    %edi, %edi
        movl    $0x000C4500, %esi       # INIT, assert, shorthand all-excluding-self
        call    send_ipi
        movl    $0x000C4600 + (TRAMP >> 12), %esi
        call    send_ipi
        jmp     5f
3:      # INIT, INIT de-assert, SIPI, SIPI to every AP the MADT lists, back to back
        xorl    %ebx, %ebx
4:      cmpl    ncpus(%rip), %ebx
        jae     5f
        leaq    cpu_ids(%rip), %rax
        movzbl  (%rax,%rbx), %edi
        cmpl    bsp_id(%rip), %edi
        je      6f
        movl    $0x00004500, %esi       # INIT, level assert
        call    send_ipi
        movl    $0x00008500, %esi       # INIT, level de-assert, level triggered
        call    send_ipi
        movl    $0x00004600 + (TRAMP >> 12), %esi  # start-up
        call    send_ipi
        movl    $0x00004600 + (TRAMP >> 12), %esi  # and the second one, as the MP spec says
        call    send_ipi
6:      incl    %ebx
        jmp     4b
5:      movl    ncpus(%rip), %ebx
        decl    %ebx
7:      pause
        cmpl    %ebx, aps_up(%rip)
        jb      7b
        call    lock_print
        leaq    msg_allup(%rip), %rsi
        call    puts
        movl    ncpus(%rip), %edi
        call    putdec
        leaq    msg_allup2(%rip), %rsi
        call    puts
        call    unlock_print
        sti
        # ping-pong
        xorl    %r12d, %r12d            # round
8:      cmpl    $ROUNDS, %r12d
        jae     12f
        cmpl    $1, ncpus(%rip)
        jne     9f
        movl    $0x00044000 + VEC_PONG, %esi  # alone: an IPI to self
        xorl    %edi, %edi
        call    ping_wait
        jmp     11f
9:      xorl    %ebx, %ebx
10:     cmpl    ncpus(%rip), %ebx
        jae     11f
        leaq    cpu_ids(%rip), %rax
        movzbl  (%rax,%rbx), %edi
        incl    %ebx
        cmpl    bsp_id(%rip), %edi
        je      10b
        movl    $0x00004000 + VEC_PING, %esi
        call    ping_wait
        jmp     10b
11:     incl    %r12d
        jmp     8b
12:     # every CPU counts TICKS timer interrupts of its own
        xorl    %ebx, %ebx
13:     cmpl    ncpus(%rip), %ebx
        jae     15f
        leaq    cpu_ids(%rip), %rax
        movzbl  (%rax,%rbx), %edi
        leaq    ticks(%rip), %rax
14:     cmpl    $TICKS, (%rax,%rdi,4)
        jae     16f
        hlt
        jmp     14b
16:     incl    %ebx
        jmp     13b
15:     movl    $1, stop_all(%rip)
        cli
        # summary
        xorl    %ebx, %ebx
17:     cmpl    ncpus(%rip), %ebx
        jae     18f
        leaq    cpu_ids(%rip), %rax
        movzbl  (%rax,%rbx), %r13d
        leaq    msg_sum1(%rip), %rsi
        call    puts
        movl    %r13d, %edi
        call    putdec
        leaq    msg_sum2(%rip), %rsi
        call    puts
        leaq    timer_mode_names(%rip), %rsi
        movl    %r13d, %eax
        xorl    %edx, %edx
        movl    $3, %ecx
        divl    %ecx
        imull   $12, %edx, %edx
        addq    %rdx, %rsi
        call    puts
        leaq    msg_sum3(%rip), %rsi
        call    puts
        leaq    ticks(%rip), %rax
        movl    (%rax,%r13,4), %edi
        call    putdec
        leaq    msg_sum3b(%rip), %rsi
        call    puts
        leaq    pings(%rip), %rax
        movl    (%rax,%r13,4), %edi
        call    putdec
        leaq    msg_sum4(%rip), %rsi
        call    puts
        incl    %ebx
        jmp     17b
18:     leaq    msg_done(%rip), %rsi
        call    puts
        movl    pongs(%rip), %edi
        call    putdec
        leaq    msg_done2(%rip), %rsi
        call    puts
        xorl    %eax, %eax
        jmp     exit

# cmdline_has(rdi = NUL-terminated word): eax = 1 if the Multiboot command line contains it
cmdline_has:
        xorl    %eax, %eax
        movl    mbi(%rip), %esi
        testb   $4, (%rsi)              # flags bit 2: cmdline valid
        jz      4f
        movl    16(%rsi), %esi
1:      cmpb    $0, (%rsi)
        je      4f
        xorl    %ecx, %ecx
2:      movb    (%rdi,%rcx), %dl
        testb   %dl, %dl
        jz      3f
        cmpb    %dl, (%rsi,%rcx)
        jne     5f
        incl    %ecx
        jmp     2b
3:      movl    $1, %eax
4:      ret
5:      incq    %rsi
        jmp     1b

# ping_wait(edi = destination APIC ID, esi = ICR low): send, then sleep until the pong arrives.
ping_wait:
        movl    pongs(%rip), %r14d
        incl    %r14d
        call    send_ipi
1:      cli
        cmpl    %r14d, pongs(%rip)
        jae     2f
        sti
        hlt                             # sti's shadow: the wake-up cannot slip in before the hlt
        jmp     1b
2:      sti
        ret

# ---- the APs ----------------------------------------------------------------
ap_main:
        movl    $0x10, %eax
        movl    %eax, %ds
        movl    %eax, %ss
        movl    $LAPIC, %eax
        movl    0x20(%rax), %eax
        shrl    $24, %eax
        leal    1(%eax), %ecx
        imull   $STACK_SIZE, %ecx
        leaq    stacks(%rip), %rsp
        addq    %rcx, %rsp
        call    cpu_init
        movl    %eax, %r12d
        call    lock_print
        leaq    msg_ap1(%rip), %rsi
        call    puts
        movl    %r12d, %edi
        call    putdec
        leaq    msg_ap2(%rip), %rsi
        call    puts
        movl    $1, %eax
        cpuid
        shrl    $24, %ebx
        movl    %ebx, %edi
        call    putdec
        leaq    msg_ap3(%rip), %rsi
        call    puts
        call    unlock_print
        lock incl aps_up(%rip)
        sti
1:      hlt
        cmpl    $0, stop_all(%rip)
        je      1b
        cli
2:      hlt
        jmp     2b

# ---- local APIC access: the xAPIC page, or x2APIC MSRs 0x800 + offset / 16 ----
apic_rd:                                # ecx = register offset -> eax; clobbers ecx, edx
        cmpl    $0, x2mode(%rip)
        jne     1f
        movl    $LAPIC, %edx
        movl    (%rdx,%rcx), %eax
        ret
1:      shrl    $4, %ecx
        addl    $0x800, %ecx
        rdmsr
        ret

apic_wr:                                # ecx = register offset, eax = value; clobbers ecx, edx
        cmpl    $0, x2mode(%rip)
        jne     1f
        movl    $LAPIC, %edx
        movl    %eax, (%rdx,%rcx)
        ret
1:      shrl    $4, %ecx
        addl    $0x800, %ecx
        xorl    %edx, %edx
        wrmsr
        ret

my_id:                                  # eax = this CPU's APIC ID; clobbers ecx, edx
        movl    $0x20, %ecx
        call    apic_rd
        cmpl    $0, x2mode(%rip)
        jne     1f
        shrl    $24, %eax
1:      ret

# ---- per-CPU setup: IDT, local APIC, timer. Returns the APIC ID in eax. ----
cpu_init:
        lidt    idt_ptr(%rip)
        cmpl    $0, x2mode(%rip)
        je      1f
        movl    $0x1B, %ecx             # IA32_APIC_BASE.EXTD: x2APIC mode
        rdmsr
        orl     $0x400, %eax
        wrmsr
1:      movl    $0xF0, %ecx
        movl    $0x1FF, %eax            # software enable, spurious vector 0xFF
        call    apic_wr
        movl    $0x80, %ecx
        xorl    %eax, %eax              # TPR 0: accept everything
        call    apic_wr
        call    my_id
        movl    %eax, %r9d
        xorl    %edx, %edx
        movl    $3, %ecx
        divl    %ecx                    # edx = APIC ID mod 3: the timer mode
        movl    %edx, %r10d
        movl    $0x3E0, %ecx
        movl    $0xB, %eax              # divide by 1
        call    apic_wr
        cmpl    $1, %r10d
        je      2f
        cmpl    $2, %r10d
        je      3f
        movl    $0x320, %ecx
        movl    $0x20000 + VEC_TIMER, %eax      # periodic
        call    apic_wr
        movl    $0x380, %ecx
        movl    $TIMER_COUNT, %eax
        call    apic_wr
        jmp     4f
2:      movl    $0x320, %ecx
        movl    $VEC_TIMER, %eax        # one-shot
        call    apic_wr
        movl    $0x380, %ecx
        movl    $TIMER_COUNT, %eax
        call    apic_wr
        jmp     4f
3:      movl    $0x320, %ecx
        movl    $0x40000 + VEC_TIMER, %eax      # TSC-deadline
        call    apic_wr
        call    arm_deadline
4:      movl    %r9d, %eax
        ret

arm_deadline:                           # IA32_TSC_DEADLINE = TSC + TIMER_COUNT; clobbers eax, ecx, edx
        rdtsc
        shlq    $32, %rdx
        orq     %rdx, %rax
        addq    $TIMER_COUNT, %rax
        movq    %rax, %rdx
        shrq    $32, %rdx
        movl    $0x6E0, %ecx
        wrmsr
        ret

# send_ipi(edi = destination APIC ID, esi = ICR low); clobbers eax, ecx, edx, r8.
# xAPIC: ICR high then low, then wait for delivery status idle; x2APIC: one WRMSR to 0x830.
send_ipi:
        cmpl    $0, x2mode(%rip)
        jne     2f
        movl    $LAPIC, %r8d
        movl    %edi, %eax
        shll    $24, %eax
        movl    %eax, 0x310(%r8)
        movl    %esi, 0x300(%r8)
1:      testl   $0x1000, 0x300(%r8)
        jnz     1b
        ret
2:      movl    %esi, %eax
        movl    %edi, %edx
        movl    $0x830, %ecx
        wrmsr
        ret

eoi:                                    # clobbers eax, ecx, edx
        movl    $0xB0, %ecx
        xorl    %eax, %eax
        jmp     apic_wr

# ---- interrupt handlers -------------------------------------------------------
timer_isr:
        pushq   %rax
        pushq   %rcx
        pushq   %rdx
        pushq   %r8
        call    my_id
        leaq    ticks(%rip), %r8
        incl    (%r8,%rax,4)
        xorl    %edx, %edx
        movl    $3, %ecx
        divl    %ecx
        cmpl    $1, %edx
        jne     1f
        movl    $0x380, %ecx            # one-shot: re-arm
        movl    $TIMER_COUNT, %eax
        call    apic_wr
        jmp     2f
1:      cmpl    $2, %edx
        jne     2f
        call    arm_deadline            # TSC-deadline: re-arm
2:      call    eoi
        popq    %r8
        popq    %rdx
        popq    %rcx
        popq    %rax
        iretq

ping_isr:                               # an AP answers the BSP
        pushq   %rax
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %r8
        call    my_id
        leaq    pings(%rip), %rcx
        incl    (%rcx,%rax,4)
        movl    bsp_id(%rip), %edi
        movl    $0x00004000 + VEC_PONG, %esi
        call    send_ipi
        call    eoi
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rax
        iretq

pong_isr:
        pushq   %rax
        pushq   %rcx
        pushq   %rdx
        lock incl pongs(%rip)
        cmpl    $1, ncpus(%rip)          # alone, the BSP's own pings count here
        jne     1f
        call    my_id
        leaq    pings(%rip), %rcx
        incl    (%rcx,%rax,4)
1:      call    eoi
        popq    %rdx
        popq    %rcx
        popq    %rax
        iretq

spurious_isr:
        iretq                           # no EOI for the spurious vector

bad_isr:
        leaq    msg_bad(%rip), %rsi
        call    puts
        movl    $1, %eax
        jmp     exit

# setup_idt: every vector -> bad_isr, then the four real handlers
setup_idt:
        xorl    %ecx, %ecx
        leaq    bad_isr(%rip), %rdx
1:      call    set_gate
        incl    %ecx
        cmpl    $256, %ecx
        jb      1b
        movl    $VEC_TIMER, %ecx
        leaq    timer_isr(%rip), %rdx
        call    set_gate
        movl    $VEC_PING, %ecx
        leaq    ping_isr(%rip), %rdx
        call    set_gate
        movl    $VEC_PONG, %ecx
        leaq    pong_isr(%rip), %rdx
        call    set_gate
        movl    $VEC_SPURIOUS, %ecx
        leaq    spurious_isr(%rip), %rdx
        call    set_gate
        ret

set_gate:                               # ecx = vector, rdx = handler
        movl    %ecx, %eax
        shll    $4, %eax
        leaq    idt(%rip), %rdi
        addq    %rax, %rdi
        movw    %dx, (%rdi)
        movw    $0x08, 2(%rdi)
        movw    $0x8E00, 4(%rdi)        # present, DPL 0, 64-bit interrupt gate
        movq    %rdx, %rax
        shrq    $16, %rax
        movw    %ax, 6(%rdi)
        shrq    $16, %rax
        movl    %eax, 8(%rdi)
        movl    $0, 12(%rdi)
        ret

# ---- ACPI: RSDP -> XSDT/RSDT -> MADT ---------------------------------------------
find_madt:
        movl    $0xE0000, %edi
        movabsq $0x2052545020445352, %rax       # "RSD PTR "
1:      cmpq    %rax, (%rdi)
        jne     2f
        movl    $20, %ecx
        call    checksum
        testb   %dl, %dl
        je      3f
2:      addl    $16, %edi
        cmpl    $0x100000, %edi
        jb      1b
        leaq    msg_nordsp(%rip), %rsi
        jmp     fail
3:      cmpb    $2, 15(%rdi)
        jb      4f
        movq    24(%rdi), %rsi          # XSDT: 8-byte entries
        movl    $8, %r10d
        jmp     5f
4:      movl    16(%rdi), %esi          # RSDT: 4-byte entries
        movl    $4, %r10d
5:      movl    4(%rsi), %r11d          # length
        addq    %rsi, %r11
        leaq    36(%rsi), %r9
6:      cmpq    %r11, %r9
        jae     9f
        movl    (%r9), %edi
        cmpl    $8, %r10d
        jne     7f
        movq    (%r9), %rdi
7:      cmpl    $0x43495041, (%rdi)     # "APIC"
        je      8f
        addq    %r10, %r9
        jmp     6b
9:      leaq    msg_nomadt(%rip), %rsi
        jmp     fail
8:      movl    4(%rdi), %ecx
        call    checksum
        testb   %dl, %dl
        jne     9b
        movl    36(%rdi), %eax
        movl    %eax, lapic_base(%rip)
        movl    4(%rdi), %r11d
        addq    %rdi, %r11
        leaq    44(%rdi), %r9
10:     cmpq    %r11, %r9
        jae     13f
        movzbl  1(%r9), %ecx
        testl   %ecx, %ecx
        jz      13f
        cmpb    $0, (%r9)
        jne     11f
        testb   $1, 4(%r9)              # Processor Local APIC, enabled
        jz      12f
        movzbl  3(%r9), %eax
        movl    ncpus(%rip), %edx
        cmpl    $MAXCPU, %edx
        jae     12f
        leaq    cpu_ids(%rip), %r8
        movb    %al, (%r8,%rdx)
        incl    ncpus(%rip)
        jmp     12f
11:     cmpb    $1, (%r9)
        jne     12f
        movl    4(%r9), %eax            # I/O APIC address
        movl    %eax, ioapic_base(%rip)
12:     addq    %rcx, %r9
        jmp     10b
13:     ret

checksum:                               # dl = sum of ecx bytes at rdi
        xorl    %edx, %edx
        xorl    %eax, %eax
1:      addb    (%rdi,%rax), %dl
        incl    %eax
        cmpl    %ecx, %eax
        jb      1b
        movabsq $0x2052545020445352, %rax
        ret

# fw_cfg: signature "QEMU" and NB_CPUS must agree with the MADT
fw_cfg_check:
        movw    $0x510, %dx
        xorl    %eax, %eax
        outw    %ax, %dx
        incw    %dx
        xorl    %ecx, %ecx
        xorl    %esi, %esi
1:      inb     %dx, %al
        shll    $8, %esi
        movb    %al, %sil
        incl    %ecx
        cmpl    $4, %ecx
        jb      1b
        cmpl    $0x51454D55, %esi       # "QEMU", first byte in the top
        jne     2f
        decw    %dx
        movl    $5, %eax
        outw    %ax, %dx
        incw    %dx
        inb     %dx, %al
        movzbl  %al, %esi
        inb     %dx, %al
        movzbl  %al, %eax
        shll    $8, %eax
        orl     %eax, %esi
        movl    %esi, %ebx
        leaq    msg_fwcfg(%rip), %rsi
        call    puts
        movl    %ebx, %edi
        call    putdec
        call    newline
        cmpl    ncpus(%rip), %ebx
        jne     3f
        ret
2:      leaq    msg_nofwcfg(%rip), %rsi
        jmp     puts
3:      leaq    msg_fwmismatch(%rip), %rsi
        jmp     fail

# ---- output --------------------------------------------------------------------
uart_init:
        movw    $COM1 + 1, %dx
        xorb    %al, %al
        outb    %al, %dx                # no UART interrupts
        movw    $COM1 + 3, %dx
        movb    $0x80, %al
        outb    %al, %dx
        movw    $COM1, %dx
        movb    $1, %al
        outb    %al, %dx                # 115200 baud
        movw    $COM1 + 1, %dx
        xorb    %al, %al
        outb    %al, %dx
        movw    $COM1 + 3, %dx
        movb    $3, %al
        outb    %al, %dx                # 8N1
        ret

putc:                                   # al; clobbers dx
        pushq   %rax
        movw    $COM1 + 5, %dx
1:      inb     %dx, %al
        testb   $0x20, %al
        jz      1b
        popq    %rax
        movw    $COM1, %dx
        outb    %al, %dx
        ret

puts:                                   # rsi = NUL-terminated; clobbers rax, rdx, rsi
1:      movb    (%rsi), %al
        testb   %al, %al
        jz      2f
        call    putc
        incq    %rsi
        jmp     1b
2:      ret

newline:
        movb    $'\n', %al
        jmp     putc

putdec:                                 # edi; clobbers rax, rcx, rdx, rdi, r8
        movl    %edi, %eax
        leaq    numbuf + 15(%rip), %r8
        movb    $0, (%r8)
        movl    $10, %ecx
1:      xorl    %edx, %edx
        divl    %ecx
        addb    $'0', %dl
        decq    %r8
        movb    %dl, (%r8)
        testl   %eax, %eax
        jnz     1b
        pushq   %rsi
        movq    %r8, %rsi
        call    puts
        popq    %rsi
        ret

puthex:                                 # edi, as 0x%08x; clobbers rax, rcx, rdx
        pushq   %rsi
        movb    $'0', %al
        call    putc
        movb    $'x', %al
        call    putc
        movl    $8, %ecx
1:      roll    $4, %edi
        movl    %edi, %eax
        andl    $0xF, %eax
        leaq    hexdigits(%rip), %rsi
        movb    (%rsi,%rax), %al
        call    putc
        decl    %ecx
        jnz     1b
        popq    %rsi
        ret

lock_print:
1:      movl    $1, %eax
        xchgl   %eax, print_lock(%rip)
        testl   %eax, %eax
        jz      2f
        pause
        jmp     1b
2:      ret

unlock_print:
        movl    $0, print_lock(%rip)
        ret

fail:
        call    puts
        movl    $1, %eax
exit:                                   # eax = debug-exit value
        movl    %eax, %ecx
        movw    $COM1 + 5, %dx
1:      inb     %dx, %al
        testb   $0x40, %al
        jz      1b
        movl    %ecx, %eax
        outb    %al, $0xf4
        cli
2:      hlt
        jmp     2b

        .section .rodata
hexdigits:      .ascii "0123456789abcdef"
msg_hello:      .asciz "smp: vmm multiprocessor test kernel\n"
msg_bcast:      .asciz "smp: INIT and one SIPI to all excluding self\n"
msg_x2apic:     .asciz "smp: local APICs in x2APIC mode (MSRs)\n"
word_broadcast: .asciz "broadcast"
word_x2apic:    .asciz "x2apic"
msg_madt:       .asciz "acpi: MADT lists "
msg_madt2:      .asciz " CPUs, local APIC at "
msg_madt3:      .asciz ", IOAPIC at "
msg_fwcfg:      .asciz "fw_cfg: QEMU, NB_CPUS "
msg_nofwcfg:    .asciz "fw_cfg: not present\n"
msg_fwmismatch: .asciz "smp: FAIL: fw_cfg and the MADT disagree\n"
msg_nordsp:     .asciz "smp: FAIL: no RSDP in 0xE0000-0xFFFFF\n"
msg_nomadt:     .asciz "smp: FAIL: no valid MADT\n"
msg_bsp:        .asciz "cpu: BSP is APIC ID "
msg_ap1:        .asciz "cpu: AP in long mode, APIC ID "
msg_ap2:        .asciz " (CPUID initial APIC ID "
msg_ap3:        .asciz ")\n"
msg_allup:      .asciz "smp: "
msg_allup2:     .asciz " CPUs up\n"
msg_sum1:       .asciz "summary: APIC ID "
msg_sum2:       .asciz ": timer "
msg_sum3:       .asciz " interrupts "
msg_sum3b:      .asciz ", pings answered "
msg_sum4:       .asciz "\n"
msg_done:       .asciz "smp: ping-pong IPIs "
msg_done2:      .asciz ", all CPUs counted their own timer interrupts, done\n"
msg_bad:        .asciz "smp: FAIL: unexpected interrupt or exception\n"
        .p2align 2
timer_mode_names:                       # 12 bytes each
        .ascii "periodic\0\0\0\0"
        .ascii "one-shot\0\0\0\0"
        .ascii "TSC-deadline"
        .byte 0

        .section .data
        .p2align 3
gdt:    .quad   0
        .quad   0x00AF9A000000FFFF      # 0x08: 64-bit code
        .quad   0x00CF92000000FFFF      # 0x10: data
        .quad   0x00CF9A000000FFFF      # 0x18: 32-bit code
gdt_end:
gdt_ptr:
        .word   gdt_end - gdt - 1
        .quad   gdt
idt_ptr:
        .word   256 * 16 - 1
        .quad   idt
print_lock:     .long 0
aps_up:         .long 0
stop_all:       .long 0
pongs:          .long 0
ncpus:          .long 0
bsp_id:         .long 0
mbi:            .long 0
x2mode:         .long 0
lapic_base:     .long 0
ioapic_base:    .long 0

        .section .bss
        .p2align 12
pml4:   .skip   4096
pdpt:   .skip   4096
pd:     .skip   4 * 4096
idt:    .skip   256 * 16
stacks: .skip   (MAXCPU + 1) * STACK_SIZE
ticks:  .skip   MAXCPU * 4
pings:  .skip   MAXCPU * 4
cpu_ids: .skip  MAXCPU
numbuf: .skip   16
