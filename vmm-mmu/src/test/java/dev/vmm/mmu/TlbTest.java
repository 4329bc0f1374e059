package dev.vmm.mmu;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLB semantics (SDM vol. 3, 4.10): fills, PCIDs, global entries, each invalidation, geometry, the fast lookup. */
class TlbTest {
    static final int LONG = PagingMode.LMA | PagingMode.PAE | PagingMode.NXE | PagingMode.WP | PagingMode.PGE;
    final PhysicalMemory mem = new PhysicalMemory(32L << 20);
    final PageWalker w = new PageWalker(mem);
    final WalkResult r = new WalkResult();
    final TablesBuilder t = new TablesBuilder(mem, 4);

    /** Walks and fills like the CPU's slow path. */
    int fill(Tlb tlb, long lin, boolean fetch) {
        assertTrue(w.walk(t.root, LONG, lin, fetch ? Access.EXEC : Access.READ, false, true, r, tlb.pagingStructureCache(), tlb.pcid()));
        return tlb.fill(lin, fetch, r);
    }

    @Test
    void filledEntryHitsWithFrameAndRightsAndFastSlotMirrorsIt() {
        Tlb tlb = new Tlb();
        t.map4k(0x1000, 0x20_0000L, Pte.P | Pte.US);
        int id = fill(tlb, 0x1000, false);
        assertEquals(id, tlb.lookup(0x1abc, false));
        assertEquals(0x20_0000L, tlb.frame(id, 0x1abc));
        assertEquals(Tlb.NOWRITE | Tlb.NX * 0 | Tlb.USER | Tlb.CLEAN, tlb.perm(id));
        int f = (int) (0x1000L >>> 12) & Tlb.FAST_MASK;
        assertEquals(1, tlb.fastTag(f));
        assertEquals(0x20_0000L, tlb.fastFrame(f));
        int fetchId = tlb.lookup(0x1000, true);
        assertEquals("L1 ITLB 4K", tlb.arrayOf(fetchId).name(), "a fetch misses the L1 DTLB's entry, hits the unified STLB, fills the ITLB");
        assertEquals(1, tlb.hits(5));
        tlb.checkInvariants();
    }

    @Test
    void pageTableChangesAreNotSeenUntilInvalidated() {
        Tlb tlb = new Tlb();
        long pte = t.map4k(0x3000, 0x20_0000L, Pte.P | Pte.RW);
        int id = fill(tlb, 0x3000, false);
        mem.write64(pte, 0x30_0000L | Pte.P | Pte.RW);
        assertEquals(0x20_0000L, tlb.frame(tlb.lookup(0x3000, false), 0x3000), "stale until INVLPG");
        tlb.invlpg(0x3000);
        assertEquals(-1, tlb.lookup(0x3000, false));
        assertEquals(-1, tlb.fastTag(3));
        assertNotEquals(-2, id);
        tlb.checkInvariants();
    }

    @Test
    void movCr3KeepsGlobalEntriesAndPgeToggleDropsThem() {
        Tlb tlb = new Tlb();
        t.map4k(0x4000, 0x20_0000L, Pte.P | Pte.G);
        t.map4k(0x5000, 0x21_0000L, Pte.P);
        fill(tlb, 0x4000, false);
        fill(tlb, 0x5000, false);
        tlb.flushPcid(0, TlbStats.FlushCause.MOV_CR3);
        assertTrue(tlb.lookup(0x4000, false) >= 0, "global survives MOV CR3");
        assertEquals(-1, tlb.lookup(0x5000, false));
        tlb.flushAll(false, TlbStats.FlushCause.INVPCID_ALL);
        assertTrue(tlb.lookup(0x4000, false) >= 0, "INVPCID type 3 keeps global");
        tlb.invalidateAddress(0x4000, 0);
        assertTrue(tlb.lookup(0x4000, false) >= 0, "INVPCID type 0 keeps global");
        tlb.invlpg(0x4000);
        assertEquals(-1, tlb.lookup(0x4000, false), "INVLPG drops a global entry");
        fill(tlb, 0x4000, false);
        tlb.flushAll(true, TlbStats.FlushCause.CR4);
        assertEquals(-1, tlb.lookup(0x4000, false));
        assertEquals(1, tlb.stats().flushes(TlbStats.FlushCause.MOV_CR3));
        tlb.checkInvariants();
    }

