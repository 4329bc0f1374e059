package dev.vmm.mmu;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Guest RAM behaves as a PC's: lazily backed, little endian, all-ones where nothing answers. */
class PhysicalMemoryTest {
    private static final long MiB = 1 << 20;

    @Test
    void sixtyFourGibibytesCostOnlyWhatIsTouched() {
        PhysicalMemory m = new PhysicalMemory(64 * PhysicalMemory.GiB);
        assertEquals(0, m.allocatedBytes());
        assertEquals(0, m.read64(40 * PhysicalMemory.GiB), "never-written RAM reads as zero");
        assertEquals(0, m.allocatedBytes(), "reading does not allocate");
        m.write64(60 * PhysicalMemory.GiB, 0x1122334455667788L);
        m.write8(5, 1);
        assertEquals(2 * MiB, m.allocatedBytes());
        assertEquals(0x1122334455667788L, m.read64(60 * PhysicalMemory.GiB));
    }

    @Test
    void sizeMustBeAPositiveMultipleOfOneMebibyte() {
        assertThrows(IllegalArgumentException.class, () -> new PhysicalMemory(0));
        assertThrows(IllegalArgumentException.class, () -> new PhysicalMemory(MiB + 4096));
        assertThrows(IllegalArgumentException.class, () -> new PhysicalMemory(-MiB));
    }

    @Test
    void accessesAreLittleEndianAtEveryWidthAndAlignment() {
        PhysicalMemory m = new PhysicalMemory(16 * MiB);
        for (int off = 0; off < 8; off++) {
            long pa = 0x1000 + off * 16L;
            m.write64(pa, 0x0807060504030201L);
            // Compare with the JDK's own little-endian decoding of the same bytes.
            byte[] raw = new byte[8];
            m.readBytes(pa, raw, 0, 8);
            ByteBuffer le = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(le.getLong(0), m.read64(pa));
            assertEquals(1, raw[0]);
            assertEquals(le.getInt(0) & 0xFFFF_FFFFL, m.read32(pa) & 0xFFFF_FFFFL);
            assertEquals(le.getShort(2) & 0xFFFF, m.read16(pa + 2));
            assertEquals(0x0504, m.read(pa + 3, 2));
            m.write(pa + 1, 2, 0xBBAA);
            assertEquals(0x08070605_04BBAA01L, m.read64(pa));
            m.write(pa + 4, 4, 0xDDCCBBAAL);
            assertEquals(0xDDCCBBAA_04BBAA01L, m.read64(pa));
        }
    }

    @Test
    void anAccessAcrossAChunkBoundaryIsOneAccess() {
        PhysicalMemory m = new PhysicalMemory(16 * MiB);
        long pa = 2 * MiB - 3;
        m.write64(pa, 0xCAFEBABE_DEADBEEFL);
        assertEquals(0xCAFEBABE_DEADBEEFL, m.read64(pa));
        assertEquals(0xEF, m.read8(pa));
        assertEquals(0xCA, m.read8(pa + 7));
    }

    @Test
    void unbackedAddressesReadAllOnesAndDropWrites() {
        PhysicalMemory m = new PhysicalMemory(16 * MiB);
        long hole = 0xE000_0000L;
        assertFalse(m.isRam(hole));
        assertEquals(0xFF, m.read8(hole));
        assertEquals(0xFFFF, m.read16(hole));
        assertEquals(-1L, m.read64(hole));
        m.write64(hole, 0);
        assertEquals(-1L, m.read64(hole), "the write went nowhere");
        assertEquals(0xFF, m.read8(16 * MiB), "just past the end of RAM");
        assertEquals(0, m.allocatedBytes());
    }

    @Test
    void ramAboveThreeGibibytesMovesToFourGibibytes() {
        PhysicalMemory m = new PhysicalMemory(4 * PhysicalMemory.GiB);
        assertTrue(m.isRam(PhysicalMemory.LOW_RAM_LIMIT - 1));
        assertFalse(m.isRam(PhysicalMemory.LOW_RAM_LIMIT));
        assertTrue(m.isRam(PhysicalMemory.HIGH_RAM_BASE));
        assertTrue(m.isRam(PhysicalMemory.HIGH_RAM_BASE + PhysicalMemory.GiB - 1));
        assertFalse(m.isRam(PhysicalMemory.HIGH_RAM_BASE + PhysicalMemory.GiB));
        List<long[]> r = m.ramRanges();
        assertEquals(2, r.size());
        assertArrayEquals(new long[] {0, PhysicalMemory.LOW_RAM_LIMIT}, r.get(0));
        assertArrayEquals(new long[] {PhysicalMemory.HIGH_RAM_BASE, PhysicalMemory.HIGH_RAM_BASE + PhysicalMemory.GiB}, r.get(1));
    }

