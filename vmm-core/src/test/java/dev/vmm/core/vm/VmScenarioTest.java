package dev.vmm.core.vm;

import dev.vmm.mmu.Access;
import org.junit.jupiter.api.Test;

import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/** Scenarios in the spirit of FreeBSD's tests/sys/vm and stress2, with the invariant checker after each step. */
class VmScenarioTest {
    final VmHarness h = new VmHarness(64L << 20);
    static final int PRIVATE = VmSpace.MAP_PRIVATE;

    @Test
    void zeroFillOnDemandAndDataSurvives() {
        VmSpace s = VmSpace.create(h.vm);
        long a = h.mmap(s, 0, 5 * PAGE_SIZE, VM_PROT_RW, PRIVATE);
        assertFalse(h.canRead(s, a));
        assertEquals(0, h.peek(s, a + 8));
        assertEquals(1, h.vm.counters.zeroFill);
        assertTrue(h.canRead(s, a));
        assertTrue(h.canWrite(s, a), "the page is in the first object: mapped with the entry's full rights");
        assertEquals(0, h.walk(s, a, Access.READ).leafEntry & dev.vmm.mmu.Pte.D, "but not modified: a read fault");
    }

    @Test
    void forkCopyOnWriteInBothDirections() {
        VmSpace parent = VmSpace.create(h.vm);
        long a = h.mmap(parent, 0, 4 * PAGE_SIZE, VM_PROT_RW, PRIVATE);
        h.poke(parent, a, 0x1111);
        h.poke(parent, a + PAGE_SIZE, 0x2222);
        VmSpace child = parent.fork();
        h.check();
        assertFalse(h.canWrite(parent, a), "fork write-protects the parent");
        assertEquals(0x1111, h.peek(child, a));
        assertEquals(parent.pmap().extract(a), child.pmap().extract(a), "shared until written");
        assertFalse(h.canWrite(child, a));
        h.poke(child, a, 0xC0C0);
        assertEquals(0x1111, h.peek(parent, a), "the child's write is private");
        assertNotEquals(parent.pmap().extract(a), child.pmap().extract(a));
        h.poke(parent, a + PAGE_SIZE, 0xDADA);
        assertEquals(0x2222, h.peek(child, a + PAGE_SIZE), "the parent's write is private too");
        assertEquals(0xDADA, h.peek(parent, a + PAGE_SIZE));
        assertTrue(h.vm.counters.cowFaults >= 2);
        child.exit();
        parent.exit();
        h.check();
        assertEquals(1, h.pmap.livePmaps().size(), "only the kernel pmap is left");
    }

    @Test
    void sharedShadowChainAroundASuperpageBoundary() {
        VmSpace p = VmSpace.create(h.vm);
        long a = h.mmap(p, 0, 4 * NBPDR, VM_PROT_RW, PRIVATE);
        long edge = a + NBPDR;
        for (long off = -3; off <= 3; off++) h.poke(p, edge + off * PAGE_SIZE, 100 + off);
        VmSpace c = p.fork();
        h.poke(c, edge - PAGE_SIZE, 7);
        VmSpace g = c.fork();
        h.poke(p, edge, 8);
        h.poke(g, edge + PAGE_SIZE, 9);
        for (long off = -3; off <= 3; off++) {
            long va = edge + off * PAGE_SIZE;
            assertEquals(off == 0 ? 8 : 100 + off, h.peek(p, va), "parent at " + off);
            assertEquals(off == -1 ? 7 : 100 + off, h.peek(c, va), "child at " + off);
            assertEquals(off == -1 ? 7 : off == 1 ? 9 : 100 + off, h.peek(g, va), "grandchild at " + off);
        }
        g.exit(); c.exit(); p.exit();
        h.check();
    }

    @Test
    void mlockWiresEveryPageAndMunlockUnwires() {
        VmSpace s = VmSpace.create(h.vm);
        long a = h.mmap(s, 0, 8 * PAGE_SIZE, VM_PROT_RW, PRIVATE);
        assertEquals(KERN_SUCCESS, s.mlock(a, 8 * PAGE_SIZE));
        h.check();
        assertEquals(8, s.pmap().wiredCount());
        for (int i = 0; i < 8; i++) assertTrue(h.canWrite(s, a + i * PAGE_SIZE), "wired COW-free and writeable");
        assertEquals(KERN_SUCCESS, s.munlock(a, 8 * PAGE_SIZE));
        h.check();
        assertEquals(0, s.pmap().wiredCount());
        assertEquals(KERN_INVALID_ARGUMENT, s.munlock(a, PAGE_SIZE), "not locked");
        s.exit();
    }

    @Test
    void mprotectToNoneAndBack() {
        VmSpace s = VmSpace.create(h.vm);
        long a = h.mmap(s, 0, 2 * PAGE_SIZE, VM_PROT_RW, PRIVATE);
        h.poke(s, a, 42);
        assertEquals(KERN_SUCCESS, s.mprotect(a, PAGE_SIZE, VM_PROT_NONE));
        h.check();
        assertFalse(h.canRead(s, a));
        assertEquals(KERN_PROTECTION_FAILURE, h.fault(s, a, VM_PROT_READ));
        assertEquals(KERN_SUCCESS, s.mprotect(a, PAGE_SIZE, VM_PROT_READ));
        assertEquals(KERN_SUCCESS, h.fault(s, a, VM_PROT_READ));
        assertEquals(KERN_PROTECTION_FAILURE, h.fault(s, a, VM_PROT_WRITE));
        assertEquals(KERN_SUCCESS, s.mprotect(a, PAGE_SIZE, VM_PROT_RW));
        assertEquals(42, h.peek(s, a));
        assertEquals(KERN_INVALID_ADDRESS, s.mprotect(a + 4 * PAGE_SIZE, PAGE_SIZE, VM_PROT_READ));
        s.exit();
    }

    @Test
    void promotionThenPartialUnmapDemotes() {
        VmSpace s = VmSpace.create(h.vm);
        long a = h.mmap(s, 0, 2 * NBPDR, VM_PROT_RW, PRIVATE);
        assertEquals(0, a & PDRMASK, "large mappings are superpage aligned");
        for (int i = 0; i < 512; i++) assertEquals(KERN_SUCCESS, h.fault(s, a + i * PAGE_SIZE, VM_PROT_WRITE));
        assertEquals(1, h.pmap.counters.pdePromotions);
        assertEquals(21, h.walk(s, a + 0x12345, Access.READ).pageShift);
        assertEquals(KERN_SUCCESS, s.munmap(a + 10 * PAGE_SIZE, PAGE_SIZE));
        h.check();
        assertEquals(1, h.pmap.counters.pdeDemotions);
        assertFalse(h.canRead(s, a + 10 * PAGE_SIZE));
        assertTrue(h.canWrite(s, a + 11 * PAGE_SIZE));
        assertEquals(KERN_INVALID_ADDRESS, h.fault(s, a + 10 * PAGE_SIZE, VM_PROT_READ));
        s.exit();
        h.check();
    }

    @Test
    void badArgumentsChangeNothing() {
        VmSpace s = VmSpace.create(h.vm);
        long[] out = {0};
        assertEquals(KERN_INVALID_ARGUMENT, s.mmap(0, 0, VM_PROT_READ, VmSpace.MAP_ANON, out));
        assertEquals(KERN_INVALID_ARGUMENT, s.mmap(0, PAGE_SIZE, 0x10, VmSpace.MAP_ANON, out));
        assertEquals(KERN_INVALID_ARGUMENT, s.mmap(0x1001, PAGE_SIZE, VM_PROT_READ, VmSpace.MAP_ANON | VmSpace.MAP_FIXED, out));
        assertEquals(KERN_INVALID_ARGUMENT, s.mmap(0, PAGE_SIZE, VM_PROT_READ, 0, out), "anonymous memory only");
        assertEquals(KERN_INVALID_ARGUMENT, s.munmap(0x1001, PAGE_SIZE));
        assertEquals(KERN_INVALID_ARGUMENT, s.madvise(0x1000, PAGE_SIZE, 99));
        assertTrue(s.entries().isEmpty());
        assertEquals(KERN_INVALID_ADDRESS, h.fault(s, 0x5000, VM_PROT_READ));
        s.exit();
    }

    @Test
    void mincoreAndMadvise() {
        VmSpace s = VmSpace.create(h.vm);
        long a = h.mmap(s, 0, 4 * PAGE_SIZE, VM_PROT_RW, PRIVATE);
        h.poke(s, a, 1);
        h.peek(s, a + PAGE_SIZE);
        byte[] v = new byte[4];
        assertEquals(KERN_SUCCESS, s.mincore(a, 4 * PAGE_SIZE, v));
        assertEquals(MINCORE_INCORE | MINCORE_MODIFIED | MINCORE_REFERENCED, v[0] & 0x7);
        assertEquals(MINCORE_INCORE, v[1] & MINCORE_INCORE);
        assertEquals(0, v[1] & MINCORE_MODIFIED);
        assertEquals(KERN_SUCCESS, s.madvise(a, 2 * PAGE_SIZE, MADV_FREE));
        h.check();
        assertFalse(h.vm.phys().page(s.pmap().extract(a)).isDirty(), "MADV_FREE: the contents may go");
        s.exit();
    }

    @Test
    void memoryPressureReclaimsCleanPagesAndKeepsDirtyOnes() {
        VmHarness small = new VmHarness(8L << 20);
        small.vm.setSuperpagesEnabled(false);
        PageDaemon pd = new PageDaemon(small.vm);
        pd.install(64);
        VmSpace s = VmSpace.create(small.vm);
        long[] out = {0};
        long len = 64L << 20;
        assertEquals(KERN_SUCCESS, s.mmap(0, len, VM_PROT_RW, VmSpace.MAP_ANON | PRIVATE, out));
        long a = out[0];
        for (int i = 0; i < 64; i++) small.poke(s, a + i * PAGE_SIZE, 1000 + i);
        // Read-touch far more clean pages than RAM holds: only reclaiming them makes this possible.
        for (int i = 64; i < 4000; i++) assertEquals(KERN_SUCCESS, VmFault.fault(s.map, a + i * PAGE_SIZE, VM_PROT_READ, 0));
        small.check();
        assertTrue(small.vm.counters.pdFreed > 0, small.vm.counters.toString());
        for (int i = 0; i < 64; i++) assertEquals(1000 + i, small.peek(s, a + i * PAGE_SIZE), "dirty anonymous pages kept");
        assertEquals(0, small.peek(s, a + 100 * PAGE_SIZE), "a reclaimed clean page reads as zeros again");
        s.exit();
        small.check();
    }
}