    @Test
    void pcidsSeparateAddressSpaces() {
        Tlb tlb = new Tlb();
        t.map4k(0x6000, 0x20_0000L, Pte.P);
        tlb.setPcid(1);
        fill(tlb, 0x6000, false);
        tlb.setPcid(2);
        assertEquals(-1, tlb.lookup(0x6000, false), "PCID 1's entry is not PCID 2's");
        tlb.flushPcid(2, TlbStats.FlushCause.MOV_CR3);
        tlb.setPcid(1);
        assertTrue(tlb.lookup(0x6000, false) >= 0, "flushing PCID 2 kept PCID 1");
        tlb.setPcid(2);
        tlb.flushPcid(1, TlbStats.FlushCause.INVPCID_CONTEXT);
        tlb.setPcid(1);
        assertEquals(-1, tlb.lookup(0x6000, false));
        tlb.checkInvariants();
    }

    @Test
    void lruEvictsTheLeastRecentlyUsedWayAndSecondLevelRefills() {
        Tlb tlb = new Tlb(TlbConfig.parse("l1d4k=4x4"));   // one set of 4 ways
        for (int i = 0; i < 5; i++) t.map4k(0x10_0000L + i * 0x1000L, 0x40_0000L + i * 0x1000L, Pte.P);
        for (int i = 0; i < 4; i++) fill(tlb, 0x10_0000L + i * 0x1000L, false);
        tlb.lookup(0x10_0000L, false); // page 0 becomes most recent: page 1 is the LRU way
        fill(tlb, 0x10_4000L, false);
        TlbArray l1 = tlb.arrays().get(2);
        assertEquals("L1 DTLB 4K", l1.name());
        assertEquals(1, tlb.stats().evictions[2]);
        boolean page1InL1 = false;
        for (int k = 0; k < l1.entries(); k++) if (l1.valid(k) && l1.linear(k) == 0x10_1000L) page1InL1 = true;
        assertTrue(!page1InL1, "page 1 was evicted from L1");
        long stlbHits = tlb.hits(5);
        assertTrue(tlb.lookup(0x10_1000L, false) >= 0, "... but the STLB still has it");
        assertEquals(stlbHits + 1, tlb.hits(5));
        tlb.checkInvariants();
    }

    @Test
    void oneGigabytePageIsFracturedIntoTheItlb() {
        Tlb tlb = new Tlb();
        t.map1g(0x40_0000_0000L, 0x4000_0000L, Pte.P);
        int id = fill(tlb, 0x40_0030_1000L, true);
        TlbArray a = tlb.arrayOf(id);
        assertEquals("L1 ITLB 2M/4M", a.name());
        assertEquals(21, a.pageShift(tlb.slotOf(id)));
        assertEquals(0x4000_0000L + 0x20_0000L, a.physical(tlb.slotOf(id)));
        assertEquals(0x4030_1000L, tlb.frame(id, 0x40_0030_1000L));
        int d = fill(tlb, 0x40_0030_1000L, false);
        assertEquals("L1 DTLB 1G", tlb.arrayOf(d).name());
    }

