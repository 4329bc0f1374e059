package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmParam;
import dev.vmm.core.vm.VmPhys;
import dev.vmm.core.vm.VmSystem;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.PageWalker;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.WalkResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.pmap.amd64.PmapBits.*;
import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * psind 2: 1 GiB mappings (pagesizes[2]), as FreeBSD's pmap_enter_largepage makes them: PDPE leaves,
 * wired and unmanaged, counted as 262144 pages in pm_stats, and refused for partial updates. Checked
 * through the hardware page walker and the invariant checker after every step.
 */
class PmapLargepageTest {
    static final long GIB = 1L << 30, VA = 0x40_0000_0000L; // 256 GiB: 1 GiB aligned
    static final int RW = VM_PROT_READ | VM_PROT_WRITE, WIRED = Pmap.ENTER_WIRED;

    PhysicalMemory mem;
    VmPhys phys;
    AmdPmapModule module;
    PmapHarness.RecordingTlb tlb;
    AmdPmap pmap;
    VmPage frame; // the first page of the 1 GiB frame at physical 1 GiB

    @BeforeEach
    void setUp() {
        mem = new PhysicalMemory(2 * GIB + (8L << 20));
        phys = new VmPhys(mem, GIB, 2 * GIB + (8L << 20));
        VmSystem vm = new VmSystem(phys);
        tlb = new PmapHarness.RecordingTlb(1);
        module = AmdPmapModule.install(vm, tlb);
        module.shootdown.setRecording(true);
        pmap = (AmdPmap) module.pinit(true);
        // A largepage object's page: allocated (the allocator hands out the highest page first), unmanaged.
        List<VmPage> others = new ArrayList<>();
        for (VmPage m = phys.alloc(false); ; m = phys.alloc(false)) {
            if (m.phys == GIB) { frame = m; break; }
            others.add(m);
        }
        others.forEach(phys::free);
        frame.wire();
        module.checkInvariants();
    }

    private WalkResult walk(long va, int acc) {
        WalkResult r = new WalkResult();
        new PageWalker(mem).walk(pmap.cr3(), PmapHarness.MODE, va, acc, true, false, r);
        return r;
    }

    private void enter(int prot) {
        assertEquals(KERN_SUCCESS, pmap.enter(VA, frame, prot, (prot & VM_PROT_WRITE) | VM_PROT_READ | WIRED, 2));
        module.checkInvariants();
    }

    @Test
    void pagesizesOfferOneGibibyte() {
        assertArrayEquals(new long[]{4096, 1L << 21, GIB}, module.pagesizes());
    }

    @Test
    void aOneGibibyteMappingIsAPdpeLeafCountedAs262144Pages() {
        long resident0 = pmap.stats().residentCount();
        enter(RW);
        WalkResult r = walk(VA + 0x1234_5678L, Access.WRITE);
        assertTrue(r.ok(), "the walker finds a writeable user mapping");
        assertEquals(30, r.pageShift);
        assertEquals(GIB + 0x1234_5000L, r.frame, "the 4 KiB frame of the address inside the 1 GiB page");
        long pdpe = r.pathEntry[1];
        assertEquals(PG_V | PG_RW | PG_U | PG_PS | PG_W | PG_A | PG_M, pdpe & ~PG_PDPE_FRAME & ~PG_NX);
        assertEquals(GIB, pdpe & PG_PDPE_FRAME);
        assertEquals(0, pdpe & PG_MANAGED, "unmanaged: no pv entry");
        assertEquals(resident0 + 262144 + 1, pmap.stats().residentCount(), "plus the new page-directory-pointer page");
        assertEquals(262144, pmap.stats().wiredCount());
        assertEquals(GIB + 0x3FFF_FFFFL, pmap.extract(VA + 0x3FFF_FFFFL));
        assertEquals(VmParam.mincorePsind(2) | MINCORE_INCORE, pmap.mincore(VA, null) & (VmParam.mincorePsind(3) | MINCORE_INCORE));
        assertEquals(1, module.counters.pdpeMappings);
    }

    @Test
    void reenteringTheSameFrameReadOnlyTakesWriteAwayAndInvalidates() {
        enter(RW);
        module.shootdown.drain();
        enter(VM_PROT_READ);
        assertFalse(walk(VA, Access.WRITE).ok());
        assertTrue(walk(VA, Access.READ).ok());
        assertEquals(262144, pmap.stats().wiredCount(), "still one wired 1 GiB mapping");
        assertFalse(module.shootdown.drain().isEmpty(), "an accessed mapping that lost write is invalidated");
    }

    @Test
    void protectUnwireAndRemoveActOnTheWholeMappingOnly() {
        enter(RW);
        assertThrows(IllegalArgumentException.class, () -> pmap.protect(VA, VA + (2L << 20), VM_PROT_READ));
        assertThrows(IllegalArgumentException.class, () -> pmap.remove(VA + 4096, VA + GIB));
        pmap.protect(VA, VA + GIB, VM_PROT_READ);
        module.checkInvariants();
        assertFalse(walk(VA + GIB - 8, Access.WRITE).ok());
        pmap.unwire(VA, VA + GIB);
        module.checkInvariants();
        assertEquals(0, pmap.stats().wiredCount());
        assertEquals(0, walk(VA, Access.READ).pathEntry[1] & PG_W);
        pmap.remove(VA, VA + GIB);
        module.checkInvariants();
        assertFalse(walk(VA, Access.READ).ok());
        assertEquals(1, pmap.stats().residentCount(), "only the top level is left: the emptied PDP page was freed");
        assertEquals(0, pmap.extract(VA));
    }

    @Test
    void processExitKeepsTheWiredMapping() {
        enter(RW);
        pmap.removePages();
        module.checkInvariants();
        assertTrue(walk(VA, Access.READ).ok());
    }

    @Test
    void largepageMisuseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> pmap.enter(VA + (2L << 20), frame, RW, VM_PROT_WRITE | WIRED, 2), "misaligned va");
        assertThrows(IllegalArgumentException.class, () -> pmap.enter(VA, frame, RW, VM_PROT_WRITE, 2), "not wired");
        frame.managed = true;
        frame.busy = true;
        assertThrows(IllegalArgumentException.class, () -> pmap.enter(VA, frame, RW, VM_PROT_WRITE | WIRED, 2), "managed");
        frame.managed = false;
        enter(RW);
        VmPage small = phys.alloc(false);
        assertThrows(IllegalStateException.class, () -> pmap.enter(VA + 4096, small, RW, VM_PROT_WRITE | Pmap.ENTER_NOSLEEP, 0),
            "a 4 KiB mapping inside a 1 GiB one");
        module.checkInvariants();
    }
}
