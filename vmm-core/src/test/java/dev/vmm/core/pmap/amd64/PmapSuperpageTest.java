package dev.vmm.core.pmap.amd64;

import dev.vmm.core.vm.VmPage;
import dev.vmm.mmu.Access;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.vmm.core.pmap.amd64.PmapBits.*;
import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/** Promotion of a fully populated page table and demotion on a partial change (vm.pmap.pde.*). */
class PmapSuperpageTest {
    final PmapHarness h = new PmapHarness();
    static final long VA = 0x6000_0000L;

    private AmdPmap promoted(List<VmPage> run) {
        AmdPmap p = h.newPmap();
        h.module.activate(0, p);
        for (int i = 0; i < 512; i++) h.enter(p, VA + 4096L * i, run.get(i), VM_PROT_RW, VM_PROT_WRITE);
        return p;
    }

    @Test
    void aFullyPopulatedReservationIsPromoted() {
        List<VmPage> run = h.superpageRun();
        AmdPmap p = promoted(run);
        assertEquals(1, h.module.counters.pdePromotions);
        var r = h.walk(p, VA + 0x12_3000L, Access.WRITE);
        assertTrue(r.ok());
        assertEquals(21, r.pageShift);
        assertEquals(run.get(0x123).phys, r.frame);
        long pde = r.leafEntry;
        assertEquals(PG_PS | PG_PROMOTED | PG_MANAGED | PG_M | PG_A | PG_RW, pde & (PG_PS | PG_PROMOTED | PG_MANAGED | PG_M | PG_A | PG_RW));
        assertEquals(1 + 3 + 512, p.residentCount(), "promotion keeps the page-table page and the count");
        assertTrue(h.module.pageExistsQuick(p, run.get(77)), "found through the 2 MiB pv list");
        assertEquals(1, h.module.pvEntries());
    }

    @Test
    void differentAttributesPreventPromotion() {
        List<VmPage> run = h.superpageRun();
        AmdPmap p = h.newPmap();
        for (int i = 0; i < 512; i++) h.enter(p, VA + 4096L * i, run.get(i), i == 300 ? VM_PROT_READ : VM_PROT_RW, VM_PROT_WRITE & (i == 300 ? 0 : -1) | VM_PROT_READ);
        assertEquals(0, h.module.counters.pdePromotions);
        assertTrue(h.module.counters.pdePromotionFailures > 0);
        assertEquals(12, h.walk(p, VA, Access.READ).pageShift);
    }

    @Test
    void partialRemoveDemotesAndKeepsTheRest() {
        List<VmPage> run = h.superpageRun();
        AmdPmap p = promoted(run);
        p.remove(VA + 0x5000, VA + 0x6000);
        h.check();
        assertEquals(1, h.module.counters.pdeDemotions);
        assertFalse(h.canRead(p, VA + 0x5000));
        var r = h.walk(p, VA + 0x6000, Access.READ);
        assertEquals(12, r.pageShift);
        assertEquals(run.get(6).phys, r.frame);
        assertEquals(1 + 3 + 511, p.residentCount());
        assertTrue(run.get(5).isDirty(), "the removed page was modified through the superpage");
    }

    @Test
    void partialProtectDemotesAndWholeProtectKeepsTheSuperpage() {
        List<VmPage> run = h.superpageRun();
        AmdPmap p = promoted(run);
        p.protect(VA, VA + PmapBits.NBPDR, VM_PROT_READ);
        h.check();
        assertEquals(0, h.module.counters.pdeDemotions);
        assertFalse(h.canWrite(p, VA + 0x1000));
        assertTrue(run.get(400).isDirty());
        p.protect(VA, VA + 4096, VM_PROT_NONE);
        h.check();
        assertEquals(1, h.module.counters.pdeDemotions);
        assertTrue(h.canRead(p, VA + 4096));
    }

    @Test
    void removeAllOfOnePageDemotesEveryMappingOfTheFrame() {
        List<VmPage> run = h.superpageRun();
        AmdPmap p = h.newPmap();
        assertEquals(KERN_SUCCESS, p.enter(VA, run.get(0), VM_PROT_RW, VM_PROT_READ, 1));
        h.touch(p, VA, false);
        h.module.removeAll(run.get(9));
        h.check();
        assertEquals(1, h.module.counters.pdeDemotions);
        assertFalse(h.canRead(p, VA + 9 * 4096L));
        assertTrue(h.canRead(p, VA + 10 * 4096L));
        assertEquals(1 + 3 + 511, p.residentCount(), "demotion allocated a page-table page");
    }

    @Test
    void demotingAnUnaccessedSuperpageRemovesIt() {
        List<VmPage> run = h.superpageRun();
        AmdPmap p = h.newPmap();
        p.enterObject(VA, VA + PmapBits.NBPDR, run, run.get(0), VM_PROT_READ);
        h.check();
        assertEquals(21, h.walk(p, VA, Access.READ).pageShift);
        p.protect(VA, VA + 4096, VM_PROT_NONE);
        h.check();
        assertEquals(1, h.module.counters.pdeDemotionFailures);
        assertFalse(h.canRead(p, VA + 4096 * 7), "the pmap is a cache: the whole mapping went");
        assertEquals(1, p.residentCount(), "the emptied page directory and PDP pages were freed too");
    }
}
