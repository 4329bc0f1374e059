# pictest.S -- a kernel of the oldest kind: it takes its timer interrupts from the 8259s and never
# programs the local APIC, as the first chapters of most hobby-OS tutorials do. A Multiboot v1 kernel
# (flat binary, a.out kludge) that stays in 32-bit protected mode and prints on COM1 (polled).
#
#   1. remaps the 8259s to vectors 0x20/0x28 (ICW1-ICW4), unmasks IRQ 0 only, starts PIT channel 0
#      as a rate generator, STI, and counts 20 timer interrupts, each acknowledged with an EOI to the
#      master: the BIOS's virtual wire (the BSP's LINT0 in ExtINT mode) carries them;
#   2. turns the local APIC off in IA32_APIC_BASE and counts 20 more: without an APIC the processor
#      sees the 8259s' INT directly;
#   3. turns the APIC on again, masks LINT0 and spins for about ten timer periods with interrupts
#      enabled: none may arrive.
# Every other vector is unexpected. Each phase prints a line; the last prints PASS and exits through
# the debug-exit port with 0 (QEMU isa-debug-exit: status (0 << 1) | 1 = 1), a failure with 1 (status 3).

        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0x00010000       # bit 16: the a.out kludge addresses below are valid
        .set COM1, 0x3F8
        .set LSR_THRE, 0x20
        .set LSR_TEMT, 0x40
        .set TICKS, 20
        .set PIT_DIVISOR, 1193          # 1193182 Hz / 1193 = about 1 kHz
        .set APIC_BASE_MSR, 0x1B
        .set APIC_EN, 0x800
        .set LAPIC_LVT_LINT0, 0xFEE00350  # xAPIC MMIO (paging is off: physical)
        .set LINT0_MASKED_EXTINT, 0x10700

        .include "common/flat32.inc"
        call    serial_init
        movl    $msg_start, %esi
        call    puts

        # the IDT: every vector unexpected, but 0x20 (IRQ 0) and 0x27 (the master's spurious IRQ 7)
        xorl    %ecx, %ecx
1:      movl    $unexpected, %eax
        call    set_gate
        incl    %ecx
        cmpl    $256, %ecx
        jb      1b
        movl    $0x20, %ecx
        movl    $timer, %eax
        call    set_gate
        movl    $0x27, %ecx
        movl    $spurious, %eax
        call    set_gate
        lidt    idt_ptr

        # the 8259s: ICW1 (edge, cascade, ICW4), ICW2 (vector bases), ICW3 (slave on IR2), ICW4 (8086)
        movb    $0x11, %al
        outb    %al, $0x20
        outb    %al, $0xA0
        movb    $0x20, %al
        outb    %al, $0x21
        movb    $0x28, %al
        outb    %al, $0xA1
        movb    $0x04, %al
        outb    %al, $0x21
        movb    $0x02, %al
        outb    %al, $0xA1
        movb    $0x01, %al
        outb    %al, $0x21
        outb    %al, $0xA1
        movb    $0xFE, %al              # OCW1: IRQ 0 only
        outb    %al, $0x21
        movb    $0xFF, %al
        outb    %al, $0xA1

        # PIT channel 0: mode 2 (rate generator), lobyte/hibyte
        movb    $0x34, %al
        outb    %al, $0x43
        movb    $(PIT_DIVISOR & 0xFF), %al
        outb    %al, $0x40
        movb    $(PIT_DIVISOR >> 8), %al
        outb    %al, $0x40

        # phase 1: through LINT0's virtual wire
        sti
        movl    $TICKS, %ebx
        call    wait_ticks
        movl    $msg_wire, %esi
        call    puts

        # phase 2: the APIC off, INTR straight to the processor
        cli
        movl    $APIC_BASE_MSR, %ecx
        rdmsr
        andl    $~APIC_EN, %eax
        wrmsr
        sti
        movl    $2 * TICKS, %ebx
        call    wait_ticks
        movl    $msg_direct, %esi
        call    puts

        # phase 3: the APIC on again and LINT0 masked (written, not assumed: the SDM says re-enabling
        # "may" bring back the power-on state, and QEMU keeps the old LVT): the 8259s are cut off
        cli
        movl    $APIC_BASE_MSR, %ecx
        rdmsr
        orl     $APIC_EN, %eax
        wrmsr
        movl    $LINT0_MASKED_EXTINT, LAPIC_LVT_LINT0
        movl    ticks, %ebx
        sti
        movl    $5 * 1000 * 1000, %ecx  # 10 M instructions: 10 timer periods of vmm's virtual time (1 ns each)
1:      decl    %ecx
        jnz     1b
        cli
        cmpl    ticks, %ebx
        jne     fail
        movl    $msg_masked, %esi
        call    puts
        movl    $msg_pass, %esi
        call    puts
        xorl    %eax, %eax
        jmp     exit

fail:
        movl    $msg_fail, %esi
        call    puts
        movl    $1, %eax
exit:
        movl    %eax, %ebx
        movw    $COM1 + 5, %dx          # wait until the transmitter is empty (LSR.TEMT)
1:      inb     %dx, %al
        testb   $LSR_TEMT, %al
        jz      1b
        movl    %ebx, %eax
        outb    %al, $0xf4              # QEMU isa-debug-exit
2:      cli
        hlt
        jmp     2b

# wait_ticks: HLT until the tick count reaches ebx (interrupts enabled).
wait_ticks:
1:      hlt
        cmpl    %ebx, ticks
        jb      1b
        ret

# set_gate(ecx = vector, eax = handler): a 32-bit interrupt gate, DPL 0.
set_gate:
        movw    %ax, idt(, %ecx, 8)
        movw    $0x08, idt + 2(, %ecx, 8)
        movw    $0x8E00, idt + 4(, %ecx, 8)
        shrl    $16, %eax
        movw    %ax, idt + 6(, %ecx, 8)
        ret

timer:
        pushl   %eax
        incl    ticks
        movb    $0x20, %al              # non-specific EOI to the master
        outb    %al, $0x20
        popl    %eax
        iret

spurious:                               # IRQ 7 with nothing in service: no EOI (8259A datasheet)
        iret

unexpected:
        movl    $msg_unexpected, %esi
        call    puts
        jmp     fail

        .include "common/serial32.inc"

        .section .rodata
idt_ptr:
        .word   256 * 8 - 1
        .long   idt
msg_start:      .asciz "pictest: 8259 and PIT, the local APIC left alone\r\n"
msg_wire:       .asciz "pictest: 20 timer interrupts at vector 0x20 through LINT0 (ExtINT)\r\n"
msg_direct:     .asciz "pictest: 20 more with the APIC disabled (INTR direct)\r\n"
msg_masked:     .asciz "pictest: none with the APIC re-enabled (LINT0 masked)\r\n"
msg_pass:       .asciz "pictest: PASS\r\n"
msg_fail:       .asciz "pictest: FAIL\r\n"
msg_unexpected: .asciz "pictest: unexpected interrupt\r\n"

        .section .bss
        .p2align 4
ticks:  .long   0
        .p2align 4
idt:    .space  256 * 8
stack:  .space  4096
stack_top:
