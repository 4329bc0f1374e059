package dev.vmm.mmu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Page sizes, paging modes, reserved bits and accessed/dirty updates of the walker (SDM vol. 3, 4.3-4.8). */
class PageWalkerTest {
    static final int LONG = PagingMode.LMA | PagingMode.PAE | PagingMode.NXE | PagingMode.WP;
    final PhysicalMemory mem = new PhysicalMemory(32L << 20);
    final PageWalker w = new PageWalker(mem);
    final WalkResult r = new WalkResult();

    @Test
    void fourKilobytePageSetsAccessedEverywhereAndDirtyOnlyOnWrite() {
        TablesBuilder t = new TablesBuilder(mem, 4);
        long pte = t.map4k(0x7000_1000L, 0x50_0000L, Pte.P | Pte.RW);
        assertTrue(w.walk(t.root, LONG, 0x7000_1234L, Access.READ, false, true, r));
        assertEquals(0x50_0000L, r.frame);
        assertEquals(12, r.pageShift);
        assertEquals(4, r.levels);
        for (int i = 0; i < 4; i++) assertTrue((mem.read64(r.pathAddr[i]) & Pte.A) != 0, "A at level " + (4 - i));
        assertEquals(0, mem.read64(pte) & Pte.D, "a read does not set D");
        assertEquals(4, r.adUpdates);
        assertTrue(w.walk(t.root, LONG, 0x7000_1234L, Access.WRITE, false, true, r));
        assertEquals(Pte.D, mem.read64(pte) & Pte.D);
        assertEquals(1, r.adUpdates, "only D was missing");
    }

    @Test
    void walksWithoutSideEffectsAndFaultingWalksChangeNothing() {
        TablesBuilder t = new TablesBuilder(mem, 4);
        long pte = t.map4k(0x1000, 0x50_0000L, Pte.P);
        long before = mem.read64(pte);
        assertTrue(w.walk(t.root, LONG, 0x1000, Access.READ, false, false, r));
        assertEquals(before, mem.read64(pte));
        assertFalse(w.walk(t.root, LONG, 0x1000, Access.WRITE, false, true, r), "read-only with WP");
        assertEquals(PageFaultCode.P | PageFaultCode.W, r.errorCode);
        assertEquals(before, mem.read64(pte), "a faulting walk sets neither A nor D");
    }

    @Test
    void notPresentAtEachLevelGivesErrorCodeWithoutP() {
        TablesBuilder t = new TablesBuilder(mem, 4);
        assertFalse(w.walk(t.root, LONG, 0x1234_5000L, Access.EXEC, true, true, r));
        assertEquals(PageFaultCode.U | PageFaultCode.ID, r.errorCode);
        assertEquals(1, r.levels, "stopped at the PML4E");
        t.map4k(0x2000, 0x3000, Pte.P);
        mem.write64(t.entryAddr(0x2000, 1), 0);
        assertFalse(w.walk(t.root, LONG, 0x2000, Access.WRITE, false, true, r));
        assertEquals(PageFaultCode.W, r.errorCode);
        assertEquals(4, r.levels);
    }

    @Test
    void largePagesTranslateAndCheckTheirReservedLowBits() {
        TablesBuilder t = new TablesBuilder(mem, 4);
        t.map2m(0x4020_0000L, 0x80_0000L, Pte.P | Pte.RW);
        assertTrue(w.walk(t.root, LONG, 0x4020_0000L + 0x1_2345L, Access.READ, false, true, r));
        assertEquals(0x81_2000L, r.frame);
        assertEquals(21, r.pageShift);
        t.map1g(0x80_0000_0000L, 0x4000_0000L, Pte.P | Pte.RW);
        assertTrue(w.walk(t.root, LONG, 0x80_0000_0000L + 0x1234_5678L, Access.READ, false, true, r));
        assertEquals(0x4000_0000L + 0x1234_5000L, r.frame);
        assertEquals(30, r.pageShift);
        // bit 13 of a 2 MiB or 1 GiB page address is reserved (SDM tables 4-17, 4-15)
        mem.write64(t.entryAddr(0x4020_0000L, 2), 0x80_0000L | 0x2000 | Pte.P | Pte.PS);
        assertFalse(w.walk(t.root, LONG, 0x4020_0000L, Access.READ, false, true, r));
        assertEquals(PageFaultCode.P | PageFaultCode.RSVD, r.errorCode);
        mem.write64(t.entryAddr(0x80_0000_0000L, 3), 0x4000_0000L | 0x2000 | Pte.P | Pte.PS);
        assertFalse(w.walk(t.root, LONG, 0x80_0000_0000L, Access.WRITE, true, true, r));
        assertEquals(PageFaultCode.P | PageFaultCode.RSVD | PageFaultCode.W | PageFaultCode.U, r.errorCode);
    }

