package dev.vmm.core.boot;

import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.vmm.core.boot.TestImages.LOAD;
import static dev.vmm.core.boot.TestImages.Seg;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Images the loader must refuse: each with an {@link ImageException} whose one-line message names the
 * file and the problem, and without touching RAM.
 */
class MultibootRefusalTest {
    private static final long MiB = 1 << 20;
    private final PhysicalMemory mem = new PhysicalMemory(16 * MiB);

    /** Loads, expects a refusal mentioning {@code expected}, and checks RAM stayed unwritten. */
    private String refuse(byte[] image, String expected) {
        return refuse(image, expected, List.of());
    }

    private String refuse(byte[] image, String expected, List<BootModule> modules) {
        ImageException e = assertThrows(ImageException.class,
                () -> MultibootLoader.load(mem, "kern.img", image, "cmd", modules));
        String m = e.getMessage();
        assertTrue(m.startsWith("kern.img: "), m);
        assertFalse(m.contains("\n"), m);
        assertTrue(m.contains(expected), () -> "expected '" + expected + "' in: " + m);
        assertEquals(0, mem.allocatedBytes(), "a refused image leaves RAM untouched");
        return m;
    }

    @Test
    void emptyFile() {
        refuse(new byte[0], "empty file");
    }

    @Test
    void plainTextIsNotMultiboot() {
        refuse("buildhost-17\n".getBytes(StandardCharsets.US_ASCII), "not a Multiboot kernel");
    }

    @Test
    void noHeaderInTheFirst8KiB() {
        byte[] img = new byte[0x3000];
        TestImages.header(TestImages.le(img), 8192, 0x10000); // one word too far
        refuse(img, "no Multiboot header in the first 8192 bytes");
    }

    @Test
    void headerMustEndWithinTheFirst8KiB() {
        byte[] img = new byte[0x3000];
        TestImages.header(TestImages.le(img), 8188, 0x10000); // magic inside, flags and checksum outside
        refuse(img, "no Multiboot header in the first 8192 bytes");
    }

    @Test
    void misalignedHeaderIsNotFound() {
        byte[] img = new byte[0x1000];
        TestImages.header(TestImages.le(img), 2, 0);
        refuse(img, "no Multiboot header");
    }

    @Test
    void badChecksum() {
        byte[] img = TestImages.aout(0x1000, 0);
        TestImages.le(img).putInt(8, 0x12345678);
        refuse(img, "bad Multiboot header checksum at offset 0");
    }

    @Test
    void unknownRequiredFlag() {
        byte[] img = TestImages.aout(0x1000, 0);
        TestImages.header(TestImages.le(img), 0, 0x10000 | 0x8);
        refuse(img, "requires features this loader lacks (flags 0x8)");
    }

    @Test
    void truncatedHeaderMagicOnly() {
        byte[] img = Arrays.copyOf(TestImages.aout(0x1000, 0), 8);
        refuse(img, "truncated Multiboot header");
    }

    @Test
    void truncatedAoutKludgeFields() {
        byte[] img = Arrays.copyOf(TestImages.aout(0x1000, 0), 20);
        refuse(img, "truncated Multiboot header (a.out kludge fields)");
    }

    @Test
    void truncatedAoutLoadRange() {
        byte[] img = Arrays.copyOf(TestImages.aout(0x1000, 0), 0x800);
        refuse(img, "truncated image: a.out kludge load range");
    }

    @Test
    void everyTruncationOfAnAoutImageIsRefused() {
        byte[] img = TestImages.aout(0x200, 0x100);
        for (int n = 0; n < img.length; n++) refuse(Arrays.copyOf(img, n), "kern.img");
    }

    @Test
    void everyTruncationOfAnElf32ImageIsRefused() {
        byte[] img = TestImages.typicalElf32();
        for (int n = 0; n < img.length; n += 7) refuse(Arrays.copyOf(img, n), "kern.img");
    }

    @Test
    void everyTruncationOfAnElf64ImageIsRefused() {
        byte[] img = TestImages.higherHalfElf64();
        for (int n = 0; n < img.length; n += 7) refuse(Arrays.copyOf(img, n), "kern.img");
    }

    @Test
    void truncatedElfProgramHeaders() {
        byte[] img = TestImages.typicalElf32();
        TestImages.le(img).putInt(28, img.length - 40); // e_phoff near the end: 2 x 32 bytes do not fit
        refuse(img, "truncated ELF program headers");
    }

    @Test
    void truncatedElfSegment() {
        byte[] img = TestImages.typicalElf32();
        TestImages.le(img).putInt(52 + 32 + 16, 0x10000); // p_filesz of segment 1 beyond the file
        TestImages.le(img).putInt(52 + 32 + 20, 0x10000);
        refuse(img, "truncated ELF segment 1");
    }

    @Test
    void loadBelow1MiBOverlapsReservedMemory() {
        refuse(TestImages.aout(0xF8000, 0x1000, 0x10000), "overlaps reserved memory below 1 MiB");
    }

    @Test
    void elfSegmentBelow1MiBOverlapsReservedMemory() {
        byte[] img = TestImages.elf32(0x7240, new Seg(0x7000, 0x7000, 0, 0x1000, 0x1000));
        refuse(img, "load range 0x7000-0x7fff overlaps reserved memory below 1 MiB");
    }

