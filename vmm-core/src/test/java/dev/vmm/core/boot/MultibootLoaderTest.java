package dev.vmm.core.boot;

import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static dev.vmm.core.boot.TestImages.LOAD;
import static dev.vmm.core.boot.TestImages.Seg;
import static org.junit.jupiter.api.Assertions.*;

/** Images that load: bytes where they belong, bss zeroed, and the information structure a kernel reads. */
class MultibootLoaderTest {
    private static final long MiB = 1 << 20;
    private final PhysicalMemory mem = new PhysicalMemory(16 * MiB);

    private byte[] read(long pa, int n) {
        byte[] b = new byte[n];
        mem.readBytes(pa, b, 0, n);
        return b;
    }

    private String cString(long pa) {
        StringBuilder s = new StringBuilder();
        for (int c; (c = mem.read8(pa)) != 0; pa++) s.append((char) c);
        return s.toString();
    }

    private void fill(long pa, int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        mem.writeBytes(pa, b);
    }

    @Test
    void aoutKludgeLoadsTheFileAtLoadAddrAndZeroesBss() throws ImageException {
        byte[] img = TestImages.aout(0x1800, 0x2000);
        fill(LOAD + 0x1800, 0x2000, 0xAA); // stale bytes where the bss goes
        BootImage boot = MultibootLoader.load(mem, "k.bin", img, null, List.of());
        assertArrayEquals(img, read(LOAD, img.length));
        assertArrayEquals(new byte[0x2000], read(LOAD + 0x1800, 0x2000));
        assertEquals(LOAD + 0x40, boot.entry());
        assertEquals(LOAD, boot.kernelStart());
        assertEquals(LOAD + 0x3800, boot.kernelEnd());
        assertEquals(LOAD + 0x4000, boot.infoAddr(), "first page above the kernel");
    }

    @Test
    void aoutKludgeLoadEndZeroMeansTheWholeFileAndBssEndZeroNoBss() throws ImageException {
        byte[] img = TestImages.aout(0x1234, 0);
        TestImages.le(img).putInt(20, 0);
        fill(LOAD + 0x1234, 16, 0xAA);
        BootImage boot = MultibootLoader.load(mem, "k.bin", img, null, List.of());
        assertArrayEquals(img, read(LOAD, img.length));
        assertEquals(LOAD + 0x1234, boot.kernelEnd());
        assertEquals((byte) 0xAA, read(LOAD + 0x1234, 1)[0], "no bss: bytes after the image untouched");
    }

    @Test
    void aoutKludgeHeaderNeedNotBeAtTheStartOfTheLoadedPart() throws ImageException {
        // header at file offset 0x100, header_addr = load_addr + 0x100
        byte[] img = TestImages.pattern(0x1000, 5);
        var b = TestImages.le(img);
        TestImages.header(b, 0x100, 0x10000);
        b.putInt(0x10C, (int) (2 * MiB + 0x100)).putInt(0x110, (int) (2 * MiB))
                .putInt(0x114, (int) (2 * MiB + 0x1000)).putInt(0x118, 0).putInt(0x11C, (int) (2 * MiB));
        BootImage boot = MultibootLoader.load(mem, "k.bin", img, null, List.of());
        assertArrayEquals(img, read(2 * MiB, img.length));
        assertEquals(2 * MiB, boot.entry());
    }

    @Test
    void elf32SegmentsGoToTheirPhysicalAddressesWithBssZeroed() throws ImageException {
        byte[] img = TestImages.typicalElf32();
        fill(LOAD + 0x3000, 0x5000, 0xAA);
        BootImage boot = MultibootLoader.load(mem, "k.elf", img, null, List.of());
        assertArrayEquals(Arrays.copyOfRange(img, 0, 0x2000), read(LOAD, 0x2000));
        assertArrayEquals(Arrays.copyOfRange(img, 0x2000, 0x2800), read(LOAD + 0x3000, 0x800));
        assertArrayEquals(new byte[0x4800], read(LOAD + 0x3800, 0x4800));
        assertEquals(LOAD + 0x240, boot.entry());
        assertEquals(LOAD, boot.kernelStart());
        assertEquals(LOAD + 0x8000, boot.kernelEnd());
        assertEquals(LOAD + 0x8000, boot.infoAddr());
    }

