# modetest.S -- a bare processor-mode test kernel: real mode (with "big real mode"), protected mode,
# long mode, privilege changes through interrupts and SYSCALL/SYSRET, and exception delivery. Prints
# "PASS <case>" (or "FAIL <case>") per case on COM1 and exits through the isa-debug-exit port 0xf4
# with 0 when every case passed, else 1.
#
# Path: Multiboot v1 ELF32 entry (32-bit protected mode) -> a 16-bit code segment -> CR0.PE=0 real
# mode, running a copy of the rm_* blob at 0x8000 (CS = 0x0800) -> protected mode -> long mode with
# an identity map of the first 4 GiB (2 MiB pages, user-accessible so ring 3 can run anywhere).
#
# Exceptions in long mode go to one stub per vector (isr_stubs), which record vector, error code,
# the interrupted RIP/CS/RSP/SS, the handler's own RSP (to tell which stack it ran on), CR2 and DR6,
# then do what ex_mode says: 0 = unexpected (FAIL and exit), 1 = return, 2 = return to fixup_rip.

        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0x00000003
        .set COM1, 0x3F8
        .set RM_BASE, 0x8000                    # where the real-mode blob runs (CS = RM_BASE >> 4)
        .set RM_SEG, RM_BASE >> 4
        .set UNMAPPED, 0x140000000              # 5 GiB: PML4[0] -> PDPT[5] is not present
        .set APIC, 0xFEE00000
        .set BIG_MAGIC, 0xB16EA1B1
        .set SEL_CODE64, 0x08
        .set SEL_DATA, 0x10
        .set SEL_CODE32, 0x18
        .set SEL_CODE16, 0x20
        .set SEL_DATA16, 0x28
        .set SEL_UCODE32, 0x30
        .set SEL_UDATA, 0x38
        .set SEL_UCODE64, 0x40
        .set SEL_TSS, 0x48

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
        ljmp    $SEL_CODE32, $1f
1:      movw    $SEL_DATA, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    %ax, %fs                # FS: flat 4 GiB, kept into real mode ("big real mode")
        movl    $stack_top, %esp
        movl    $rm_start, %esi         # copy the real-mode blob below 1 MiB
        movl    $RM_BASE, %edi
        movl    $(rm_end - rm_start), %ecx
        rep movsb
        ljmp    $SEL_CODE16, $0         # 16-bit protected mode, CS base RM_BASE

# ---- the real-mode blob: position-dependent on RM_BASE, every address is (label - rm_start) ------
        .code16
rm_start:
        movw    $SEL_DATA16, %ax        # 64 KiB data segments, base RM_BASE
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movl    %cr0, %eax
        andl    $~1, %eax
        movl    %eax, %cr0
        ljmp    $RM_SEG, $(rm_real - rm_start)
rm_real:
        movw    $RM_SEG, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $(rm_stack_top - rm_start), %sp
        lidt    (rm_ivt_ptr - rm_start)
        xorw    %ax, %ax
        movw    %ax, %es                # the IVT
        movw    $(rm_int30 - rm_start), %es:0x30*4
        movw    $RM_SEG, %es:0x30*4+2
        movw    $(rm_gp - rm_start), %es:13*4
        movw    $RM_SEG, %es:13*4+2
        # case real-mode: segment arithmetic (0x0801:x is 0x0800:x+16) and an INT through the IVT
        movw    $0x5AA5, (rm_scratch - rm_start)
        movw    $RM_SEG + 1, %ax
        movw    %ax, %es
        movw    %es:(rm_scratch - rm_start - 16), %bx
        cmpw    $0x5AA5, %bx
        jne     1f
        int     $0x30
rm_after_int:
        cmpw    $(rm_after_int - rm_start), (rm_int_ip - rm_start)
        jne     1f
        cmpw    $RM_SEG, (rm_int_cs - rm_start)
        jne     1f
        movb    $1, (rm_ok_real - rm_start)
1:
        # case big-real-mode: FS kept the 4 GiB limit it had in protected mode, even after a
        # real-mode load of FS (which changes the base only)
        movl    $big_magic, %esi
        movl    %fs:(%esi), %eax        # FS base 0 (selector 0x10 cached)
        cmpl    $BIG_MAGIC, %eax
        jne     1f
        xorw    %ax, %ax
        movw    %ax, %fs                # real-mode load: base 0, the limit stays 4 GiB
        movl    %fs:(%esi), %eax
        cmpl    $BIG_MAGIC, %eax
        jne     1f
        movb    $1, (rm_ok_big - rm_start)
1:
        # case real-mode-limit: DS still has a 64 KiB limit: offset 0x10000 is #GP (vector 13, no error code)
        movl    $0x10000, %esi
        movb    (%esi), %al
rm_gp_fix:
        cmpw    $1, (rm_gp_count - rm_start)
        jne     1f
        movb    $1, (rm_ok_limit - rm_start)
