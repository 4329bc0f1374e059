package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.vm.VmPage;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.WalkResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.pmap.amd64.PmapBits.*;
import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/** pmap_enter(9) and pmap_enter_quick, checked through the hardware page walker. */
class PmapEnterTest {
    final PmapHarness h = new PmapHarness();
    static final long VA = 0x0000_1234_5600_0000L;

    @Test
    void aNewMappingHasTheBitsOfTheManPage() {
        AmdPmap p = h.newPmap();
        VmPage m = h.page();
        assertEquals(KERN_SUCCESS, h.enter(p, VA, m, VM_PROT_RW, VM_PROT_READ));
        WalkResult r = h.walk(p, VA, Access.READ);
        assertTrue(r.ok());
        assertEquals(m.phys, r.frame);
        long pte = r.leafEntry;
        assertEquals(PG_V | PG_RW | PG_U | PG_A | PG_MANAGED | PG_NX, pte & ~PG_FRAME, "read access: A but no M");
        assertTrue(h.canWrite(p, VA));
        assertFalse(h.canExec(p, VA), "no VM_PROT_EXECUTE: NX");
        assertEquals(1 + 3 + 1, p.residentCount(), "top level, three new page-table pages, one page");
        assertEquals(0, p.wiredCount());
        assertTrue(m.hasAflag(VmPage.PGA_WRITEABLE));
        assertTrue(h.module.pageExistsQuick(p, m));
        assertTrue(h.invalidations().isEmpty(), "a new mapping needs no invalidation");
    }

    @Test
    void writeAccessPresetsModifiedAndWiredSetsPgW() {
        AmdPmap p = h.newPmap();
        VmPage m = h.page();
        h.enter(p, VA, m, VM_PROT_ALL, VM_PROT_WRITE | Pmap.ENTER_WIRED);
        long pte = h.leaf(p, VA);
        assertEquals(PG_M, pte & PG_M);
        assertEquals(PG_W, pte & PG_W);
        assertEquals(0, pte & PG_NX);
        assertTrue(h.canExec(p, VA));
        assertEquals(1, p.wiredCount());
        assertEquals(1, h.module.pageWiredMappings(m));
    }

    @Test
    void readOnlyProtectionGivesNoWriteAndNoWriteableFlag() {
        AmdPmap p = h.newPmap();
        VmPage m = h.page();
        h.enter(p, VA, m, VM_PROT_READ, VM_PROT_READ);
        assertTrue(h.canRead(p, VA));
        assertFalse(h.canWrite(p, VA));
        assertFalse(m.hasAflag(VmPage.PGA_WRITEABLE));
    }

    @Test
    void callerPreconditionsAreChecked() {
        AmdPmap p = h.newPmap();
        VmPage m = h.page();
        assertThrows(IllegalArgumentException.class, () -> p.enter(VA, m, VM_PROT_READ, VM_PROT_WRITE, 0), "write access, read-only prot");
        m.busy = false;
        assertThrows(IllegalStateException.class, () -> p.enter(VA, m, VM_PROT_READ, VM_PROT_READ, 0), "managed, not busy, may sleep");
        assertEquals(KERN_SUCCESS, h.enter(p, VA, m, VM_PROT_READ, VM_PROT_READ | Pmap.ENTER_NOSLEEP), "object-locked callers pass NOSLEEP");
        assertThrows(IllegalArgumentException.class, () -> p.enter(VA + 1, m, VM_PROT_READ, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> p.enter(0xFFFF_FE00_0000_0000L, m, VM_PROT_READ, 0, 0));
    }

    @Test
    void remappingTheSamePageWithFewerRightsDirtiesAndInvalidates() {
        AmdPmap p = h.newPmap();
        h.module.activate(0, p);
        VmPage m = h.page();
        h.enter(p, VA, m, VM_PROT_RW, VM_PROT_READ);
        h.touch(p, VA, true);
        h.invalidations();
        h.enter(p, VA, m, VM_PROT_READ, VM_PROT_READ);
        assertTrue(m.isDirty(), "the old PTE had M and RW");
        assertFalse(h.canWrite(p, VA));
        var inv = h.invalidations();
        assertEquals(1, inv.size());
        assertEquals(Shootdown.Kind.PAGE, inv.get(0).kind());
        assertEquals(VA, inv.get(0).sva());
        assertEquals(1L, inv.get(0).cpus(), "sent to the vCPU in pm_active");
        assertEquals(1 + 3 + 1, p.residentCount());
    }

    @Test
    void remappingTheSamePageUnchangedNeedsNoInvalidationAndAdjustsWiring() {
        AmdPmap p = h.newPmap();
        VmPage m = h.page();
        h.enter(p, VA, m, VM_PROT_RW, VM_PROT_READ);
        h.touch(p, VA, false);
        h.enter(p, VA, m, VM_PROT_RW, VM_PROT_READ);
        h.enter(p, VA, m, VM_PROT_RW, VM_PROT_READ | Pmap.ENTER_WIRED);
        assertTrue(h.invalidations().isEmpty());
        assertEquals(1, p.wiredCount());
        h.enter(p, VA, m, VM_PROT_RW, VM_PROT_READ);
        assertEquals(0, p.wiredCount());
        assertEquals(0, h.leaf(p, VA) & PG_W);
    }

    @Test
    void switchingPhysicalPageIsBreakBeforeMake() {
        AmdPmap p = h.newPmap();
        h.module.activate(1, p);
        VmPage old = h.page(), m = h.page();
        h.enter(p, VA, old, VM_PROT_RW, VM_PROT_WRITE);
        h.touch(p, VA, true);
        h.invalidations();
        h.tlb.calls.clear();
        h.enter(p, VA, m, VM_PROT_READ, VM_PROT_READ);
        assertEquals(m.phys, h.walk(p, VA, Access.READ).frame);
        assertTrue(old.isDirty());
        assertTrue(old.hasAflag(VmPage.PGA_REFERENCED));
        assertFalse(old.hasAflag(VmPage.PGA_WRITEABLE), "no mapping left");
        assertFalse(h.module.pageExistsQuick(p, old));
        assertTrue(h.module.pageExistsQuick(p, m));
        assertEquals(List.of(String.format("invlpg 1 %#x", VA)), h.tlb.calls, "the old translation is shot down on the active vCPU");
        assertEquals(1 + 3 + 1, p.residentCount());
    }

    @Test
    void enterQuickMapsReadOnlyWithoutAccessedAndNeverReplaces() {
        AmdPmap p = h.newPmap();
        VmPage a = h.page(), b = h.page();
        h.enter(p, VA, a, VM_PROT_RW, VM_PROT_READ);
        assertTrue(p.isPrefaultable(VA + 4096));
        p.enterQuick(VA + 4096, b, VM_PROT_ALL);
        h.check();
        long pte = h.leaf(p, VA + 4096);
        assertEquals(b.phys, pte & PG_FRAME);
        assertEquals(0, pte & (PG_A | PG_M | PG_RW));
        assertFalse(p.isPrefaultable(VA + 4096));
        p.enterQuick(VA, b, VM_PROT_READ);
        h.check();
        assertEquals(a.phys, h.leaf(p, VA) & PG_FRAME, "an existing mapping stays");
        assertEquals(1 + 3 + 2, p.residentCount());
    }

    @Test
    void noSleepUnderShortageFailsAndOtherwiseReclaimsOtherPmaps() {
        PmapHarness s = new PmapHarness(16L << 20, 1, false);
        AmdPmap victim = (AmdPmap) s.module.pinit(true);
        List<VmPage> pages = new ArrayList<>();
        for (int i = 0; i < 40; i++) pages.add(s.page());
        for (int i = 0; i < 40; i++) s.enter(victim, 0x40_0000L * (i % 4) + 4096L * i, pages.get(i), VM_PROT_RW, VM_PROT_READ);
        VmPage wired = s.page();
        s.enter(victim, 0x7000_0000L, wired, VM_PROT_RW, VM_PROT_READ | Pmap.ENTER_WIRED);
        long victimBefore = victim.residentCount();
        AmdPmap p = (AmdPmap) s.module.pinit(true);
        VmPage m = s.page();
        List<VmPage> hog = new ArrayList<>();
        for (VmPage x; (x = s.phys.alloc(true)) != null; ) hog.add(x);
        assertEquals(KERN_RESOURCE_SHORTAGE, p.enter(VA, m, VM_PROT_RW, VM_PROT_READ | Pmap.ENTER_NOSLEEP, 0));
        s.check();
        assertEquals(1, p.residentCount(), "nothing changed");
        assertFalse(s.canRead(p, VA));
        assertEquals(KERN_SUCCESS, s.enter(p, VA, m, VM_PROT_RW, VM_PROT_READ), "without NOSLEEP it may not fail");
        assertTrue(s.canRead(p, VA));
        assertTrue(victim.residentCount() < victimBefore, "the victim lost mappings");
        assertTrue(s.canRead(victim, 0x7000_0000L), "wired mappings are never reclaimed");
        assertTrue(s.module.reclaimedMappings() > 0);
    }

    @Test
    void psindOneMapsTwoMegabytesAndMarksEveryPageWriteable() {
        AmdPmap p = h.newPmap();
        List<VmPage> run = h.superpageRun();
        assertEquals(KERN_SUCCESS, p.enter(VA, run.get(0), VM_PROT_RW, VM_PROT_READ, 1));
        h.check();
        WalkResult r = h.walk(p, VA + 0x1F_F000L, Access.READ);
        assertEquals(21, r.pageShift);
        assertEquals(run.get(511).phys, r.frame);
        assertEquals(1 + 2 + 512, p.residentCount(), "PDP and PD pages, no page table");
        for (VmPage m : run) assertTrue(m.hasAflag(VmPage.PGA_WRITEABLE));
        assertEquals(KERN_INVALID_ARGUMENT, p.enter(VA + 4096, run.get(0), VM_PROT_RW, 0, 1), "unaligned");
        assertEquals(1, h.module.counters.pdeMappings);
    }
}
