package dev.vmm.core.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds small Multiboot kernel images for the loader tests: an a.out-kludge flat binary, an ELF32 and an
 * ELF64 file. Code bytes are filler (the loader never runs them); what matters is where they land.
 */
final class TestImages {
    static final int MAGIC = 0x1BADB002;
    static final long LOAD = 0x100000;

    private TestImages() { }

    /** Recognisable filler: byte i is (i * 7 + 3). */
    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 7 + 3 + seed);
        return b;
    }

    static ByteBuffer le(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN); }

    static void header(ByteBuffer b, int at, int flags) {
        b.putInt(at, MAGIC);
        b.putInt(at + 4, flags);
        b.putInt(at + 8, -(MAGIC + flags));
    }

    /**
     * A flat binary loaded at 1 MiB: header at offset 0, {@code size} bytes loaded, {@code bss} bytes of bss,
     * entry at offset 0x40.
     */
    static byte[] aout(int size, int bss) {
        return aout(LOAD, size, bss);
    }

    static byte[] aout(long loadAddr, int size, int bss) {
        byte[] img = pattern(size, 0);
        ByteBuffer b = le(img);
        header(b, 0, 0x00010003);
        b.putInt(12, (int) loadAddr);                 // header_addr
        b.putInt(16, (int) loadAddr);                 // load_addr
        b.putInt(20, (int) (loadAddr + size));        // load_end_addr
        b.putInt(24, bss == 0 ? 0 : (int) (loadAddr + size + bss)); // bss_end_addr
        b.putInt(28, (int) (loadAddr + 0x40));        // entry_addr
        return img;
    }

    /** One program header: where its bytes sit in the file and in memory. */
    record Seg(long vaddr, long paddr, int fileOffset, int filesz, long memsz) { }

    /**
     * An ELF32 kernel: ELF header, program headers, then the segment bytes (pattern) at the offsets given,
     * and a Multiboot header (flags 3, no kludge) at file offset 0x200, which the first segment must cover.
     */
    static byte[] elf32(long entry, Seg... segs) {
        int size = fileSize(segs);
        byte[] img = pattern(size, 1);
        ByteBuffer b = le(img);
        ident(b, 1);
        b.putShort(16, (short) 2).putShort(18, (short) 3).putInt(20, 1).putInt(24, (int) entry);
        b.putInt(28, 52).putInt(32, 0).putInt(36, 0);
        b.putShort(40, (short) 52).putShort(42, (short) 32).putShort(44, (short) segs.length);
        b.putShort(46, (short) 0).putShort(48, (short) 0).putShort(50, (short) 0);
        for (int i = 0; i < segs.length; i++) {
            int ph = 52 + 32 * i;
            Seg s = segs[i];
            b.putInt(ph, 1).putInt(ph + 4, s.fileOffset).putInt(ph + 8, (int) s.vaddr).putInt(ph + 12, (int) s.paddr)
                    .putInt(ph + 16, s.filesz).putInt(ph + 20, (int) s.memsz).putInt(ph + 24, 7).putInt(ph + 28, 0x1000);
        }
        header(b, 0x200, 3);
        return img;
    }

    /** As {@link #elf32}, in ELF64 with machine x86-64. */
    static byte[] elf64(long entry, Seg... segs) {
        int size = fileSize(segs);
        byte[] img = pattern(size, 2);
        ByteBuffer b = le(img);
        ident(b, 2);
        b.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1).putLong(24, entry);
        b.putLong(32, 64).putLong(40, 0).putInt(48, 0);
        b.putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) segs.length);
        b.putShort(58, (short) 0).putShort(60, (short) 0).putShort(62, (short) 0);
        for (int i = 0; i < segs.length; i++) {
            int ph = 64 + 56 * i;
            Seg s = segs[i];
            b.putInt(ph, 1).putInt(ph + 4, 7).putLong(ph + 8, s.fileOffset).putLong(ph + 16, s.vaddr)
                    .putLong(ph + 24, s.paddr).putLong(ph + 32, s.filesz).putLong(ph + 40, s.memsz).putLong(ph + 48, 0x1000);
        }
        header(b, 0x200, 3);
        return img;
    }

    private static void ident(ByteBuffer b, int elfClass) {
        for (int i = 0; i < 16; i++) b.put(i, (byte) 0);
        b.put(0, (byte) 0x7F).put(1, (byte) 'E').put(2, (byte) 'L').put(3, (byte) 'F');
        b.put(4, (byte) elfClass).put(5, (byte) 1).put(6, (byte) 1);
    }

    private static int fileSize(Seg... segs) {
        int end = 0x400;
        for (Seg s : segs) end = Math.max(end, s.fileOffset + s.filesz);
        return end;
    }

    /** The usual two-segment ELF32: text at 1 MiB (file 0x0-0x1fff), data+bss at 1 MiB + 0x3000. */
    static byte[] typicalElf32() {
        return elf32(LOAD + 0x240,
                new Seg(LOAD, LOAD, 0, 0x2000, 0x2000),
                new Seg(LOAD + 0x3000, LOAD + 0x3000, 0x2000, 0x800, 0x5000));
    }

    /** A higher-half ELF64: linked at 0xFFFFFFFF80100000, loaded at 2 MiB. */
    static byte[] higherHalfElf64() {
        long v = 0xFFFFFFFF80100000L;
        return elf64(v + 0x240,
                new Seg(v, 0x200000, 0, 0x2000, 0x2000),
                new Seg(v + 0x3000, 0x203000, 0x2000, 0x1000, 0x3000));
    }
}