1:
        # back to protected mode
        lgdtl   (rm_gdt_ptr - rm_start)
        movl    %cr0, %eax
        orl     $1, %eax
        movl    %eax, %cr0
        ljmpl   $SEL_CODE32, $pm_back

rm_int30:
        pushw   %bp
        movw    %sp, %bp
        movw    2(%bp), %ax
        movw    %ax, (rm_int_ip - rm_start)
        movw    4(%bp), %ax
        movw    %ax, (rm_int_cs - rm_start)
        popw    %bp
        iret

rm_gp:                                  # skip the faulting load
        pushw   %bp
        movw    %sp, %bp
        movw    $(rm_gp_fix - rm_start), 2(%bp)
        incw    (rm_gp_count - rm_start)
        popw    %bp
        iret

        .p2align 2
rm_gdt_ptr:
        .word   gdt_end - gdt - 1
        .long   gdt
rm_ivt_ptr:
        .word   0x3FF
        .long   0
rm_scratch:     .word 0
rm_int_ip:      .word 0
rm_int_cs:      .word 0
rm_gp_count:    .word 0
rm_ok_real:     .byte 0
rm_ok_big:      .byte 0
rm_ok_limit:    .byte 0
        .p2align 4
rm_stack:       .space 256
rm_stack_top:
rm_end:

# ---- protected mode again, then long mode -----------------------------------------------------
        .code32
pm_back:
        movw    $SEL_DATA, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    %ax, %fs
        movw    %ax, %gs
        movl    $stack_top, %esp
        movl    $tables_start, %edi     # zero the page tables
        movl    $((tables_end - tables_start) / 4), %ecx
        xorl    %eax, %eax
        rep stosl
        movl    $pdpt + 7, pml4
        movl    $pd + 7, pdpt           # PDPT[0..3] -> the four page directories
        movl    $pd + 0x1000 + 7, pdpt + 8
        movl    $pd + 0x2000 + 7, pdpt + 16
        movl    $pd + 0x3000 + 7, pdpt + 24
        movl    $pd, %edi               # PD entries: i * 2 MiB | P | RW | US | PS, first 4 GiB
        movl    $0x87, %eax
        movl    $2048, %ecx
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
        movl    $0xC0000080, %ecx       # EFER.LME | EFER.SCE
        rdmsr
        orl     $0x101, %eax
        wrmsr
        movl    %cr0, %eax
        orl     $0x80010001, %eax       # CR0.PG | CR0.WP | CR0.PE
        movl    %eax, %cr0
        ljmp    $SEL_CODE64, $long_entry

        .code64
long_entry:
        movw    $SEL_DATA, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movq    $stack_top, %rsp
        call    serial_init
        call    idt_init
        call    tss_init
        movl    $msg_start, %esi
        call    puts

# ---- the real-mode cases, recorded by the blob ----------------------------------------------
        movl    $msg_real, %esi
        cmpb    $1, RM_BASE + rm_ok_real - rm_start
        call    result
        movl    $msg_big, %esi
        cmpb    $1, RM_BASE + rm_ok_big - rm_start
        call    result
        movl    $msg_rmlimit, %esi
        cmpb    $1, RM_BASE + rm_ok_limit - rm_start
        call    result

# ---- case pf-read / pf-write: not-present page, error code and CR2 -----------------------------
        movq    $2, ex_mode
        movq    $1f, fixup_rip
        movabsq $UNMAPPED + 0x10, %rbx
        movl    (%rbx), %eax
1:      movl    $msg_pfread, %esi
        cmpq    $14, ex_vec
        jne     1f
        cmpq    $0, ex_err
        jne     1f
        cmpq    %rbx, ex_cr2
        jne     1f
        movq    ex_rflags, %rax         # a fault pushes RF=1 (SDM 17.3.1.1)
        shrq    $16, %rax
        andl    $1, %eax
        cmpl    $1, %eax
        jne     1f
        movq    $2, ex_mode
        movq    $pf_write_fix, fixup_rip
pf_write:
        movl    %eax, 8(%rbx)
        cmpq    $0, %rsp                # not reached (ZF clear: FAIL)
        jmp     1f
pf_write_fix:
        cmpq    $pf_write, ex_rip       # a fault: the saved RIP is the faulting instruction
1:      call    result
        movl    $msg_pfwrite, %esi
        cmpq    $2, ex_err
        jne     1f
        leaq    8(%rbx), %rax
        cmpq    %rax, ex_cr2
1:      call    result

# ---- case gp-selector: #GP error codes name the selector -------------------------------------
        movq    $2, ex_mode
        movq    $1f, fixup_rip
        movw    $SEL_CODE64, %ax
        movw    %ax, %ss                # a code segment in SS: #GP(0x08)
1:      movq    ex_err, %r8
        movq    $1f, fixup_rip
        movw    $0x1000, %ax
        movw    %ax, %ds                # beyond the GDT limit: #GP(0x1000)
1:      movq    ex_err, %r9
        movl    $msg_gpsel, %esi
        cmpq    $13, ex_vec
        jne     1f
        cmpq    $SEL_CODE64, %r8
        jne     1f
        cmpq    $0x1000, %r9
1:      call    result

# ---- case ss-noncanonical: a stack access at a non-canonical address is #SS(0), not #GP(0) --------
# (#SS runs on IST1 here: the interrupted RSP is unusable.)
        movb    $1, idt + 12 * 16 + 4
        movq    $2, ex_mode
        movq    $1f, fixup_rip
        movq    %rsp, kernel_rsp
        movabsq $0x0000800000000008, %rsp
        pushq   %rax
1:      movq    kernel_rsp, %rsp
        movq    $2, ex_mode
        movq    $1f, fixup_rip
        movabsq $0x0000800000000000, %rbx
        movq    ex_vec, %r8
        movq    ex_err, %r9
        movq    (%rbx), %rax            # the same address through DS: #GP(0)
1:      movb    $0, idt + 12 * 16 + 4
        movl    $msg_ssnc, %esi
        cmpq    $12, %r8
        jne     1f
        cmpq    $0, %r9
        jne     1f
        cmpq    $13, ex_vec
        jne     1f
        cmpq    $0, ex_err
1:      call    result

# ---- case double-fault-ist: #GP whose gate is not present -> #NP -> #DF, on IST2 -------------------
        andb    $0x7F, idt + 13 * 16 + 5
        movq    $2, ex_mode
        movq    $1f, fixup_rip
        movw    $SEL_CODE64, %ax
        movw    %ax, %ss
1:      orb     $0x80, idt + 13 * 16 + 5
        movl    $msg_df, %esi
        cmpq    $8, ex_vec
        jne     1f
        cmpq    $0, ex_err
        jne     1f
        cmpq    $ist2_top - 64, ex_rsp
1:      call    result

# ---- case int3: #BP is a trap, the saved RIP follows INT3 ------------------------------------
        movq    $1, ex_mode
        movq    $0, ex_vec
        int3
int3_after:
        movl    $msg_int3, %esi
        cmpq    $3, ex_vec
        jne     1f
        movq    ex_rflags, %rax         # a trap pushes RF as it was (0)
        shrq    $16, %rax
        andl    $1, %eax
        cmpl    $0, %eax
        jne     1f
        cmpq    $int3_after, ex_rip
1:      call    result

# ---- case into-64: INTO is invalid in 64-bit mode (#UD) ---------------------------------------
        movq    $2, ex_mode
        movq    $1f, fixup_rip
into64:
        .byte   0xCE
1:      movl    $msg_into64, %esi
        cmpq    $6, ex_vec
        jne     1f
        cmpq    $into64, ex_rip
1:      call    result

# ---- case into-compat: in compatibility mode INTO traps with OF=1 only ----------------------------
        movq    $1, ex_mode
        movq    ex_count, %r12
        pushq   $SEL_CODE32
        pushq   $compat_code
        lretq
        .code32
compat_code:
        xorl    %eax, %eax              # OF=0: no trap
        into
        movl    $0x7FFFFFFF, %eax
        addl    $1, %eax                # OF=1
        into
compat_after_into:
        movl    ex_vec, %eax
        movl    %eax, into_vec
        movl    ex_rip, %eax
        movl    %eax, into_rip
        movl    ex_cs, %eax
        movl    %eax, into_cs
        movl    ex_count, %eax
        movl    %eax, into_count
        # case compat-limits: compatibility mode checks segment limits (SDM 5.3): ES and SS with 64 KiB
        movw    $SEL_DATA16, %dx
        movw    %dx, %es
        movl    $2, ex_mode
        movl    $1f, fixup_rip
        movl    %es:0x10000, %eax       # beyond ES's limit: #GP(0)
1:      movl    ex_vec, %eax
        movl    %eax, cl_vec1
        movl    ex_err, %eax
        movl    %eax, cl_err1
        movl    $1f, fixup_rip
        movw    %dx, %ss
        movl    %eax, %ss:0x10000       # beyond SS's limit: #SS(0)
1:      movw    $SEL_DATA, %dx
        movw    %dx, %ss
        movw    %dx, %es
        movl    ex_vec, %eax
        movl    %eax, cl_vec2
        movl    ex_err, %eax
        movl    %eax, cl_err2
        movl    %es:0xFFFC + RM_BASE, %eax      # flat ES again: no fault
        ljmp    $SEL_CODE64, $back64
        .code64
back64:
        movl    $msg_intoc, %esi
        movq    into_count, %rax
        subq    %rax, %r12
        cmpq    $-1, %r12
        jne     1f
        cmpq    $4, into_vec
        jne     1f
        cmpq    $compat_after_into, into_rip
        jne     1f
        cmpq    $SEL_CODE32, into_cs
1:      call    result
        movl    $msg_climits, %esi
        cmpq    $13, cl_vec1
        jne     1f
        cmpq    $0, cl_err1
        jne     1f
        cmpq    $12, cl_vec2
        jne     1f
        cmpq    $0, cl_err2
1:      call    result

# ---- case single-step: TF set by POPF traps after the next instruction, DR6.BS --------------------
        xorl    %eax, %eax
        movq    %rax, %dr6
        movq    $1, ex_mode
        movq    ex_count, %r12
        pushfq
        orq     $0x100, (%rsp)
        popfq
        nop
ss_after:
        movl    $msg_step, %esi
        subq    ex_count, %r12
        cmpq    $-1, %r12
        jne     1f
        cmpq    $1, ex_vec
        jne     1f
        cmpq    $ss_after, ex_rip
        jne     1f
        testq   $0x4000, ex_dr6
        jz      2f
        cmpq    %rax, %rax
        jmp     1f
2:      cmpq    $0, %rsp
1:      call    result

# ---- case mov-ss-shadow: no single-step trap right after MOV SS; it comes one instruction later ----
        movq    $1, ex_mode
        movq    ex_count, %r12
        movw    %ss, %ax
        pushfq
        orq     $0x100, (%rsp)
        popfq
        movw    %ax, %ss
        nop
ms_after:
        movl    $msg_movss, %esi
        subq    ex_count, %r12
        cmpq    $-1, %r12
        jne     1f
        cmpq    $ms_after, ex_rip
1:      call    result

# ---- case sti-shadow: a pending interrupt waits for the instruction after STI ------------------
        movl    $APIC + 0xF0, %eax
        movl    $0x1FF, (%rax)          # spurious vector register: APIC software-enabled
        movq    $1, ex_mode
        movq    $0, ex_vec
        movl    $APIC + 0x300, %eax
        movl    $0x40040, (%rax)        # ICR: fixed, vector 0x40, shorthand self
        movl    $APIC + 0x220, %eax     # wait until IRR shows it (a self-IPI takes time on hardware)
2:      testl   $1, (%rax)              # IRR bit 0x40 = register 0x220, bit 0
        jz      2b
        sti
        movl    $1, %r8d                # in the shadow
sti_after:
        cli
        movl    $msg_sti, %esi
        cmpq    $0x40, ex_vec
        jne     1f
        cmpq    $sti_after, ex_rip
1:      call    result

# ---- case dr-exec: DR0 execute breakpoint, a fault before the instruction; RF=1 lets it run once ---
        xorl    %eax, %eax
        movq    %rax, %dr6
        movq    $1, ex_mode
        movq    ex_count, %r12
        movq    $bp_func, %rax
        movq    %rax, %dr0
        movl    $0x1, %eax              # L0, R/W0 = 00 (execute), LEN0 = 00
        movq    %rax, %dr7
        xorl    %r13d, %r13d
        call    bp_func                 # #DB at bp_func; the IRETQ sets RF, bp_func runs
        call    bp_func                 # RF was cleared when the instruction completed: #DB again
        xorl    %eax, %eax
        movq    %rax, %dr7
        call    bp_func                 # disarmed: no #DB
        movl    $msg_drexec, %esi
        subq    ex_count, %r12
        cmpq    $-2, %r12
        jne     1f
        cmpq    $3, %r13
        jne     1f
        cmpq    $1, ex_vec
        jne     1f
        cmpq    $bp_func, ex_rip
        jne     1f
        movq    ex_dr6, %rax
        andl    $0xF, %eax
        cmpl    $1, %eax                # DR6.B0
1:      call    result

# ---- case dr-write: DR1 watches 4 bytes for writes; the #DB trap follows the writing instruction --
        xorl    %eax, %eax
        movq    %rax, %dr6
        movq    $1, ex_mode
        movq    ex_count, %r12
        movq    $watch_var, %rax
        movq    %rax, %dr1
        movl    $0x00D00004, %eax       # L1, R/W1 = 01 (write), LEN1 = 11 (4 bytes)
        movq    %rax, %dr7
        movl    watch_var, %eax         # a read: no #DB
        movw    %ax, watch_var + 2      # a write inside the range
dw_after:
        xorl    %eax, %eax
        movq    %rax, %dr7
        movl    $msg_drwrite, %esi
        subq    ex_count, %r12
        cmpq    $-1, %r12
        jne     1f
        cmpq    $dw_after, ex_rip
        jne     1f
        movq    ex_dr6, %rax
        andl    $0xF, %eax
        cmpl    $2, %eax                # DR6.B1
1:      call    result

# ---- case dr-readwrite: DR3 watches 8 bytes for reads and writes ---------------------------------
        xorl    %eax, %eax
        movq    %rax, %dr6
        movq    $1, ex_mode
        movq    ex_count, %r12
        movq    $watch_var, %rax
        movq    %rax, %dr3
        movl    $0xB00000C0, %eax       # G3, R/W3 = 11 (read/write), LEN3 = 10 (8 bytes)
        movq    %rax, %dr7
        movl    watch_var - 4, %eax     # below the range: no #DB
        movb    watch_var + 7, %al      # a read of the last byte
drw_after:
        xorl    %eax, %eax
        movq    %rax, %dr7
        movl    $msg_drrw, %esi
        subq    ex_count, %r12
        cmpq    $-1, %r12
        jne     1f
        cmpq    $drw_after, ex_rip
        jne     1f
        movq    ex_dr6, %rax
        andl    $0xF, %eax
        cmpl    $8, %eax                # DR6.B3
1:      call    result

# ---- case dr7-gd: general detect: a debug-register access is a #DB fault with DR6.BD -------------
        xorl    %eax, %eax
        movq    %rax, %dr6
        movl    $0x2400, %eax           # DR7.GD
        movq    %rax, %dr7
        movq    $2, ex_mode
        movq    $1f, fixup_rip
gd_mov:
        movq    %dr0, %rax
1:      movq    %dr7, %rbx              # GD was cleared on the #DB: no fault now
        movl    $msg_gd, %esi
        cmpq    $1, ex_vec
        jne     1f
        cmpq    $gd_mov, ex_rip
        jne     1f
        testq   $0x2000, ex_dr6         # DR6.BD
        jz      2f
        testq   $0x2000, %rbx
        jnz     2f
        cmpq    %rax, %rax
        jmp     1f
2:      cmpq    $0, %rsp
1:      call    result

# ---- ring 3: IRETQ down, INT up (RSP0 and IST1), SYSCALL/SYSRET, a user #PF, INT 0x82 home ---------
        movq    $1, ex_mode
        movq    %rsp, kernel_rsp
        pushq   $SEL_UDATA + 3
        pushq   $user_stack_top
        pushq   $2
        pushq   $SEL_UCODE64 + 3
        pushq   $user_code
        iretq
ring3_back:
        movl    $msg_iret3, %esi
        cmpq    $SEL_UCODE64 + 3, u_cs
        jne     1f
        cmpq    $SEL_UDATA + 3, u_ss
1:      call    result
        movl    $msg_rsp0, %esi         # INT 0x80 from ring 3: the handler ran on TSS.RSP0
        cmpq    $0x80, u80_vec
        jne     1f
        cmpq    $rsp0_top - 64, u80_rsp
        jne     1f
        cmpq    $SEL_UCODE64 + 3, u80_cs
        jne     1f
        cmpq    $SEL_UDATA + 3, u80_ss
        jne     1f
        cmpq    $user_stack_top, u80_oldrsp
1:      call    result
        movl    $msg_ist, %esi          # INT 0x81: gate with IST1
        cmpq    $0x81, u81_vec
        jne     1f
        cmpq    $ist1_top - 64, u81_rsp
1:      call    result
        movl    $msg_syscall, %esi
        cmpq    $after_syscall, sc_rcx
        jne     1f
        testq   $0x400, sc_r11          # the saved RFLAGS had DF
        jz      2f
        testq   $0x400, sc_rflags       # ... which FMASK cleared
        jnz     2f
        testq   $0x400, u_flags         # ... and SYSRET restored
        jz      2f
        cmpq    $SEL_CODE64, sc_cs
        jne     1f
        cmpq    $SEL_DATA, sc_ss
        jne     1f
        cmpq    $SEL_UCODE64 + 3, u_cs2
        jne     1f
        cmpq    $SEL_UDATA + 3, u_ss2
        jmp     1f
2:      cmpq    $0, %rsp
1:      call    result
        movl    $msg_icebp, %esi
        cmpq    $1, u_icebp_vec
        jne     1f
        cmpq    $icebp_after, u_icebp_rip
        jne     1f
        cmpq    $13, u_int1_vec
        jne     1f
        cmpq    $0x0A, u_int1_err
1:      call    result
        movl    $msg_pfuser, %esi
        cmpq    $14, upf_vec
        jne     1f
        cmpq    $4, upf_err             # user, read, not present
        jne     1f
        cmpq    $user_pf, upf_rip
1:      call    result

# ---- summary and exit --------------------------------------------------------------------
        movl    $msg_done, %esi
        call    puts
        movq    failures, %rax
        call    puthex64
        movb    $'\n', %al
        call    putc
#ifdef TRIPLE_FAULT
# modetest-triple: a kernel stack overflow in long mode. #PF and #DF both run on IST2, which now points
# into unmapped memory: the #PF's frame push faults (#PF while delivering #PF = #DF), and so does the
# #DF's, which shuts the processor down.
        movl    $msg_triple, %esi
        call    puts
        movabsq $UNMAPPED + 0x1000, %rax
        movq    %rax, tss + 0x2C
        movb    $2, idt + 14 * 16 + 4
        movq    $0, ex_mode
        movabsq $UNMAPPED, %rbx
        movl    (%rbx), %eax
        movl    $msg_survived, %esi     # not reached
        call    puts
#endif
        movq    failures, %rax
        testq   %rax, %rax
        setnz   %al
        jmp     exit

# ---- ring-3 code ----------------------------------------------------------------------------
user_code:
        movw    %cs, %ax
        movzwq  %ax, %rax
        movq    %rax, u_cs
        movw    %ss, %ax
        movzwq  %ax, %rax
        movq    %rax, u_ss
        int     $0x80
        movq    ex_vec, %rax
        movq    %rax, u80_vec
        movq    ex_rsp, %rax
        movq    %rax, u80_rsp
        movq    ex_cs, %rax
        movq    %rax, u80_cs
        movq    ex_ss, %rax
        movq    %rax, u80_ss
        movq    ex_oldrsp, %rax
        movq    %rax, u80_oldrsp
        int     $0x81
        movq    ex_vec, %rax
        movq    %rax, u81_vec
        movq    ex_rsp, %rax
        movq    %rax, u81_rsp
        .byte   0xF1                    # ICEBP: #DB trap through a DPL-0 gate, from ring 3
icebp_after:
        movq    ex_vec, %rax
        movq    %rax, u_icebp_vec
        movq    ex_rip, %rax
        movq    %rax, u_icebp_rip
        movq    $2, ex_mode
        movq    $1f, fixup_rip
        int     $1                      # INT 1 checks the gate's DPL: #GP(1 * 8 + 2)
1:      movq    ex_vec, %rax
        movq    %rax, u_int1_vec
        movq    ex_err, %rax
        movq    %rax, u_int1_err
        movq    $1, ex_mode
        std
        syscall
after_syscall:
        pushfq
        popq    u_flags
        cld
        movw    %cs, %ax
        movzwq  %ax, %rax
        movq    %rax, u_cs2
        movw    %ss, %ax
        movzwq  %ax, %rax
        movq    %rax, u_ss2
        movq    $2, ex_mode
        movq    $user_pf_fix, fixup_rip
        movabsq $UNMAPPED + 0x20, %rbx
user_pf:
        movl    (%rbx), %eax
user_pf_fix:
        movq    ex_vec, %rax
        movq    %rax, upf_vec
        movq    ex_err, %rax
        movq    %rax, upf_err
        movq    ex_rip, %rax
        movq    %rax, upf_rip
        movq    $1, ex_mode
        int     $0x82                   # home: the handler resumes the kernel at ring3_back

bp_func:
        incq    %r13
        ret

# SYSCALL lands here at CPL 0, still on the user stack.
syscall_entry:
        movq    %rcx, sc_rcx
        movq    %r11, sc_r11
        pushfq
        popq    sc_rflags
        movw    %cs, %ax
        movzwq  %ax, %rax
        movq    %rax, sc_cs
        movw    %ss, %ax
        movzwq  %ax, %rax
        movq    %rax, sc_ss
        sysretq

# result: ZF set = pass. Prints "PASS <rsi>" or "FAIL <rsi>"; the case's ex_mode ends.
result:
        movq    $0, ex_mode             # (MOV does not change flags)
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

# ---- descriptor tables ------------------------------------------------------------------------
# idt_init: 256 64-bit interrupt gates to isr_stubs + 16 * vector, DPL 0; 0x80-0x82 DPL 3 (INT from
# ring 3), 0x81 on IST1, #DF on IST2.
idt_init:
        movl    $idt, %edi
        xorl    %ecx, %ecx
1:      movl    %ecx, %eax
        shll    $4, %eax
        addq    $isr_stubs, %rax
        movw    %ax, (%rdi)             # offset 15:0
        movw    $SEL_CODE64, 2(%rdi)
        movw    $0x8E00, 4(%rdi)        # present, DPL 0, 64-bit interrupt gate
        shrq    $16, %rax
        movw    %ax, 6(%rdi)            # offset 31:16
        movl    $0, 8(%rdi)
        movl    $0, 12(%rdi)
        addl    $16, %edi
        incl    %ecx
        cmpl    $256, %ecx
        jne     1b
        movb    $0xEE, idt + 0x80 * 16 + 5
        movb    $0xEE, idt + 0x81 * 16 + 5
        movb    $1, idt + 0x81 * 16 + 4
        movb    $0xEE, idt + 0x82 * 16 + 5
        movb    $2, idt + 8 * 16 + 4
        lidt    idt_ptr
        ret

# tss_init: the 64-bit TSS (RSP0, IST1, IST2), its descriptor at SEL_TSS, LTR; STAR/LSTAR/FMASK.
tss_init:
        movq    $rsp0_top, %rax
        movq    %rax, tss + 4
        movq    $ist1_top, %rax
        movq    %rax, tss + 0x24
        movq    $ist2_top, %rax
        movq    %rax, tss + 0x2C
        movq    $tss, %rax
        movq    %rax, %rdx
        shlq    $16, %rdx
        movabsq $0xFFFFFF0000, %rcx
        andq    %rcx, %rdx              # base 23:0 -> bits 39:16
        movq    %rax, %rcx
        shrq    $24, %rcx
        andq    $0xFF, %rcx
        shlq    $56, %rcx               # base 31:24 -> bits 63:56
        orq     %rcx, %rdx
        movabsq $0x0000890000000067, %rcx       # present, available 64-bit TSS, limit 0x67
        orq     %rcx, %rdx
        movq    %rdx, gdt + SEL_TSS
        movq    $0, gdt + SEL_TSS + 8
        movw    $SEL_TSS, %ax
        ltr     %ax
        movl    $0xC0000081, %ecx       # STAR: SYSCALL CS 0x08 / SS 0x10; SYSRET base 0x30 (CS 0x43, SS 0x3B)
        xorl    %eax, %eax
        movl    $(SEL_UCODE32 << 16) | SEL_CODE64, %edx
        wrmsr
        movl    $0xC0000082, %ecx       # LSTAR
        movl    $syscall_entry, %eax
        xorl    %edx, %edx
        wrmsr
        movl    $0xC0000084, %ecx       # FMASK: TF, IF, DF
        movl    $0x700, %eax
        wrmsr
        ret

# ---- interrupts -----------------------------------------------------------------------------
# One 16-byte stub per vector; vectors without an error code push a zero in its place.
        .p2align 4
isr_stubs:
        .set vec, 0
        .rept 256
        .p2align 4
        .if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21)
        .else
        pushq   $0
        .endif
        pushq   $vec
        jmp     isr_common
        .set vec, vec + 1
        .endr

# Frame after the push of RAX: 0 rax, 8 vector, 16 error code, 24 RIP, 32 CS, 40 RFLAGS, 48 RSP, 56 SS.
isr_common:
        pushq   %rax
        movq    8(%rsp), %rax
        movq    %rax, ex_vec
        movq    16(%rsp), %rax
        movq    %rax, ex_err
        movq    24(%rsp), %rax
        movq    %rax, ex_rip
        movq    32(%rsp), %rax
        movq    %rax, ex_cs
        movq    40(%rsp), %rax
        movq    %rax, ex_rflags
        movq    48(%rsp), %rax
        movq    %rax, ex_oldrsp
        movq    56(%rsp), %rax
        movq    %rax, ex_ss
        movq    %rsp, ex_rsp
        movq    %cr2, %rax
        movq    %rax, ex_cr2
        movq    %dr6, %rax
        movq    %rax, ex_dr6
        incq    ex_count
        movq    ex_vec, %rax
        cmpq    $1, %rax
        jne     1f
        andq    $~0x100, 40(%rsp)       # #DB: stop single-stepping,
        orq     $0x10000, 40(%rsp)      # and set RF: an instruction breakpoint's instruction may run
1:      cmpq    $0x40, %rax
        jne     2f
        movl    $APIC + 0xB0, %eax      # EOI
        movl    $0, (%rax)
        jmp     9f
2:      cmpq    $0x82, %rax
        jne     3f
        movq    $ring3_back, 24(%rsp)   # home from ring 3: the kernel's CS, stack and flags
        movq    $SEL_CODE64, 32(%rsp)
        movq    $2, 40(%rsp)
        movq    kernel_rsp, %rax
        movq    %rax, 48(%rsp)
        movq    $SEL_DATA, 56(%rsp)
        jmp     9f
3:      movq    ex_mode, %rax
        cmpq    $1, %rax
        je      9f
        cmpq    $2, %rax
        jne     unexpected
        movq    fixup_rip, %rax
        movq    %rax, 24(%rsp)
9:      popq    %rax
        addq    $16, %rsp
        iretq

unexpected:
        movl    $msg_unexpected, %esi
        call    puts
        movq    ex_vec, %rax
        call    puthex64
        movl    $msg_at, %esi
        call    puts
        movq    ex_rip, %rax
        call    puthex64
        movb    $'\n', %al
        call    putc
        movb    $1, %al
        jmp     exit

        .include "common/serial64.inc"

        .section .rodata