    @Test
    void loadPastTheEndOfLowRam() {
        refuse(TestImages.aout(16 * MiB - 0x800, 0x1000, 0), "runs past the end of low RAM at 0x1000000");
    }

    @Test
    void bssPastTheEndOfLowRam() {
        refuse(TestImages.aout(0x1000, 32 * 1024 * 1024), "runs past the end of low RAM");
    }

    @Test
    void imageLargerThanRam() {
        byte[] img = TestImages.aout(17 * 1024 * 1024, 0);
        refuse(img, "larger than RAM");
    }

    @Test
    void noRoomForModules() {
        refuse(TestImages.aout(0x1000, 0), "no room for the boot information and modules",
                List.of(new BootModule("big", new byte[(int) (15 * MiB)])));
    }

    @Test
    void aoutEntryOutsideTheImage() {
        byte[] img = TestImages.aout(0x1000, 0x1000);
        TestImages.le(img).putInt(28, (int) (LOAD + 0x1800)); // in the bss
        refuse(img, "entry point 0x101800 is outside the loaded image");
    }

    @Test
    void elfEntryOutsideTheImage() {
        refuse(TestImages.elf32(0x500000, new Seg(LOAD, LOAD, 0, 0x1000, 0x1000)), "entry point 0x500000 is outside");
    }

    @Test
    void aoutBssEndBelowLoadEnd() {
        byte[] img = TestImages.aout(0x1000, 0);
        TestImages.le(img).putInt(24, (int) (LOAD + 0x10));
        refuse(img, "bss_end_addr 0x100010 is below the load end");
    }

    @Test
    void aoutHeaderAddrBeforeTheFile() {
        byte[] img = TestImages.aout(0x1000, 0);
        TestImages.le(img).putInt(12, (int) (LOAD + 0x100)); // header would be 0x100 bytes into the load
        refuse(img, "puts the load start before the file");
    }

    @Test
    void noKludgeAndNotElf() {
        byte[] img = TestImages.aout(0x1000, 0);
        TestImages.header(TestImages.le(img), 0, 0x3);
        refuse(img, "no a.out kludge (flags bit 16) and the file is not ELF");
    }

    @Test
    void bigEndianElf() {
        byte[] img = TestImages.typicalElf32();
        img[5] = 2;
        refuse(img, "not little endian");
    }

    @Test
    void elfForAnotherMachine() {
        byte[] img = TestImages.typicalElf32();
        TestImages.le(img).putShort(18, (short) 40); // ARM
        refuse(img, "not for x86 (e_machine 40)");
    }

    @Test
    void elfWithUnknownClass() {
        byte[] img = TestImages.typicalElf32();
        img[4] = 3;
        refuse(img, "unknown ELF class 3");
    }

    @Test
    void elfWithoutLoadSegments() {
        byte[] img = TestImages.typicalElf32();
        TestImages.le(img).putInt(52, 4).putInt(52 + 32, 4); // PT_NOTE
        refuse(img, "no PT_LOAD segments");
    }

    @Test
    void elfSegmentsOverlap() {
        byte[] img = TestImages.elf32(LOAD + 0x240,
                new Seg(LOAD, LOAD, 0, 0x2000, 0x2000), new Seg(LOAD + 0x1000, LOAD + 0x1000, 0x2000, 0x100, 0x100));
        refuse(img, "segments overlap");
    }

    @Test
    void elfFileszAboveMemsz() {
        byte[] img = TestImages.elf32(LOAD + 0x240, new Seg(LOAD, LOAD, 0, 0x2000, 0x1000));
        refuse(img, "p_filesz 0x2000 above p_memsz 0x1000");
    }

    @Test
    void elf64EntryAbove4GiB() {
        byte[] img = TestImages.elf64(0x1_0010_0240L, new Seg(0x1_0010_0000L, LOAD, 0, 0x1000, 0x1000));
        TestImages.le(img).putLong(24, 0x1_0020_0000L); // not inside any segment's virtual range either
        refuse(img, "entry point 0x100200000 is above 4 GiB");
    }

    @Test
    void elf64SegmentAbove4GiB() {
        byte[] img = TestImages.elf64(LOAD + 0x240, new Seg(0x1_0000_0000L, 0x1_0000_0000L, 0, 0x1000, 0x1000));
        refuse(img, "does not fit below 4 GiB");
    }

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() {
        Random rnd = new Random(42);
        PhysicalMemory m = new PhysicalMemory(16 * MiB);
        byte[][] seeds = {TestImages.aout(0x800, 0x100), TestImages.typicalElf32(), TestImages.higherHalfElf64()};
        for (int round = 0; round < 3000; round++) {
            byte[] img = seeds[round % 3].clone();
            for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                int at = rnd.nextInt(Math.min(img.length, 0x240));
                img[at] = (byte) rnd.nextInt(256);
            }
            try {
                MultibootLoader.load(m, "fuzz.img", img, null, List.of());
            } catch (ImageException e) {
                assertTrue(e.getMessage().startsWith("fuzz.img: "));
            }
        }
    }
}
