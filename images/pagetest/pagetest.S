# pagetest.S -- a bare paging test kernel: maps, unmaps and remaps pages, uses
# INVLPG, global pages and PCIDs, takes and fixes its own page faults through
# its own IDT, and prints "PASS <case>" (or "FAIL <case>") per case on COM1.
#
# Built twice from this file (images/Makefile):
#   pagetest            correct: every page-table change is invalidated
#   pagetest-noinvlpg   -DNO_INVLPG: the INVLPG after the remap in case
#                       "remap-invlpg" is left out, so the read at label
#                       stale_use goes through a stale TLB entry; `vmm run
#                       --check-tlb` must report that address and RIP. The
#                       kernel prints the RIP it expects ("stale-use RIP ...").
#
# Boot: Multiboot v1 ELF32 entry in 32-bit protected mode, identity map of the
# first 1 GiB with 2 MiB pages, long mode, then the cases at linear addresses
# from 1 GiB up (TEST_VA), mapped with 4 KiB pages through pt_t. Exit: the
# isa-debug-exit port 0xf4 with 0 when every case passed, else 1.

        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0x00000003
        .set COM1, 0x3F8
        .set TEST_VA, 0x40000000
        .set PTE_P, 1
        .set PTE_W, 2
        .set PTE_A, 0x20
        .set PTE_D, 0x40
        .set PTE_PS, 0x80
        .set PTE_G, 0x100
        .set MARK_A, 0xA1A1A1A1
        .set MARK_B, 0xB2B2B2B2
        .set MARK_C, 0xC3C3C3C3

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
        lgdt    gdt_ptr
        ljmp    $0x18, $1f
1:      movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movl    $stack_top, %esp
        movl    $tables_start, %edi     # zero every table and test frame
        movl    $((tables_end - tables_start) / 4), %ecx
        xorl    %eax, %eax
        rep stosl
        movl    $pdpt + 3, pml4
        movl    $pd + 3, pdpt
        movl    $pd_t + 3, pdpt + 8     # 1 GiB .. 2 GiB: the test window
        movl    $pt_t + 3, pd_t
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
        movl    $0xC0000080, %ecx       # EFER.LME
        rdmsr
        orl     $0x100, %eax
        wrmsr
        movl    %cr0, %eax
        orl     $0x80010001, %eax       # CR0.PG | CR0.WP | CR0.PE
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
        call    idt_init
        movl    $MARK_A, frame_a
        movl    $MARK_B, frame_b
        movl    $MARK_C, frame_c
        movl    $msg_start, %esi
        call    puts

# ---- case map: a new 4 KiB mapping is used --------------------------------------------------
        movq    $frame_a + PTE_P + PTE_W, %rax
        movq    %rax, pt_t
        movl    TEST_VA, %eax
        movl    $msg_map, %esi
        cmpl    $MARK_A, %eax
        call    result

# ---- case remap-invlpg: the entry points at another frame; INVLPG drops the old translation ---
        movl    $msg_stale_rip, %esi    # tell the checker test where the stale use would be
        call    puts
        leaq    stale_use(%rip), %rax
        call    puthex64
        movb    $'\n', %al
        call    putc
        movq    $frame_b + PTE_P + PTE_W, %rax
        movq    %rax, pt_t
#ifndef NO_INVLPG
        invlpg  TEST_VA
#endif
stale_use:
        movl    TEST_VA, %eax
        movl    $msg_remap, %esi
        cmpl    $MARK_B, %eax
        call    result

# ---- case unmap-fault: an unmapped page faults (#PF, error code 0); the handler maps it --------
        movq    $0, pt_t
        invlpg  TEST_VA
        movq    $pt_t, pf_fix_pte
        movq    $frame_c + PTE_P + PTE_W, pf_fix_val
        movq    $0, pf_count
        movl    TEST_VA + 4, %eax       # faults, handler maps frame_c, the load is restarted
        movl    $msg_unmap, %esi
        cmpl    $0, %eax                # frame_c + 4 is zero
        jne     1f
        cmpq    $1, pf_count
        jne     1f
        cmpq    $TEST_VA + 4, pf_addr
        jne     1f
        cmpq    $0, pf_code