hexdigits:      .ascii "0123456789abcdef"
msg_start:      .asciz "modetest: real, protected and long mode; rings, SYSCALL, exceptions\n"
msg_pass:       .asciz "PASS "
msg_fail:       .asciz "FAIL "
msg_real:       .asciz "real-mode"
msg_big:        .asciz "big-real-mode"
msg_rmlimit:    .asciz "real-mode-limit"
msg_pfread:     .asciz "pf-read"
msg_pfwrite:    .asciz "pf-write"
msg_gpsel:      .asciz "gp-selector"
msg_df:         .asciz "double-fault-ist"
msg_ssnc:       .asciz "ss-noncanonical"
msg_int3:       .asciz "int3"
msg_into64:     .asciz "into-64"
msg_intoc:      .asciz "into-compat"
msg_climits:    .asciz "compat-limits"
msg_step:       .asciz "single-step"
msg_movss:      .asciz "mov-ss-shadow"
msg_sti:        .asciz "sti-shadow"
msg_drexec:     .asciz "dr-exec"
msg_drwrite:    .asciz "dr-write"
msg_drrw:       .asciz "dr-readwrite"
msg_gd:         .asciz "dr7-gd"
msg_icebp:      .asciz "icebp"
msg_iret3:      .asciz "iretq-ring3"
msg_rsp0:       .asciz "int-ring3-rsp0"
msg_ist:        .asciz "int-ist"
msg_syscall:    .asciz "syscall-sysret"
msg_pfuser:     .asciz "pf-user"
msg_done:       .asciz "modetest: failures 0x"
msg_triple:     .asciz "modetest: #PF and #DF on an unmapped IST stack\n"
msg_survived:   .asciz "FAIL no triple fault\n"
msg_unexpected: .asciz "FAIL unexpected exception 0x"
msg_at:         .asciz " at RIP 0x"

        .section .data
        .p2align 3
big_magic:      .long BIG_MAGIC, 0
gdt:
        .quad   0
        .quad   0x00209A0000000000      # 0x08: 64-bit code
        .quad   0x00CF92000000FFFF      # 0x10: flat data
        .quad   0x00CF9A000000FFFF      # 0x18: flat 32-bit code
        .quad   0x00009A008000FFFF      # 0x20: 16-bit code, base 0x8000, limit 64 KiB
        .quad   0x000092008000FFFF      # 0x28: 16-bit data, base 0x8000, limit 64 KiB
        .quad   0x00CFFA000000FFFF      # 0x30: user 32-bit code (SYSRET base)
        .quad   0x00CFF2000000FFFF      # 0x38: user data
        .quad   0x0020FA0000000000      # 0x40: user 64-bit code
        .quad   0, 0                    # 0x48: the TSS (filled by tss_init)
gdt_end:
gdt_ptr:
        .word   gdt_end - gdt - 1
        .long   gdt
        .p2align 3
idt_ptr:
        .word   256 * 16 - 1
        .quad   idt
failures:       .quad 0
ex_mode:        .quad 0
fixup_rip:      .quad 0
ex_vec:         .quad 0
ex_err:         .quad 0
ex_rip:         .quad 0
ex_cs:          .quad 0
ex_rflags:      .quad 0
ex_oldrsp:      .quad 0
ex_ss:          .quad 0
ex_rsp:         .quad 0
ex_cr2:         .quad 0
ex_dr6:         .quad 0
ex_count:       .quad 0
kernel_rsp:     .quad 0
u_cs:           .quad 0
u_ss:           .quad 0
u80_vec:        .quad 0
u80_rsp:        .quad 0
u80_cs:         .quad 0
u80_ss:         .quad 0
u80_oldrsp:     .quad 0
u81_vec:        .quad 0
u81_rsp:        .quad 0
sc_rcx:         .quad 0
sc_r11:         .quad 0
sc_rflags:      .quad 0
sc_cs:          .quad 0
sc_ss:          .quad 0
u_flags:        .quad 0
u_cs2:          .quad 0
u_ss2:          .quad 0
into_vec:       .quad 0
into_rip:       .quad 0
into_cs:        .quad 0
into_count:     .quad 0
cl_vec1:        .quad 0
cl_err1:        .quad 0
cl_vec2:        .quad 0
cl_err2:        .quad 0
u_icebp_vec:    .quad 0
u_icebp_rip:    .quad 0
u_int1_vec:     .quad 0
u_int1_err:     .quad 0
        .p2align 3
watch_pad:      .quad 0
watch_var:      .quad 0
upf_vec:        .quad 0
upf_err:        .quad 0
upf_rip:        .quad 0

        .section .bss
        .p2align 12
tables_start:
pml4:   .space 4096
pdpt:   .space 4096
pd:     .space 4 * 4096
tables_end:
idt:    .space 256 * 16
tss:    .space 0x68
        .p2align 4
stack:  .space 16384
stack_top:
        .space 4096
rsp0_top:
        .space 4096
ist1_top:
        .space 4096
ist2_top:
        .space 4096
user_stack_top:
