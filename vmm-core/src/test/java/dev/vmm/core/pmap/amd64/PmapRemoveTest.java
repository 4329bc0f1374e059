package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.vm.VmPage;
import org.junit.jupiter.api.Test;

import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/** pmap_remove, pmap_remove_all, pmap_remove_pages, pmap_release. */
class PmapRemoveTest {
    final PmapHarness h = new PmapHarness();
    static final long VA = 0x4000_0000L;

    @Test
    void removeHandsStateToThePagesFreesTablesAndShootsDownActiveCpusOnly() {
        AmdPmap p = h.newPmap();
        h.module.activate(1, p);
        VmPage a = h.page(), b = h.page(), c = h.page();
        h.enter(p, VA, a, VM_PROT_RW, VM_PROT_READ);
        h.enter(p, VA + 4096, b, VM_PROT_RW, VM_PROT_READ);
        h.enter(p, VA + 8192, c, VM_PROT_READ, VM_PROT_READ);
        h.touch(p, VA, true);
        h.touch(p, VA + 4096, false);
        h.invalidations();
        h.tlb.calls.clear();
        p.remove(VA, VA + 3 * 4096);
        h.check();
        assertFalse(h.canRead(p, VA));
        assertFalse(h.canRead(p, VA + 8192));
        assertTrue(a.isDirty() && a.hasAflag(VmPage.PGA_REFERENCED));
        assertTrue(!b.isDirty() && b.hasAflag(VmPage.PGA_REFERENCED));
        assertFalse(a.hasAflag(VmPage.PGA_WRITEABLE));
        assertEquals(1, p.residentCount(), "page-table pages freed, the top level stays");
        var inv = h.invalidations();
        assertEquals(1, inv.size());
        assertEquals(Shootdown.Kind.RANGE, inv.get(0).kind());
        assertEquals(0b10L, inv.get(0).cpus());
        assertTrue(h.tlb.calls.stream().allMatch(s -> s.startsWith("invlpg 1 ")), h.tlb.calls.toString());
    }

    @Test
    void anInactivePmapNeedsNoTlbWorkAndLargeRangesBecomeInvalidateAll() {
        AmdPmap p = h.newPmap();
        h.enter(p, VA, h.page(), VM_PROT_RW, VM_PROT_READ);
        h.tlb.calls.clear();
        p.remove(VA, VA + 4096);
        assertTrue(h.tlb.calls.isEmpty(), "no vCPU runs on it: the CR3 load at switch flushes");
        h.module.activate(0, p);
        h.enter(p, VA, h.page(), VM_PROT_RW, VM_PROT_READ);
        h.invalidations();
        p.remove(VA, VA + 4096L * 4096);
        h.check();
        var inv = h.invalidations();
        assertEquals(Shootdown.Kind.ALL, inv.get(0).kind());
    }

    @Test
    void removeAllTakesEveryMappingInEveryPmap() {
        AmdPmap p = h.newPmap(), q = h.newPmap();
        VmPage m = h.page();
        h.enter(p, VA, m, VM_PROT_RW, VM_PROT_WRITE);
        h.enter(q, VA + 0x10_0000L, m, VM_PROT_READ, VM_PROT_READ);
        h.enter(q, VA + 0x20_0000L, m, VM_PROT_RW, VM_PROT_READ | Pmap.ENTER_WIRED);
        h.module.removeAll(m);
        h.check();
        assertFalse(h.canRead(p, VA));
        assertFalse(h.canRead(q, VA + 0x10_0000L));
        assertFalse(h.canRead(q, VA + 0x20_0000L));
        assertTrue(m.isDirty(), "the first mapping was modified");
        assertTrue(m.hasAflag(VmPage.PGA_REFERENCED));
        assertFalse(m.hasAflag(VmPage.PGA_WRITEABLE));
        assertEquals(0, q.wiredCount());
        assertEquals(3, h.invalidations().stream().filter(i -> i.kind() == Shootdown.Kind.PAGE).count());
    }

    @Test
    void removePagesKeepsWiredMappingsWithOneInvalidateAllAndReleaseNeedsAnEmptyPmap() {
        AmdPmap p = h.newPmap();
        h.module.activate(0, p);
        VmPage w = h.page();
        for (int i = 0; i < 10; i++) h.enter(p, VA + 0x40_0000L * i, h.page(), VM_PROT_RW, VM_PROT_READ);
        h.enter(p, 0x7F00_0000L, w, VM_PROT_RW, VM_PROT_READ | Pmap.ENTER_WIRED);
        h.invalidations();
        p.removePages();
        h.check();
        var inv = h.invalidations();
        assertEquals(1, inv.size());
        assertEquals(Shootdown.Kind.ALL, inv.get(0).kind());
        assertTrue(h.canRead(p, 0x7F00_0000L));
        assertFalse(h.canRead(p, VA));
        assertEquals(1, p.wiredCount());
        h.module.activate(0, h.module.kernelPmap());
        assertThrows(IllegalStateException.class, p::release);
        p.unwire(0x7F00_0000L, 0x7F00_1000L);
        w.unwire();
        p.remove(0, 1L << 47);
        h.check();
        p.release();
        assertEquals(0, p.residentCount());
        h.check();
    }

    @Test
    void releaseOfAnActivePmapIsRefused() {
        AmdPmap p = h.newPmap();
        h.module.activate(1, p);
        assertThrows(IllegalStateException.class, p::release);
        AmdPmap q = h.newPmap();
        h.module.activate(1, q);
        assertEquals(0, p.active());
        assertEquals(0b10, q.active());
        p.release();
        h.check();
    }
}