1:      call    result

# ---- case wp-fault: a write to a read-only page faults with P|W (CR0.WP=1); the handler allows it
        movq    $frame_a + PTE_P, pt_t + 8
        invlpg  TEST_VA + 0x1000
        movq    $pt_t + 8, pf_fix_pte
        movq    $frame_a + PTE_P + PTE_W, pf_fix_val
        movq    $0, pf_count
        movl    TEST_VA + 0x1000, %eax  # a read is allowed and fills the TLB
        movl    $MARK_C, TEST_VA + 0x1008       # faults once
        movl    $msg_wp, %esi
        cmpq    $1, pf_count
        jne     1f
        cmpq    $3, pf_code
        jne     1f
        cmpl    $MARK_C, frame_a + 8
1:      call    result

# ---- case accessed-dirty: the walk set A on a read and D on the write -------------------------
        movq    $frame_b + PTE_P + PTE_W, pt_t + 16
        invlpg  TEST_VA + 0x2000
        movl    TEST_VA + 0x2000, %eax
        movq    pt_t + 16, %rax
        movl    $msg_ad, %esi
        andq    $PTE_A + PTE_D, %rax
        cmpq    $PTE_A, %rax
        jne     1f
        movl    $MARK_B, TEST_VA + 0x2010
        movq    pt_t + 16, %rax
        andq    $PTE_A + PTE_D, %rax
        cmpq    $PTE_A + PTE_D, %rax
1:      call    result

# ---- case global-invlpg: a global page survives nothing it should not; INVLPG drops it --------
        movq    %cr4, %rax
        orq     $0x80, %rax             # CR4.PGE
        movq    %rax, %cr4
        movq    $frame_a + PTE_P + PTE_W + PTE_G, pt_t + 24
        invlpg  TEST_VA + 0x3000
        movl    TEST_VA + 0x3000, %eax
        movq    %cr3, %rbx              # MOV CR3 keeps global entries ...
        movq    %rbx, %cr3
        movl    TEST_VA + 0x3000, %ecx  # ... still the same page, nothing changed
        movq    $frame_b + PTE_P + PTE_W + PTE_G, pt_t + 24
        invlpg  TEST_VA + 0x3000        # ... but INVLPG drops a global entry too
        movl    TEST_VA + 0x3000, %edx
        movl    $msg_global, %esi
        cmpl    $MARK_A, %eax
        jne     1f
        cmpl    $MARK_A, %ecx
        jne     1f
        cmpl    $MARK_B, %edx
1:      call    result

# ---- case global-pge: toggling CR4.PGE flushes global entries --------------------------------
        movq    $frame_c + PTE_P + PTE_W + PTE_G, pt_t + 24
        movq    %cr4, %rax
        andq    $~0x80, %rax
        movq    %rax, %cr4
        orq     $0x80, %rax
        movq    %rax, %cr4
        movl    TEST_VA + 0x3000, %eax
        movl    $msg_pge, %esi
        cmpl    $MARK_C, %eax
        call    result

# ---- case large-pages: a 2 MiB page and a 1 GiB page map frame_a --------------------------
        movq    $PTE_P + PTE_W + PTE_PS, %rax   # PD_t[1]: 1 GiB + 2 MiB -> physical 0 (2 MiB page)
        movq    %rax, pd_t + 8
        movq    $PTE_P + PTE_W + PTE_PS, %rax   # PDPT[2]: 2 GiB -> physical 0 (1 GiB page)
        movq    %rax, pdpt + 16
        movq    %cr3, %rax                      # new upper-level entries: reload CR3
        movq    %rax, %cr3
        movl    TEST_VA + 0x200000 + frame_a, %eax
        movl    $0x80000000 + frame_a, %ecx
        movl    (%rcx), %ecx
        movl    $msg_large, %esi
        cmpl    $MARK_A, %eax
        jne     1f
        cmpl    $MARK_A, %ecx
