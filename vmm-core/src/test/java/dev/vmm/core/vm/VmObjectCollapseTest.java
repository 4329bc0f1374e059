package dev.vmm.core.vm;

import org.junit.jupiter.api.Test;

import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * vm_object_collapse and vm_object_shadow's shortcut: when the other side of a fork goes away, the
 * survivor's shadow chain folds back into one object (pages it had copied stay, pages it still shared
 * move up, the shadowed originals are freed), and an entry whose object nobody else uses needs no shadow.
 */
class VmObjectCollapseTest {
    final VmHarness h = new VmHarness(64L << 20);
    static final int PRIVATE = VmSpace.MAP_PRIVATE, N = 8;

    private VmMapEntry entry(VmSpace s, long va) { return s.map.lookupEntry(va); }

    @Test
    void aChildsExitFoldsTheSharedBackingObjectIntoTheParentsShadow() {
        h.vm.setSuperpagesEnabled(false);
        VmSpace parent = VmSpace.create(h.vm);
        long a = h.mmap(parent, 0, N * PAGE_SIZE, VM_PROT_RW, PRIVATE);
        for (int i = 0; i < N; i++) h.poke(parent, a + i * PAGE_SIZE, 0x100 + i);
        VmObject original = entry(parent, a).object;
        VmSpace child = parent.fork();
        for (int i = 0; i < N / 2; i++) h.poke(parent, a + i * PAGE_SIZE, 0x200 + i); // copy on write: N/2 copies
        VmObject shadow = entry(parent, a).object;
        assertSame(original, shadow.backingObject);
        assertEquals(N / 2, h.vm.counters.cowFaults);
        int free0 = h.phys.freeCount();

        child.exit();
        h.check();
        assertNull(shadow.backingObject, "the chain folded into one object");
        assertTrue(original.isDead());
        assertEquals(1, h.vm.counters.collapses);
        assertEquals(N / 2, h.vm.counters.collapsedPages, "the pages only the parent still used moved up");
        assertEquals(N, shadow.residentCount());
        assertTrue(h.phys.freeCount() >= free0 + N / 2, "the shadowed originals were freed");
        for (int i = 0; i < N; i++) {
            assertEquals(i < N / 2 ? 0x200 + i : 0x100 + i, h.peek(parent, a + i * PAGE_SIZE), "page " + i);
        }
        // The moved pages are the parent's own now: a write fault maps them writeable, copying nothing.
        long cow = h.vm.counters.cowFaults, last = a + (N - 1) * PAGE_SIZE;
        long pa = parent.pmap().extract(last);
        assertFalse(h.canWrite(parent, last), "still mapped read-only from before the fork partner left");
        assertEquals(KERN_SUCCESS, h.fault(parent, last, VM_PROT_WRITE));
        assertEquals(cow, h.vm.counters.cowFaults);
        assertTrue(h.canWrite(parent, last));
        assertEquals(pa, parent.pmap().extract(last), "the same physical page");
    }

    @Test
    void anObjectNobodyElseUsesNeedsNoShadowAfterTheForkPartnerLeft() {
        h.vm.setSuperpagesEnabled(false);
        VmSpace parent = VmSpace.create(h.vm);
        long a = h.mmap(parent, 0, N * PAGE_SIZE, VM_PROT_RW, PRIVATE);
        for (int i = 0; i < N; i++) h.poke(parent, a + i * PAGE_SIZE, 0x100 + i);
        VmObject original = entry(parent, a).object;
        VmSpace child = parent.fork();
        child.exit();
        h.check();
        assertTrue(entry(parent, a).needsCopy(), "fork marked it; nobody wrote since");
        h.poke(parent, a, 0x999);
        assertSame(original, entry(parent, a).object, "no shadow was made");
        assertFalse(entry(parent, a).needsCopy());
        assertEquals(0, h.vm.counters.cowFaults + h.vm.counters.cowOptim);
        assertEquals(0x999, h.peek(parent, a));
        assertEquals(0x101, h.peek(parent, a + PAGE_SIZE));
    }

    @Test
    void collapseLeavesASharedBackingObjectAlone() {
        VmSpace parent = VmSpace.create(h.vm);
        long a = h.mmap(parent, 0, N * PAGE_SIZE, VM_PROT_RW, PRIVATE);
        for (int i = 0; i < N; i++) h.poke(parent, a + i * PAGE_SIZE, 0x100 + i);
        VmSpace child = parent.fork();
        h.poke(parent, a, 1);
        h.poke(child, a, 2);
        VmObject shadow = entry(parent, a).object;
        shadow.collapse();
        h.check();
        assertNotNull(shadow.backingObject, "the backing object still serves the child");
        assertEquals(0, h.vm.counters.collapses);
        assertEquals(0x101, h.peek(child, a + PAGE_SIZE));
        assertEquals(1, h.peek(parent, a));
        assertEquals(2, h.peek(child, a));
    }

    @Test
    void withReservationsEveryPageComesBackWhenBothSidesHaveExited() {
        int free0 = h.phys.freeCount();
        VmSpace parent = VmSpace.create(h.vm);
        long a = h.mmap(parent, 0, 2 * NBPDR, VM_PROT_RW, PRIVATE);
        for (long off = 0; off < 2 * NBPDR; off += 16 * PAGE_SIZE) h.poke(parent, a + off, off);
        VmSpace child = parent.fork();
        for (long off = 0; off < NBPDR; off += 32 * PAGE_SIZE) h.poke(parent, a + off, ~off);
        child.exit();
        h.check();
        assertEquals(1, h.vm.counters.collapses);
        for (long off = 0; off < 2 * NBPDR; off += 16 * PAGE_SIZE) {
            assertEquals(off < NBPDR && off % (32 * PAGE_SIZE) == 0 ? ~off : off, h.peek(parent, a + off));
        }
        parent.exit();
        h.check();
        assertEquals(free0, h.phys.freeCount(), "no page or reservation leaked");
    }
}