    @Test
    void mmioRangesGetTheirAccessesAtRegionOffsets() {
        PhysicalMemory m = new PhysicalMemory(16 * MiB);
        List<String> log = new ArrayList<>();
        m.addMmio(0xFEE0_0000L, 0x1000, new MmioHandler() {
            @Override public long read(long offset, int size) { log.add("r" + Long.toHexString(offset) + "/" + size); return 0x42; }
            @Override public void write(long offset, int size, long value) { log.add("w" + Long.toHexString(offset) + "/" + size + "=" + Long.toHexString(value)); }
        });
        assertEquals(0x42, m.read32(0xFEE0_0020L));
        m.write32(0xFEE0_00B0L, 0);
        assertEquals(List.of("r20/4", "wb0/4=0"), log);
        assertThrows(IllegalArgumentException.class, () -> m.addMmio(0x1000, 0x1000, null), "over RAM");
        assertThrows(IllegalArgumentException.class, () -> m.addMmio(0xFEE0_0800L, 0x1000, null), "overlapping");
    }

    @Test
    void cmpxchgSwapsOnlyWhenTheOldValueMatches() {
        PhysicalMemory m = new PhysicalMemory(16 * MiB);
        m.write64(0x2000, 0x1111_2222_3333_4444L);
        assertEquals(0x3333_4444L, m.cmpxchg(0x2000, 4, 0x3333_4444L, 0xAAAA_BBBBL), "returns the old value");
        assertEquals(0x1111_2222_AAAA_BBBBL, m.read64(0x2000), "only the low dword changed");
        assertEquals(0x2222, m.cmpxchg(0x2004, 2, 0x9999, 0x7777), "mismatch returns what is there");
        assertEquals(0x1111_2222_AAAA_BBBBL, m.read64(0x2000), "and writes nothing");
        // A compare-and-set that straddles two quadwords (a split lock) still works.
        m.write64(0x3000, 0);
        m.write64(0x3008, 0);
        assertEquals(0, m.cmpxchg(0x3006, 4, 0, 0x8877_6655L));
        assertEquals(0x6655_0000_0000_0000L, m.read64(0x3000));
        assertEquals(0x8877L, m.read64(0x3008));
    }

    @Test
    void cmpxchgIsAtomicAcrossThreads() throws InterruptedException {
        PhysicalMemory m = new PhysicalMemory(16 * MiB);
        int threads = 4, each = 20_000;
        Thread[] t = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            t[i] = new Thread(() -> {
                for (int k = 0; k < each; k++) {
                    long old;
                    do { old = m.read32(0x4004) & 0xFFFF_FFFFL; } while (m.cmpxchg(0x4004, 4, old, old + 1) != old);
                }
            });
            t[i].start();
        }
        for (Thread x : t) x.join();
        assertEquals(threads * each, m.read32(0x4004));
    }

    @Test
    void aWriteToACodePageIsReportedOnceUntilMarkedAgain() {
        PhysicalMemory m = new PhysicalMemory(16 * MiB);
        List<Long> pfns = new ArrayList<>();
        m.setCodeWriteListener(pfns::add);
        m.markCode(0x100);
        m.write8(0x100_000 - 1, 1);          // the page before: not code
        assertTrue(pfns.isEmpty());
        m.write16(0x100_FFF, 0xFFFF);        // straddles 0x100 and 0x101
        assertEquals(List.of(0x100L), pfns);
        m.write8(0x100_010, 2);
        assertEquals(1, pfns.size(), "reported once: the cache dropped the page");
        m.markCode(0x100);
        m.writeBytes(0x100_800, new byte[] {1, 2, 3});
        assertEquals(List.of(0x100L, 0x100L), pfns);
    }

    @Test
    void bulkCopiesAndZeroing() {
        PhysicalMemory m = new PhysicalMemory(16 * MiB);
        byte[] src = new byte[3 * 4096 + 5];
        for (int i = 0; i < src.length; i++) src[i] = (byte) (i * 31);
        m.writeBytes(MiB - 4096, src);
        byte[] back = new byte[src.length];
        m.readBytes(MiB - 4096, back, 0, back.length);
        assertArrayEquals(src, back);
        m.zero(MiB - 10, 20);
        assertEquals(0, m.read64(MiB - 8));
        assertEquals(src[4096 - 11] & 0xFF, m.read8(MiB - 11));
    }
}