    @Test
    void elf64HigherHalfKernelLoadsByPaddrAndItsEntryIsTranslated() throws ImageException {
        byte[] img = TestImages.higherHalfElf64();
        BootImage boot = MultibootLoader.load(mem, "k64.elf", img, null, List.of());
        assertArrayEquals(Arrays.copyOfRange(img, 0, 0x2000), read(0x200000, 0x2000));
        assertArrayEquals(Arrays.copyOfRange(img, 0x2000, 0x3000), read(0x203000, 0x1000));
        assertArrayEquals(new byte[0x2000], read(0x204000, 0x2000));
        assertEquals(0x200240, boot.entry());
        assertEquals(0x206000, boot.kernelEnd());
    }

    @Test
    void elf64IdentityLinkedLoads() throws ImageException {
        byte[] img = TestImages.elf64(LOAD + 0x300, new Seg(LOAD, LOAD, 0, 0x1000, 0x4000));
        BootImage boot = MultibootLoader.load(mem, "k64.elf", img, null, List.of());
        assertEquals(LOAD + 0x300, boot.entry());
        assertArrayEquals(Arrays.copyOf(img, 0x1000), read(LOAD, 0x1000));
    }

    @Test
    void infoStructureCarriesMemoryCmdlineMapAndLoaderName() throws ImageException {
        BootImage boot = MultibootLoader.load(mem, "k.bin", TestImages.aout(0x1000, 0), "console=ttyS0 quiet", List.of());
        long mbi = boot.infoAddr();
        assertEquals(0, mbi & 0xFFF, "page aligned");
        int flags = mem.read32(mbi);
        assertEquals(1 | 4 | 8 | 64 | 512, flags, "mem, cmdline, mods, mmap, loader name; no boot_device");
        assertEquals(639, mem.read32(mbi + 4), "mem_lower KiB");
        assertEquals(15 * 1024, mem.read32(mbi + 8), "mem_upper KiB: 1 MiB .. 16 MiB");
        assertEquals(0, mem.read32(mbi + 12), "boot_device");
        assertEquals("console=ttyS0 quiet", cString(mem.read32(mbi + 16) & 0xFFFFFFFFL));
        assertEquals(0, mem.read32(mbi + 20), "mods_count");
        assertEquals("vmm", cString(mem.read32(mbi + 64) & 0xFFFFFFFFL));

        long mmap = mem.read32(mbi + 48) & 0xFFFFFFFFL;
        int len = mem.read32(mbi + 44);
        List<MemoryMap.Entry> expected = MemoryMap.of(mem);
        assertEquals(expected.size() * 24, len);
        long at = mmap;
        for (MemoryMap.Entry e : expected) {
            assertEquals(20, mem.read32(at));
            assertEquals(e.base(), mem.read64(at + 4));
            assertEquals(e.length(), mem.read64(at + 12));
            assertEquals(e.type(), mem.read32(at + 20));
            at += 4 + mem.read32(at);
        }
        assertTrue(mmap > mbi && at <= boot.loadEnd());
    }

    @Test
    void noCmdlineLeavesFlagBit2Clear() throws ImageException {
        BootImage boot = MultibootLoader.load(mem, "k.bin", TestImages.aout(0x1000, 0), "", List.of());
        assertEquals(0, mem.read32(boot.infoAddr()) & 4);
        assertEquals(0, mem.read32(boot.infoAddr() + 16));
    }

    @Test
    void modulesArePageAlignedAboveTheKernelWithTheirStrings() throws ImageException {
        byte[] a = TestImages.pattern(5000, 11), b = TestImages.pattern(3, 12);
        BootImage boot = MultibootLoader.load(mem, "k.bin", TestImages.aout(0x1000, 0x800), "x",
                List.of(new BootModule("initrd.img root=/dev/ram", a), new BootModule("b", b)));
        long mbi = boot.infoAddr();
        assertEquals(2, mem.read32(mbi + 20));
        long list = mem.read32(mbi + 24) & 0xFFFFFFFFL;
        byte[][] expect = {a, b};
        String[] names = {"initrd.img root=/dev/ram", "b"};
        long prevEnd = boot.kernelEnd();
        for (int i = 0; i < 2; i++) {
            long start = mem.read32(list + 16L * i) & 0xFFFFFFFFL;
            long end = mem.read32(list + 16L * i + 4) & 0xFFFFFFFFL;
            assertEquals(0, start & 0xFFF, "page aligned");
            assertTrue(start >= prevEnd && start > mbi, "above the kernel, the info and the previous module");
            assertEquals(expect[i].length, end - start);
            assertArrayEquals(expect[i], read(start, expect[i].length));
            assertEquals(names[i], cString(mem.read32(list + 16L * i + 8) & 0xFFFFFFFFL));
            assertEquals(0, mem.read32(list + 16L * i + 12));
            prevEnd = end;
        }
        assertEquals(prevEnd, boot.loadEnd());
    }

    @Test
    void modulePlacementNeverOverlapsStringsOrInfo() throws ImageException {
        List<BootModule> mods = List.of(new BootModule("m".repeat(5000), new byte[1]), new BootModule("n", new byte[0]));
        BootImage boot = MultibootLoader.load(mem, "k.bin", TestImages.aout(0x1000, 0), "c".repeat(9000), mods);
        long mbi = boot.infoAddr();
        long list = mem.read32(mbi + 24) & 0xFFFFFFFFL;
        long cmdline = mem.read32(mbi + 16) & 0xFFFFFFFFL;
        long str0 = mem.read32(list + 8) & 0xFFFFFFFFL;
        long mod0 = mem.read32(list) & 0xFFFFFFFFL;
        long mod1 = mem.read32(list + 16) & 0xFFFFFFFFL;
        assertTrue(cmdline + 9001 <= list, "command line before the module list");
        assertTrue(str0 + 5001 <= mod0, "module string before the module");
        assertTrue(mod0 + 1 <= mod1);
        assertEquals("c".repeat(9000), cString(cmdline));
    }

    @Test
    void loadsNearTheTopOfLowRam() throws ImageException {
        byte[] img = TestImages.aout(15 * MiB, 0x1000, 0);
        BootImage boot = MultibootLoader.load(mem, "k.bin", img, null, List.of());
        assertTrue(boot.loadEnd() <= 16 * MiB);
    }

    @Test
    void loadsIntoLargeMemoryWithRamAbove4GiB() throws ImageException {
        PhysicalMemory big = new PhysicalMemory(4L << 30);
        BootImage boot = MultibootLoader.load(big, "k.bin", TestImages.aout(0x1000, 0), null, List.of());
        long mbi = boot.infoAddr();
        assertEquals((3L << 30) - MiB, (big.read32(mbi + 8) & 0xFFFFFFFFL) << 10, "mem_upper stops at the hole");
        long mmap = big.read32(mbi + 48) & 0xFFFFFFFFL;
        int n = big.read32(mbi + 44) / 24;
        long last = mmap + 24L * (n - 1);
        assertEquals(4L << 30, big.read64(last + 4));
        assertEquals(1L << 30, big.read64(last + 12));
        assertEquals(1, big.read32(last + 20));
    }

    @Test
    void headerWithVideoFlagAndOptionalFlagsIsAccepted() throws ImageException {
        byte[] img = TestImages.aout(0x1000, 0);
        var b = TestImages.le(img);
        TestImages.header(b, 0, 0x00010007 | 0x00400000); // bit 2 video, bit 22 unknown but optional
        MultibootLoader.load(mem, "k.bin", img, null, List.of());
        assertEquals(0x1BADB002, mem.read32(LOAD));
    }

    @Test
    void moduleNameIsUtf8() throws ImageException {
        BootImage boot = MultibootLoader.load(mem, "k.bin", TestImages.aout(0x1000, 0), null,
                List.of(new BootModule("m\u00e9", new byte[] {1})));
        long list = mem.read32(boot.infoAddr() + 24) & 0xFFFFFFFFL;
        assertArrayEquals("m\u00e9\0".getBytes(StandardCharsets.UTF_8), read(mem.read32(list + 8) & 0xFFFFFFFFL, 4));
    }
}
