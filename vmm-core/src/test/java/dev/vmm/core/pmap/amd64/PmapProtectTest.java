package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.vm.VmPage;
import org.junit.jupiter.api.Test;

import static dev.vmm.core.pmap.amd64.PmapBits.*;
import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/** pmap_protect, pmap_unwire, pmap_advise, pmap_copy, pmap_extract(_and_hold), pmap_mincore, pmap_is_prefaultable. */
class PmapProtectTest {
    final PmapHarness h = new PmapHarness();
    static final long VA = 0x1000_0000L;

    @Test
    void protectOnlyRestrictsAndDirtiesModifiedPages() {
        AmdPmap p = h.newPmap();
        h.module.activate(0, p);
        VmPage m = h.page(), n = h.page();
        h.enter(p, VA, m, VM_PROT_ALL, VM_PROT_WRITE);
        h.enter(p, VA + 4096, n, VM_PROT_RW, VM_PROT_READ);
        h.invalidations();
        p.protect(VA, VA + 8192, VM_PROT_ALL);
        assertTrue(h.invalidations().isEmpty(), "adding rights is not pmap_protect's business");
        p.protect(VA, VA + 8192, VM_PROT_READ | VM_PROT_EXECUTE);
        h.check();
        assertTrue(m.isDirty());
        assertFalse(n.isDirty());
        assertFalse(h.canWrite(p, VA));
        assertTrue(h.canExec(p, VA));
        assertEquals(0, h.leaf(p, VA) & PG_M, "PG_M cleared with PG_RW");
        assertFalse(h.invalidations().isEmpty());
        p.protect(VA, VA + 8192, VM_PROT_READ);
        assertFalse(h.canExec(p, VA));
        assertTrue(h.canRead(p, VA));
        p.protect(VA, VA + 4096, VM_PROT_NONE);
        h.check();
        assertFalse(h.canRead(p, VA), "VM_PROT_NONE removes");
        assertTrue(h.canRead(p, VA + 4096));
    }

    @Test
    void unwireClearsPgWWithoutInvalidationAndRefusesUnwiredEntries() {
        AmdPmap p = h.newPmap();
        h.module.activate(0, p);
        VmPage m = h.page(), n = h.page();
        h.enter(p, VA, m, VM_PROT_RW, VM_PROT_READ | Pmap.ENTER_WIRED);
        h.enter(p, VA + 4096, n, VM_PROT_RW, VM_PROT_READ);
        h.invalidations();
        p.unwire(VA, VA + 4096);
        m.unwire();
        h.check();
        assertEquals(0, p.wiredCount());
        assertEquals(0, h.leaf(p, VA) & PG_W);
        assertTrue(h.invalidations().isEmpty());
        assertThrows(IllegalStateException.class, () -> p.unwire(VA + 4096, VA + 8192));
    }

    @Test
    void extractAndHoldAndPrefaultable() {
        AmdPmap p = h.newPmap();
        VmPage m = h.page();
        assertEquals(0, p.extract(VA));
        assertFalse(p.isPrefaultable(VA), "no page table yet");
        h.enter(p, VA, m, VM_PROT_READ, VM_PROT_READ);
        assertEquals(m.phys + 0x123, p.extract(VA + 0x123));
        assertTrue(p.isPrefaultable(VA + 4096));
        assertFalse(p.isPrefaultable(VA));
        assertNull(p.extractAndHold(VA, VM_PROT_WRITE), "read-only mapping");
        assertSame(m, p.extractAndHold(VA, VM_PROT_READ));
        assertEquals(1, m.wireCount, "held");
    }

    @Test
    void mincoreReportsResidencyReferenceAndModification() {
        AmdPmap p = h.newPmap();
        VmPage m = h.page();
        long[] pa = {0};
        assertEquals(0, p.mincore(VA, pa));
        p.enterQuick(VA, m, VM_PROT_READ);
        assertEquals(MINCORE_INCORE, p.mincore(VA, pa));
        assertEquals(m.phys, pa[0], "managed and not both other bits: the caller looks at the page");
        h.enter(p, VA + 4096, h.page(), VM_PROT_RW, VM_PROT_WRITE);
        assertEquals(MINCORE_INCORE | MINCORE_MODIFIED | MINCORE_MODIFIED_OTHER | MINCORE_REFERENCED | MINCORE_REFERENCED_OTHER,
            p.mincore(VA + 4096, pa));
    }

    @Test
    void adviseDontNeedDirtiesAndClearsAccessedAdviseFreeDoesNotDirty() {
        AmdPmap p = h.newPmap();
        h.module.activate(0, p);
        VmPage m = h.page(), n = h.page();
        h.enter(p, VA, m, VM_PROT_RW, VM_PROT_WRITE);
        h.enter(p, VA + 4096, n, VM_PROT_RW, VM_PROT_WRITE);
        p.advise(VA, VA + 4096, MADV_DONTNEED);
        p.advise(VA + 4096, VA + 8192, MADV_FREE);
        h.check();
        assertTrue(m.isDirty());
        assertFalse(n.isDirty());
        assertEquals(0, h.leaf(p, VA) & (PG_A | PG_M));
        assertEquals(0, h.leaf(p, VA + 4096) & (PG_A | PG_M));
        assertEquals(2, h.invalidations().size());
    }

    @Test
    void copyForForkCopiesManagedMappingsWithoutWiredModifiedAccessed() {
        AmdPmap parent = h.newPmap(), child = h.newPmap();
        VmPage m = h.page(), w = h.page();
        h.enter(parent, VA, m, VM_PROT_READ, VM_PROT_READ);
        h.enter(parent, VA + 4096, w, VM_PROT_READ, VM_PROT_READ | Pmap.ENTER_WIRED);
        child.copy(parent, VA, 8192, VA);
        h.check();
        assertEquals(m.phys, child.extract(VA));
        assertEquals(0, h.leaf(child, VA) & (PG_A | PG_M | PG_W));
        assertEquals(0, h.leaf(child, VA + 4096) & PG_W, "wired status is never copied");
        assertEquals(0, child.wiredCount());
        assertEquals(1 + 3 + 2, child.residentCount());
        AmdPmap other = h.newPmap();
        other.copy(parent, VA + 0x1000_0000L, 8192, VA);
        assertEquals(1, other.residentCount(), "only the fork case (same addresses) is copied");
    }
}
