package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.vm.VmPage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.pmap.amd64.PmapBits.*;
import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/** The per-page functions: ts_referenced, remove_write, clear_modify, is_modified, is_referenced, page_exists_quick, page_wired_mappings, zero/copy. */
class PmapPagesTest {
    final PmapHarness h = new PmapHarness();
    static final long VA = 0x2000_0000L;

    @Test
    void tsReferencedCountsAndClearsAtMostFive() {
        VmPage m = h.page();
        List<AmdPmap> ps = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            AmdPmap p = h.newPmap();
            ps.add(p);
            h.enter(p, VA, m, VM_PROT_READ, VM_PROT_READ);
        }
        assertTrue(h.module.isReferenced(m));
        assertEquals(5, h.module.tsReferenced(m), "PMAP_TS_REFERENCED_MAX");
        h.check();
        long cleared = ps.stream().filter(p -> (h.leaf(p, VA) & PG_A) == 0).count();
        assertEquals(5, cleared);
        assertEquals(2, h.module.tsReferenced(m), "the list rotated: the other two now");
        assertEquals(0, h.module.tsReferenced(m));
        assertFalse(h.module.isReferenced(m));
        h.touch(ps.get(3), VA, false);
        assertEquals(1, h.module.tsReferenced(m));
    }

    @Test
    void removeWriteWriteProtectsEveryMappingAndDirtiesModifiedOnes() {
        AmdPmap p = h.newPmap(), q = h.newPmap();
        h.module.activate(0, q);
        VmPage m = h.page();
        h.enter(p, VA, m, VM_PROT_RW, VM_PROT_READ);
        h.enter(q, VA, m, VM_PROT_RW, VM_PROT_READ);
        h.touch(q, VA, true);
        assertTrue(h.module.isModified(m));
        h.module.removeWrite(m);
        h.check();
        assertFalse(h.canWrite(p, VA));
        assertFalse(h.canWrite(q, VA));
        assertTrue(h.canRead(q, VA));
        assertTrue(m.isDirty());
        assertFalse(m.hasAflag(VmPage.PGA_WRITEABLE));
        assertFalse(h.module.isModified(m), "is_modified is false without PGA_WRITEABLE");
    }

    @Test
    void clearModifyKeepsWriteAccess() {
        AmdPmap p = h.newPmap();
        VmPage m = h.page();
        h.enter(p, VA, m, VM_PROT_RW, VM_PROT_WRITE);
        assertTrue(h.module.isModified(m));
        h.module.clearModify(m);
        h.check();
        assertFalse(h.module.isModified(m));
        assertEquals(0, h.leaf(p, VA) & PG_M);
        assertTrue(h.canWrite(p, VA));
        h.touch(p, VA, true);
        assertTrue(h.module.isModified(m), "the hardware sets D again");
        m.busy = false;
        assertThrows(IllegalStateException.class, () -> h.module.clearModify(m));
    }

    @Test
    void pageExistsQuickLooksAtTheFirstSixteenMappings() {
        VmPage m = h.page();
        List<AmdPmap> ps = new ArrayList<>();
        for (int i = 0; i < 17; i++) { AmdPmap p = h.newPmap(); ps.add(p); h.enter(p, VA, m, VM_PROT_READ, VM_PROT_READ); }
        assertTrue(h.module.pageExistsQuick(ps.get(0), m));
        assertTrue(h.module.pageExistsQuick(ps.get(15), m));
        assertFalse(h.module.pageExistsQuick(ps.get(16), m), "the 17th is beyond the quick look");
        assertFalse(h.module.pageExistsQuick(h.newPmap(), m));
    }

    @Test
    void wiredMappingsAreCounted() {
        VmPage m = h.page();
        AmdPmap p = h.newPmap(), q = h.newPmap();
        h.enter(p, VA, m, VM_PROT_READ, VM_PROT_READ | Pmap.ENTER_WIRED);
        h.enter(q, VA, m, VM_PROT_READ, VM_PROT_READ | Pmap.ENTER_WIRED);
        h.enter(q, VA + 4096, m, VM_PROT_READ, VM_PROT_READ);
        assertEquals(2, h.module.pageWiredMappings(m));
    }

    @Test
    void zeroAndCopyPagesThroughRam() {
        VmPage a = h.page(), b = h.page();
        for (int i = 0; i < 4096; i += 8) h.mem.write64(a.phys + i, 0x0102030405060708L * (i + 1));
        h.module.copyPage(a, b);
        for (int i = 0; i < 4096; i += 8) assertEquals(h.mem.read64(a.phys + i), h.mem.read64(b.phys + i));
        h.module.zeroPageArea(b, 100, 200);
        assertEquals(0, h.mem.read8(b.phys + 100));
        assertEquals(0, h.mem.read8(b.phys + 299));
        assertEquals(h.mem.read8(a.phys + 300), h.mem.read8(b.phys + 300));
        assertThrows(IllegalArgumentException.class, () -> h.module.zeroPageArea(b, 4000, 200));
        h.module.zeroPage(a);
        for (int i = 0; i < 4096; i += 8) assertEquals(0, h.mem.read64(a.phys + i));
    }
}
