package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.vm.VmPage;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.PageWalker;
import dev.vmm.mmu.WalkResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.vmm.core.pmap.amd64.PmapBits.*;
import static org.junit.jupiter.api.Assertions.*;

/** The kernel pmap: direct map, growkernel, qenter/qremove, quick_enter_page, pinit/pinit0, activate. */
class PmapKernelTest {
    final PmapHarness h = new PmapHarness();

    private WalkResult kwalk(Pmap p, long va) {
        WalkResult r = new WalkResult();
        new PageWalker(h.mem).walk(p.cr3(), PmapHarness.MODE, va, Access.READ, false, false, r);
        return r;
    }

    @Test
    void theDirectMapCoversRamAndEveryUserPmapSharesIt() {
        Pmap k = h.module.kernelPmap();
        AmdPmap u = h.newPmap();
        for (long pa : new long[]{0, 0x123_4000L, (64L << 20) - 4096}) {
            for (Pmap p : List.of(k, u)) {
                WalkResult r = kwalk(p, DMAP_MIN_ADDRESS + pa);
                assertTrue(r.ok());
                assertEquals(pa, r.frame);
                assertTrue(r.global);
            }
        }
        WalkResult user = new WalkResult();
        assertFalse(new PageWalker(h.mem).walk(u.cr3(), PmapHarness.MODE, DMAP_MIN_ADDRESS, Access.READ, true, false, user), "supervisor only");
        assertEquals(DMAP_MIN_ADDRESS + 0x5000, h.module.map(0x5000, 0x6000, 1));
        assertEquals(1, u.residentCount());
    }

    @Test
    void growkernelThenQenterIsVisibleInUserPmapsAndQremoveShootsDownEveryCpu() {
        AmdPmap u = h.newPmap();
        long va = VM_MIN_KERNEL_ADDRESS + 0x40_0000L;
        h.module.growkernel(va + 0x2000);
        assertEquals(VM_MIN_KERNEL_ADDRESS + 0x60_0000L, h.module.kernelVmEnd());
        VmPage a = h.page(), b = h.page();
        h.module.qenter(va, List.of(a, b));
        h.check();
        assertEquals(b.phys, kwalk(u, va + 4096).frame, "the kernel half is shared");
        h.invalidations();
        h.module.qremove(va, 2);
        var inv = h.invalidations();
        assertEquals(0b11L, inv.get(0).cpus(), "the kernel pmap is active everywhere");
        assertFalse(kwalk(h.module.kernelPmap(), va).ok());
        assertThrows(IllegalStateException.class, () -> h.module.qenter(VM_MIN_KERNEL_ADDRESS + 0x100_0000L, List.of(a)));
    }

    @Test
    void quickEnterPageUsesTheDirectMapAndCannotNest() {
        VmPage m = h.page();
        long va = h.module.quickEnterPage(m);
        assertEquals(m.phys, kwalk(h.module.kernelPmap(), va).frame);
        assertThrows(IllegalStateException.class, () -> h.module.quickEnterPage(m));
        h.module.quickRemovePage(va);
        assertThrows(IllegalStateException.class, () -> h.module.quickRemovePage(va));
    }

    @Test
    void activateMovesPmActiveAndLoadsCr3() {
        AmdPmap p = h.newPmap(), q = h.newPmap();
        h.module.activate(1, p);
        assertEquals(0b10, p.active());
        h.module.activate(1, q);
        assertEquals(0, p.active());
        assertEquals(0b10, q.active());
        assertEquals(String.format("cr3 1 %#x", q.cr3()), h.tlb.calls.getLast());
    }

    @Test
    void pinit0SharesTheKernelTopLevel() {
        Pmap p0 = h.module.pinit0();
        assertEquals(h.module.kernelPmap().cr3(), p0.cr3());
        assertEquals(0, p0.residentCount());
        VmPage m = h.page();
        assertEquals(0, p0.enter(0x1000, m, 3, 1, 0));
        h.check();
        assertEquals(m.phys, h.walk(h.module.kernelPmap(), 0x1000, Access.READ).frame);
        p0.remove(0x1000, 0x2000);
        p0.release();
        h.check();
    }

    @Test
    void pagesizesFollowTheSuperpageSetting() {
        assertArrayEquals(new long[]{4096, 1L << 21, 1L << 30}, h.module.pagesizes());
        assertArrayEquals(new long[]{4096}, new PmapHarness(8L << 20, 1, false).module.pagesizes());
    }
}
