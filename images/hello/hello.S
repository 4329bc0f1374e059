# hello.S -- the smallest useful vmm guest: a Multiboot v1 kernel (ELF32) that
# prints a greeting, its command line and the Multiboot memory map on COM1,
# then stops the machine.
#
# Boot path: 32-bit protected-mode entry (Multiboot machine state: EAX =
# 0x2BADB002, EBX = info structure, paging off) -> own GDT -> identity map of
# the first 1 GiB with 2 MiB pages (PML4 -> PDPT -> PD) -> CR4.PAE, EFER.LME,
# CR0.PG -> far jump to 64-bit code -> COM1 at 115200 8N1 -> output ->
# wait for the UART to drain -> exit: QEMU isa-debug-exit (port 0xf4),
# Bochs "Shutdown" (port 0x8900), then cli;hlt forever.
#
# Format: ELF32 loaded at 1 MiB (assembled as x86-64, linked as ELF64, then
# converted with objcopy -O elf32-i386, because a Multiboot loader enters in
# 32-bit mode and QEMU's -kernel refuses ELF64). The header has no a.out
# kludge, so loaders take the layout from the ELF program headers.
#
# The instruction repertoire is kept plain on purpose (mov, add, sub, and,
# or, xor, cmp, test, jcc, jmp, call, ret, in, out, lea, inc, dec, rol,
# rep stos, lgdt, mov cr, rdmsr/wrmsr, ljmp, cli, cld, hlt): the first
# guest of a young interpreter should not need more.

        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0x00000003       # bit 0 page-align modules, bit 1 memory info
        .set MB_BOOT_MAGIC, 0x2BADB002  # EAX at entry from a Multiboot loader
        .set MBI_CMDLINE, 1 << 2        # info flags: cmdline (offset 16) valid
        .set MBI_MMAP, 1 << 6           # info flags: mmap_length/addr (44/48) valid
        .set COM1, 0x3F8

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
        movl    %eax, boot_magic
        movl    %ebx, boot_info
        lgdt    gdt_ptr
        ljmp    $0x18, $1f
1:      movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    %ax, %fs
        movw    %ax, %gs
        movl    $stack_top, %esp
        # zero the page tables: a loader zeroes .bss, but an all-zero table
        # is too important to take on trust
        movl    $pml4, %edi
        movl    $(3 * 4096 / 4), %ecx
        xorl    %eax, %eax
        rep stosl
        # PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB | P | RW | PS
        movl    $pdpt + 3, pml4
        movl    $pd + 3, pdpt
        movl    $pd, %edi
        movl    $0x83, %eax
        movl    $512, %ecx
2:      movl    %eax, (%edi)
        movl    $0, 4(%edi)
        addl    $0x200000, %eax
        addl    $8, %edi
        decl    %ecx
        jnz     2b
        movl    $pml4, %eax
        movl    %eax, %cr3
        movl    %cr4, %eax
        orl     $0x20, %eax             # CR4.PAE
        movl    %eax, %cr4
        movl    $0xC0000080, %ecx       # IA32_EFER
        rdmsr
        orl     $0x100, %eax            # EFER.LME
        wrmsr
        movl    %cr0, %eax
        orl     $0x80000001, %eax       # CR0.PG | CR0.PE
        movl    %eax, %cr0
        ljmp    $0x08, $long_entry

        .code64
long_entry:
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movq    $stack_top, %rsp
        call    serial_init
        movl    $msg_hello, %esi
        call    puts
        cmpl    $MB_BOOT_MAGIC, boot_magic
        jne     no_multiboot
        movl    boot_info, %ebx         # rbx = info structure (below 4 GiB)

        testl   $MBI_CMDLINE, (%rbx)
        jz      1f
        movl    $msg_cmdline, %esi
        call    puts
        movl    16(%rbx), %esi
        call    puts
        movb    $'\n', %al
        call    putc

1:      testl   $MBI_MMAP, (%rbx)
        jz      stop
        movl    48(%rbx), %r12d         # r12 = current entry (its size field)
        movl    44(%rbx), %r13d
        addq    %r12, %r13              # r13 = end of the map
2:      cmpq    %r13, %r12
        jae     stop
        movl    $msg_mmap, %esi         # "mmap 0x<base>-0x<base+length-1> <type>"
        call    puts
        movq    4(%r12), %rax
        call    puthex64
        movl    $msg_dash, %esi
        call    puts
        movq    4(%r12), %rax
        addq    12(%r12), %rax
        decq    %rax
        call    puthex64
        movl    20(%r12), %eax
        movl    $msg_available, %esi
        cmpl    $1, %eax
        je      3f
        movl    $msg_reserved, %esi
        cmpl    $2, %eax
        je      3f
        movl    $msg_type, %esi         # any other type: its number
        call    puts
        movl    20(%r12), %eax
        call    puthex64
        jmp     4f
3:      call    puts
4:      movb    $'\n', %al
        call    putc
        movl    (%r12), %eax            # next entry: size does not count itself
        addq    %rax, %r12
        addq    $4, %r12
        jmp     2b

no_multiboot:
        movl    $msg_no_multiboot, %esi
        call    puts

stop:
        movw    $COM1 + 5, %dx          # wait until the transmitter is empty (LSR.TEMT)
1:      inb     %dx, %al
        testb   $0x40, %al
        jz      1b
        xorl    %eax, %eax              # QEMU isa-debug-exit: exit status (0 << 1) | 1 = 1
        outb    %al, $0xf4
        movw    $0x8900, %dx            # Bochs: "Shutdown" on port 0x8900
        movl    $msg_shutdown, %esi
2:      movb    (%rsi), %al
        testb   %al, %al
        jz      3f
        outb    %al, %dx
        incq    %rsi
        jmp     2b
3:      cli
        hlt
        jmp     3b

        .include "common/serial64.inc"

        .section .rodata
hexdigits:              .ascii "0123456789abcdef"
msg_hello:              .asciz "Hello from vmm\n"
msg_cmdline:            .asciz "cmdline: "
msg_mmap:               .asciz "mmap 0x"
msg_dash:               .asciz "-0x"
msg_available:          .asciz " available"
msg_reserved:           .asciz " reserved"
msg_type:               .asciz " type 0x"
msg_no_multiboot:       .asciz "no Multiboot information (EAX is not 0x2BADB002)\n"
msg_shutdown:           .asciz "Shutdown"

        .section .data
        .p2align 3
gdt:
        .quad   0
        .quad   0x00209A0000000000      # 0x08: 64-bit code, DPL 0
        .quad   0x00CF92000000FFFF      # 0x10: flat data
        .quad   0x00CF9A000000FFFF      # 0x18: flat 32-bit code
gdt_end:
gdt_ptr:
        .word   gdt_end - gdt - 1
        .long   gdt
        .p2align 2
boot_magic:     .long 0                 # EAX at entry
boot_info:      .long 0                 # EBX at entry

        .section .bss
        .p2align 12
pml4:   .space 4096
pdpt:   .space 4096
pd:     .space 4096
        .p2align 4
stack:  .space 16384
stack_top:
