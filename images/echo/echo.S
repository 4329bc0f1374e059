# echo.S -- a serial echo guest: a Multiboot v1 kernel (flat binary, a.out
# kludge) that prints a banner on COM1 and then sends back every byte COM1
# receives, until it receives 0x04 (Ctrl-D, end of transmission): then it
# prints a farewell and stops the machine through the debug-exit port.
#
# It is the guest the remote serial console's end-to-end tests talk to: what
# a client types must come back through the UART, byte for byte, to every
# client; so it polls (no interrupts) and never transforms a byte.
#
# Mode: stays in the 32-bit protected mode a Multiboot loader enters with
# (flat CS/DS, paging off); loads its own GDT so it does not rely on the
# loader's, and sets its own stack. Instructions used: mov, in, out, test,
# cmp, jcc, jmp, call, ret, lgdt, ljmp, cli, cld, hlt.
#
# Exit: writes 0 to port 0xf4 (QEMU isa-debug-exit: status (0 << 1) | 1 = 1),
# then "Shutdown" to port 0x8900 (Bochs), then cli;hlt forever.

        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0x00010000       # bit 16: the a.out kludge addresses below are valid
        .set COM1, 0x3F8
        .set LSR_DR, 0x01               # line status: data ready
        .set LSR_THRE, 0x20             # line status: transmit holding register empty
        .set LSR_TEMT, 0x40             # line status: transmitter empty
        .set EOT, 0x04                  # Ctrl-D: the byte that stops the guest

        .include "common/flat32.inc"
        call    serial_init
        movl    $msg_ready, %esi
        call    puts

echo_loop:
        movw    $COM1 + 5, %dx          # wait for a received byte (LSR.DR)
1:      inb     %dx, %al
        testb   $LSR_DR, %al
        jz      1b
        movw    $COM1, %dx              # take it from RBR
        inb     %dx, %al
        cmpb    $EOT, %al
        je      stop
        call    putc                    # and send it back unchanged
        jmp     echo_loop

stop:
        movl    $msg_bye, %esi
        call    puts
        movw    $COM1 + 5, %dx          # wait until the transmitter is empty (LSR.TEMT)
1:      inb     %dx, %al
        testb   $LSR_TEMT, %al
        jz      1b
        xorl    %eax, %eax              # QEMU isa-debug-exit: exit status (0 << 1) | 1 = 1
        outb    %al, $0xf4
        movw    $0x8900, %dx            # Bochs: "Shutdown" on port 0x8900
        movl    $msg_shutdown, %esi
2:      movb    (%esi), %al
        testb   %al, %al
        jz      3f
        outb    %al, %dx
        incl    %esi
        jmp     2b
3:      cli
        hlt
        jmp     3b

        .include "common/serial32.inc"

        .section .rodata
msg_ready:      .asciz "echo: ready\r\n"
msg_bye:        .asciz "\r\necho: bye\r\n"
msg_shutdown:   .asciz "Shutdown"

        .section .bss
        .p2align 4
stack:  .space 4096
stack_top:
