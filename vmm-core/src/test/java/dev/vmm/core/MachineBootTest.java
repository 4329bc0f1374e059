package dev.vmm.core;

import dev.vmm.core.boot.ImageException;
import dev.vmm.images.ImageCatalog;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Whole machines boot real guests: the shipped kernels (built by GNU as) and tiny hand-assembled ones
 * that end the run each way a PC can end it. The expected values come from outside vmm: the benchmark's
 * checksums are what QEMU and Bochs print (shared/bench/README.md), the exit statuses are QEMU's
 * isa-debug-exit convention, the machine-code bytes are the SDM's encodings.
 */
class MachineBootTest {

    private record Run(ExitStatus status, String serial) { }

    private static Run boot(String name, byte[] image, String input) throws ImageException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayInputStream in = input == null ? null : new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1));
        try (Machine m = new Machine(MachineConfig.defaults(), out, in)) {
            m.loadMultiboot(name, image);
            ExitStatus s = m.run();
            return new Run(s, out.toString(StandardCharsets.ISO_8859_1));
        }
    }

    /**
     * A Multiboot a.out-kludge kernel loaded at 1 MiB, entered at 1 MiB + 0x40 in 32-bit protected mode
     * with flat segments; {@code data} lands at 1 MiB + 0x100.
     */
    static byte[] flatKernel(byte[] code, byte[] data) {
        byte[] img = new byte[0x200];
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        int magic = 0x1BADB002, flags = 0x00010003;
        b.putInt(0, magic).putInt(4, flags).putInt(8, -(magic + flags));
        b.putInt(12, 0x100000).putInt(16, 0x100000).putInt(20, 0x100000 + img.length).putInt(24, 0)
                .putInt(28, 0x100040);
        System.arraycopy(code, 0, img, 0x40, code.length);
        System.arraycopy(data, 0, img, 0x100, data.length);
        return img;
    }

    static byte[] bytes(String hex) { return HexFormat.of().parseHex(hex.replace(" ", "")); }

    @Test
    void helloGreetsPrintsTheMemoryMapAndExitsWithDebugExitZero() throws ImageException {
        Run r = boot("hello", ImageCatalog.find("hello").orElseThrow(), null);
        assertEquals(ExitStatus.Kind.DEBUG_EXIT, r.status.kind());
        assertEquals(1, r.status.exitCode(), "QEMU's (0 << 1) | 1");
        assertTrue(r.serial.contains("Hello from vmm"), r.serial);
        // The map the loader built for 256 MiB: conventional memory, then RAM from 1 MiB to the end.
        assertTrue(r.serial.contains("mmap 0x0000000000000000-0x000000000009fbff available"), r.serial);
        assertTrue(r.serial.contains("mmap 0x0000000000100000-0x000000000fffffff available"), r.serial);
    }

    @Test
    void benchmarkKernelPrintsTheChecksumsQemuAndBochsPrint() throws ImageException {
        assertEquals("9bbc6814b3871c3a", benchChecksum(10));
        assertEquals("04959a152ab81a70", benchChecksum(20));
    }

    private static String benchChecksum(long n) throws ImageException {
        byte[] img = ImageCatalog.find("bench").orElseThrow().clone();
        ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).putLong(0x20, n);
        Run r = boot("bench", img, null);
        assertEquals(ExitStatus.Kind.DEBUG_EXIT, r.status.kind(), r.serial);
        int s = r.serial.indexOf('S'), e = r.serial.indexOf('E', s);
        assertTrue(s >= 0 && e == s + 17, "S<16 hex digits>E in " + r.serial);
        return r.serial.substring(s + 1, e);
    }

    @Test
    void debugExitValueBecomesQemusStatus() throws ImageException {
        // mov al, 0x2a ; out 0xf4, al
        Run r = boot("t", flatKernel(bytes("B0 2A E6 F4 F4"), new byte[0]), null);
        assertEquals(ExitStatus.Kind.DEBUG_EXIT, r.status.kind());
        assertEquals((0x2a << 1) | 1, r.status.exitCode());
    }

    @Test
    void cliHltStopsTheMachineWithAReport() throws ImageException {
        Run r = boot("t", flatKernel(bytes("FA F4"), new byte[0]), null);
        assertEquals(ExitStatus.Kind.HALTED, r.status.kind());
        assertEquals(Machine.EXIT_HALTED, r.status.exitCode());
        assertTrue(r.status.report().contains("interrupts disabled"), r.status.report());
        assertTrue(r.status.report().contains("0x100042"), "RIP after the hlt: " + r.status.report());
    }

    @Test
    void anExceptionWithNoUsableIdtIsATripleFault() throws ImageException {
        // lidt [0x100100] (limit 0) ; ud2: #UD -> #GP (vector beyond the limit) -> #DF -> shutdown
        Run r = boot("t", flatKernel(bytes("0F 01 1D 00 01 10 00 0F 0B"), new byte[6]), null);
        assertEquals(ExitStatus.Kind.TRIPLE_FAULT, r.status.kind(), String.valueOf(r.status.report()));
        assertEquals(Machine.EXIT_TRIPLE_FAULT, r.status.exitCode());
        assertTrue(r.status.report().contains("triple fault"), r.status.report());
    }

    @Test
    void bochsShutdownStringOnPort0x8900() throws ImageException {
        // mov dx, 0x8900 ; mov esi, 0x100100 ; mov ecx, 8 ; rep outsb ; hlt
        byte[] code = bytes("66 BA 00 89  BE 00 01 10 00  B9 08 00 00 00  F3 6E  F4");
        Run r = boot("t", flatKernel(code, "Shutdown".getBytes(StandardCharsets.US_ASCII)), null);
        assertEquals(ExitStatus.Kind.BOCHS_SHUTDOWN, r.status.kind());
        assertEquals(0, r.status.exitCode());
    }

    @Test
    void bytesFromTheSerialInputReachTheGuest() throws ImageException {
        // wait: mov dx, 0x3fd ; in al, dx ; test al, 1 ; jz wait ; mov dx, 0x3f8 ; in al, dx ; out 0xf4, al
        byte[] code = bytes("66 BA FD 03  EC  A8 01  74 F7  66 BA F8 03  EC  E6 F4");
        Run r = boot("t", flatKernel(code, new byte[0]), "A");
        assertEquals(ExitStatus.Kind.DEBUG_EXIT, r.status.kind());
        assertEquals(('A' << 1) | 1, r.status.exitCode());
    }

    @Test
    void guestOutputReachesTheSerialSink() throws ImageException {
        // mov dx, 0x3f8 ; mov al, 'o' ; out dx, al ; mov al, 'k' ; out dx, al ; xor al, al ; out 0xf4, al
        byte[] code = bytes("66 BA F8 03  B0 6F  EE  B0 6B  EE  30 C0  E6 F4");
        Run r = boot("t", flatKernel(code, new byte[0]), null);
        assertEquals("ok", r.serial);
        assertEquals(1, r.status.exitCode());
    }
}