1:      call    result

# ---- case pcid: two address spaces, PCID 1 and 2; MOV CR3 with bit 63 keeps a PCID's entries --
        movl    $1, %eax                # a processor without PCIDs (QEMU's TCG) would #GP on CR4.PCIDE
        cpuid
        btl     $17, %ecx               # CPUID.01H:ECX.PCID
        jc      1f
        movl    $msg_skip_pcid, %esi
        call    puts
        jmp     pcid_done
1:      movq    $pdpt_b + 3, pml4_b     # space B: same identity map, its own test window
        movq    $pd + 3, pdpt_b
        movq    $pd_tb + 3, pdpt_b + 8
        movq    $pt_tb + 3, pd_tb
        movq    $frame_b + PTE_P + PTE_W, pt_tb + 32
        movq    $frame_a + PTE_P + PTE_W, pt_t + 32
        invlpg  TEST_VA + 0x4000
        movq    %cr4, %rax
        orq     $0x20000, %rax          # CR4.PCIDE (CR3[11:0] is 0 here)
        movq    %rax, %cr4
        movq    $pml4 + 1, %rax         # space A, PCID 1
        movq    %rax, %cr3
        movl    TEST_VA + 0x4000, %r8d
        movq    $pml4_b + 2, %rax       # space B, PCID 2
        movq    %rax, %cr3
        movl    TEST_VA + 0x4000, %r9d
        movabsq $0x8000000000000000 + pml4 + 1, %rax    # back to A, keeping PCID 1's entries
        movq    %rax, %cr3
        movl    TEST_VA + 0x4000, %r10d
        movq    $pml4_b + 2, %rax
        movq    %rax, %cr3
        movq    $frame_c + PTE_P + PTE_W, pt_t + 32     # change A while B runs ...
        movq    $pml4 + 1, %rax                         # ... so enter A with a flush (bit 63 clear)
        movq    %rax, %cr3
        movl    TEST_VA + 0x4000, %r11d
        movl    $msg_pcid, %esi
        cmpl    $MARK_A, %r8d
        jne     1f
        cmpl    $MARK_B, %r9d
        jne     1f
        cmpl    $MARK_A, %r10d
        jne     1f
        cmpl    $MARK_C, %r11d
1:      call    result
pcid_done:

# ---- summary and exit --------------------------------------------------------------------
        movl    $msg_done, %esi
        call    puts
        movq    failures, %rax
        call    puthex64
        movb    $'\n', %al
        call    putc
        movq    failures, %rax
        testq   %rax, %rax
        setnz   %al
        jmp     exit

# result: ZF set = pass. Prints "PASS <rsi>" or "FAIL <rsi>". Clobbers rax, rsi, rdx.
result:
        jne     1f
        pushq   %rsi
        movl    $msg_pass, %esi
        call    puts
        popq    %rsi
        call    puts
        movb    $'\n', %al
        jmp     putc
1:      incq    failures
        pushq   %rsi
        movl    $msg_fail, %esi
        call    puts
        popq    %rsi
        call    puts
        movb    $'\n', %al
        jmp     putc

# exit(al): wait for the UART to drain, then isa-debug-exit with status al.
exit:
        movb    %al, %bl
        movw    $COM1 + 5, %dx
1:      inb     %dx, %al
        testb   $0x40, %al
        jz      1b
        movb    %bl, %al
        outb    %al, $0xf4
2:      cli
        hlt
        jmp     2b

# ---- interrupts -----------------------------------------------------------------------------
# idt_init: vectors 0-31 to `unexpected`, 14 to `pf_handler`: 64-bit interrupt gates, DPL 0.
idt_init:
        movl    $idt, %edi
        xorl    %ecx, %ecx