    @Test
    void pagingStructureCacheSkipsUpperLevelsUntilInvalidated() {
        Tlb tlb = new Tlb();
        t.map4k(0x20_0000L, 0x50_0000L, Pte.P);
        t.map4k(0x20_1000L, 0x51_0000L, Pte.P);
        fill(tlb, 0x20_0000L, false);
        assertTrue(w.walk(t.root, LONG, 0x20_1000L, Access.READ, false, true, r, tlb.pagingStructureCache(), 0));
        assertEquals(2, r.pscLevel, "the PDE cache gave the page table");
        assertEquals(1, r.levels);
        // point the PDE elsewhere without invalidating: the cached PDE is still used (SDM 4.10.3)
        long pdeAddr = t.entryAddr(0x20_1000L, 2);
        long oldPde = mem.read64(pdeAddr);
        long otherPt = t.alloc();
        mem.write64(otherPt + 8, 0x60_0000L | Pte.P);
        mem.write64(pdeAddr, otherPt | TablesBuilder.UPPER);
        assertTrue(w.walk(t.root, LONG, 0x20_1000L, Access.READ, false, true, r, tlb.pagingStructureCache(), 0));
        assertEquals(0x51_0000L, r.frame);
        tlb.invlpg(0x9999_0000L); // INVLPG of any address drops the PCID's paging-structure-cache entries
        assertTrue(w.walk(t.root, LONG, 0x20_1000L, Access.READ, false, true, r, tlb.pagingStructureCache(), 0));
        assertEquals(0x60_0000L, r.frame);
        assertEquals(0, r.pscLevel);
        assertNotEquals(oldPde, mem.read64(pdeAddr));
    }

    @Test
    void fastLookupStaysASubsetOfTheFirstLevelUnderRandomTraffic() {
        Tlb tlb = new Tlb(TlbConfig.parse("l1d4k=16x4,l1dlarge=4x2,stlb=64x4"));
        Random rnd = new Random(42);
        Map<Long, Long> mapped = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            long lin = (long) rnd.nextInt(1 << 12) << 12;
            if (rnd.nextInt(4) == 0) t.map2m(0x4000_0000L + ((long) rnd.nextInt(64) << 21), (long) rnd.nextInt(8) << 21, Pte.P | (rnd.nextBoolean() ? Pte.G : 0));
            else { long pa = (long) rnd.nextInt(2048) << 12; t.map4k(lin, pa, Pte.P | Pte.RW | (rnd.nextBoolean() ? Pte.G : 0)); mapped.put(lin, pa); }
        }
        Long[] pages = mapped.keySet().toArray(new Long[0]);
        for (int step = 0; step < 20_000; step++) {
            long lin = pages[rnd.nextInt(pages.length)];
            switch (rnd.nextInt(20)) {
                case 0 -> tlb.invlpg(lin);
                case 1 -> tlb.setPcid(rnd.nextInt(3));
                case 2 -> tlb.flushPcid(rnd.nextInt(3), TlbStats.FlushCause.MOV_CR3);
                case 3 -> tlb.flushAll(rnd.nextBoolean(), TlbStats.FlushCause.INVPCID_ALL);
                case 4 -> tlb.invalidateAddress(lin, rnd.nextInt(3));
                default -> {
                    int id = tlb.lookup(lin, false);
                    if (id < 0) id = fill(tlb, lin, false);
                    assertEquals(mapped.get(lin), tlb.frame(id, lin));
                }
            }
            if (step % 97 == 0) tlb.checkInvariants();
        }
        tlb.checkInvariants();
    }

    @Test
    void geometrySpecIsParsedAndBadItemsAreNamed() {
        TlbConfig c = TlbConfig.parse("stlb=2048x16,repl=fifo,psc=2/4/16");
        assertEquals(128, c.arrays().get(5).sets());
        assertEquals(TlbArray.Replacement.FIFO, c.arrays().get(0).policy());
        assertEquals(16, c.pdeCache());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TlbConfig.parse("l9=4")).getMessage().contains("l9=4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TlbConfig.parse("l1d4k=48x4")).getMessage().contains("power of two"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TlbConfig.parse("repl=mru")).getMessage().contains("repl=mru"));
    }
}