    @Test
    void reservedBitsAboveMaxPhysAddrAndPsInPml4e() {
        TablesBuilder t = new TablesBuilder(mem, 4);
        long pte = t.map4k(0x5000, 0x6000, Pte.P);
        mem.write64(pte, (1L << PageWalker.MAXPHYADDR) | 0x6000 | Pte.P);
        assertFalse(w.walk(t.root, LONG, 0x5000, Access.READ, false, true, r));
        assertEquals(PageFaultCode.P | PageFaultCode.RSVD, r.errorCode);
        mem.write64(pte, ((1L << PageWalker.MAXPHYADDR) - 0x1000) | Pte.P);
        assertTrue(w.walk(t.root, LONG, 0x5000, Access.READ, false, true, r), "the top frame below MAXPHYADDR is fine");
        long pml4e = t.root;
        mem.write64(pml4e, mem.read64(pml4e) | Pte.PS);
        assertFalse(w.walk(t.root, LONG, 0x5000, Access.READ, false, true, r));
        assertEquals(PageFaultCode.P | PageFaultCode.RSVD, r.errorCode);
    }

    @Test
    void fiveLevelPagingUsesBits56To48() {
        TablesBuilder t = new TablesBuilder(mem, 5);
        long lin = 0x00AB_0000_0000_3000L; // PML5 index 0xAB >> 0 ... bits 56:48 = 0xAB
        t.map4k(lin, 0x70_0000L, Pte.P | Pte.RW);
        assertTrue(w.walk(t.root, LONG | PagingMode.LA57, lin, Access.READ, false, true, r));
        assertEquals(0x70_0000L, r.frame);
        assertEquals(5, r.levels);
        assertFalse(w.walk(t.root, LONG | PagingMode.LA57, lin & ((1L << 48) - 1), Access.READ, false, true, r),
            "with LA57 bits 56:48 select the PML5E");
    }

    @Test
    void paePagingWithPdpteReservedBits() {
        long pdpt = 0x10_0000, pd = 0x10_1000, pt = 0x10_2000;
        mem.write64(pdpt + 8, pd | Pte.P);                    // 1 GiB .. 2 GiB
        mem.write64(pd + 8 * 3, pt | Pte.P | Pte.RW | Pte.US);  // + 6 MiB
        mem.write64(pt + 8 * 5, 0x30_0000L | Pte.P | Pte.RW | Pte.US);
        mem.write64(pd + 8 * 4, 0x60_0000L | Pte.P | Pte.PS);   // + 8 MiB: a 2 MiB page
        int pae = PagingMode.PAE | PagingMode.NXE;
        assertTrue(w.walk(pdpt, pae, 0x4060_5000L, Access.WRITE, true, true, r));
        assertEquals(0x30_0000L, r.frame);
        assertEquals(0, mem.read64(pdpt + 8) & Pte.A, "PAE PDPTEs have no A bit");
        assertTrue((mem.read64(pt + 8 * 5) & Pte.D) != 0);
        assertTrue(w.walk(pdpt, pae, 0x4081_0000L, Access.READ, false, true, r));
        assertEquals(0x61_0000L, r.frame);
        assertEquals(21, r.pageShift);
        mem.write64(pdpt + 8, pd | Pte.P | Pte.RW); // bit 1 is reserved in a PAE PDPTE
        assertFalse(w.walk(pdpt, pae, 0x4060_5000L, Access.READ, false, true, r));
        assertEquals(PageFaultCode.P | PageFaultCode.RSVD, r.errorCode);
    }

    @Test
    void thirtyTwoBitPagingWithAndWithoutPse() {
        long pdt = 0x10_0000, pt = 0x10_1000;
        // PDE 1 maps 4 MiB .. 8 MiB: a 4 MiB page with PSE-36 bits 39:32 = 0x12 (PDE bits 20:13)
        mem.write32(pdt + 4, (int) (0x0080_0000L | (0x12L << 13) | Pte.P | Pte.RW | Pte.PS));
        assertTrue(w.walk(pdt, PagingMode.PSE, 0x0041_2345L, Access.READ, false, true, r));
        assertEquals(0x12_0081_2000L, r.frame);
        assertEquals(22, r.pageShift);
        // PDE 2: a page table, and PS is ignored when CR4.PSE=0
        mem.write32(pdt + 8, (int) (pt | Pte.P | Pte.RW));
        mem.write32(pt + 4 * 7, (int) (0x0020_0000L | Pte.P));
        assertTrue(w.walk(pdt, 0, 0x0080_7000L, Access.READ, false, true, r));
        assertEquals(0x20_0000L, r.frame);
        assertEquals(4, r.entrySize);
        mem.write32(pdt + 8, (int) (pt | Pte.P | Pte.RW | Pte.PS));
        assertTrue(w.walk(pdt, 0, 0x0080_7000L, Access.READ, false, true, r), "PS ignored without CR4.PSE");
        assertEquals(0x20_0000L, r.frame);
        // no XD in 32-bit paging: a fetch's error code has I/D only with SMEP
        mem.write32(pt + 4 * 7, 0);
        assertFalse(w.walk(pdt, PagingMode.NXE, 0x0080_7000L, Access.EXEC, false, true, r));
        assertEquals(0, r.errorCode);
        assertFalse(w.walk(pdt, PagingMode.SMEP, 0x0080_7000L, Access.EXEC, false, true, r));
        assertEquals(PageFaultCode.ID, r.errorCode);
    }
}