1:      movq    $unexpected, %rax
        cmpl    $14, %ecx
        jne     2f
        movq    $pf_handler, %rax
2:      movw    %ax, (%rdi)             # offset 15:0
        movw    $0x08, 2(%rdi)          # selector
        movw    $0x8E00, 4(%rdi)        # present, DPL 0, 64-bit interrupt gate
        shrq    $16, %rax
        movw    %ax, 6(%rdi)            # offset 31:16
        movl    $0, 8(%rdi)             # offset 63:32
        movl    $0, 12(%rdi)
        addl    $16, %edi
        incl    %ecx
        cmpl    $32, %ecx
        jne     1b
        lidt    idt_ptr
        ret

# #PF: record CR2 and the error code, apply the fix the case asked for, retry the access.
pf_handler:
        pushq   %rax
        movq    8(%rsp), %rax           # error code
        movq    %rax, pf_code
        movq    %cr2, %rax
        movq    %rax, pf_addr
        incq    pf_count
        movq    pf_fix_pte, %rax
        testq   %rax, %rax
        jz      unexpected
        pushq   %rbx
        movq    pf_fix_val, %rbx
        movq    %rbx, (%rax)
        movq    $0, pf_fix_pte          # one fix per fault
        movq    pf_addr, %rax
        invlpg  (%rax)
        popq    %rbx
        popq    %rax
        addq    $8, %rsp                # drop the error code
        iretq

unexpected:
        movl    $msg_unexpected, %esi
        call    puts
        movb    $1, %al
        jmp     exit

        .include "common/serial64.inc"

        .section .rodata
hexdigits:      .ascii "0123456789abcdef"
msg_start:      .asciz "pagetest: paging, INVLPG, global pages, PCIDs, #PF\n"
msg_stale_rip:  .asciz "stale-use RIP 0x"
msg_pass:       .asciz "PASS "
msg_fail:       .asciz "FAIL "
msg_map:        .asciz "map"
msg_remap:      .asciz "remap-invlpg"
msg_unmap:      .asciz "unmap-fault"
msg_wp:         .asciz "wp-fault"
msg_ad:         .asciz "accessed-dirty"
msg_global:     .asciz "global-invlpg"
msg_pge:        .asciz "global-pge"
msg_large:      .asciz "large-pages"
msg_pcid:       .asciz "pcid"
msg_skip_pcid:  .asciz "SKIP pcid (CPUID.01H:ECX.PCID is clear)\n"
msg_done:       .asciz "pagetest: failures 0x"
msg_unexpected: .asciz "FAIL unexpected exception\n"

        .section .data
        .p2align 3
gdt:
        .quad   0
        .quad   0x00209A0000000000      # 0x08: 64-bit code
        .quad   0x00CF92000000FFFF      # 0x10: flat data
        .quad   0x00CF9A000000FFFF      # 0x18: flat 32-bit code
gdt_end:
gdt_ptr:
        .word   gdt_end - gdt - 1
        .long   gdt
        .p2align 3
idt_ptr:
        .word   32 * 16 - 1
        .quad   idt
failures:       .quad 0
pf_count:       .quad 0
pf_addr:        .quad 0
pf_code:        .quad 0
pf_fix_pte:     .quad 0
pf_fix_val:     .quad 0

        .section .bss
        .p2align 12
tables_start:
pml4:   .space 4096
pdpt:   .space 4096
pd:     .space 4096
pd_t:   .space 4096
pt_t:   .space 4096
pml4_b: .space 4096
pdpt_b: .space 4096
pd_tb:  .space 4096
pt_tb:  .space 4096
frame_a: .space 4096
frame_b: .space 4096
frame_c: .space 4096
tables_end:
idt:    .space 32 * 16
        .p2align 4
stack:  .space 16384
stack_top:
