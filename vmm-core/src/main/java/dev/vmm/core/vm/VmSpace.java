package dev.vmm.core.vm;

import dev.vmm.core.pmap.Pmap;

import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.vm.VmParam.*;

/**
 * struct vmspace: a user address space (a {@link VmMap} and its pmap) and the system calls that act on
 * it: mmap, munmap, mprotect, madvise, minherit, mlock, munlock, mincore, fork (vmspace_fork) and exit
 * (vmspace_exit). Arguments are checked as sys/vm/vm_mmap.c does; bad arguments return
 * KERN_INVALID_ARGUMENT and change nothing. Anonymous memory only.
 *
 * <p>Locking: callers hold the VM lock ({@link VmSystem}).
 */
public final class VmSpace {
    public static final int MAP_SHARED = 0x0001, MAP_PRIVATE = 0x0002, MAP_FIXED = 0x0010, MAP_ANON = 0x1000;
    /** User addresses: [VM_MIN_ADDRESS, VM_MAXUSER_ADDRESS) as on FreeBSD amd64 (page 0 stays unmapped). */
    public static final long VM_MIN_ADDRESS = PAGE_SIZE, VM_MAXUSER_ADDRESS = 0x0000_8000_0000_0000L;

    private final VmSystem vm;
    public final VmMap map;
    private boolean exited;

    private VmSpace(VmSystem vm, Pmap pmap) {
        this.vm = vm;
        this.map = new VmMap(vm, pmap, VM_MIN_ADDRESS, VM_MAXUSER_ADDRESS);
    }

    /** vmspace_alloc: a new empty address space with a fresh pmap (pmap_pinit). */
    public static VmSpace create(VmSystem vm) {
        Pmap p = vm.pmap().pinit(true);
        p.pinit2();
        return new VmSpace(vm, p);
    }

    public Pmap pmap() { return map.pmap; }

    public boolean exited() { return exited; }

    private static boolean badRange(long addr, long len) {
        return (addr & PAGE_MASK) != 0 || len <= 0 || addr < 0 || addr + len < addr;
    }

    /** mmap(addr, len, prot, flags) of anonymous memory; the address chosen goes to {@code out[0]}. */
    public int mmap(long addr, long len, int prot, int flags, long[] out) {
        if (len <= 0 || (prot & ~VM_PROT_ALL) != 0) return KERN_INVALID_ARGUMENT;
        if ((flags & ~(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANON)) != 0 || (flags & MAP_ANON) == 0) return KERN_INVALID_ARGUMENT;
        if ((flags & (MAP_SHARED | MAP_PRIVATE)) == (MAP_SHARED | MAP_PRIVATE)) return KERN_INVALID_ARGUMENT;
        long size = roundPage(len);
        if (size <= 0) return KERN_INVALID_ARGUMENT;
        long start;
        if ((flags & MAP_FIXED) != 0) {
            if ((addr & PAGE_MASK) != 0) return KERN_INVALID_ARGUMENT;
            if (addr < map.min || addr + size > map.max || addr + size < addr) return KERN_INVALID_ADDRESS;
            map.delete(addr, addr + size);
            start = addr;
        } else {
            // A superpage-aligned placement for large requests, so that reservations can be promoted.
            long hint = truncPage(addr);
            if (size >= NBPDR) hint = (Math.max(hint, map.min) + PDRMASK) & ~PDRMASK;
            start = map.findSpace(hint, size);
            if (start < 0) start = map.findSpace(map.min, size);
            if (start < 0) return KERN_NO_SPACE;
        }
        VmObject obj = null;
        if ((flags & MAP_SHARED) != 0) obj = vm.allocateObject(size >>> PAGE_SHIFT);
        VmMapEntry e = map.insert(start, start + size, obj, 0, prot, VM_PROT_ALL);
        if ((flags & MAP_SHARED) != 0) e.inheritance = VM_INHERIT_SHARE;
        out[0] = start;
        return KERN_SUCCESS;
    }

    public int munmap(long addr, long len) {
        if (badRange(addr, len)) return KERN_INVALID_ARGUMENT;
        long end = addr + roundPage(len);
        if (addr < map.min || end > map.max) return KERN_INVALID_ARGUMENT;
        return map.delete(addr, end);
    }

    public int mprotect(long addr, long len, int prot) {
        if (badRange(addr, len) || (prot & ~VM_PROT_ALL) != 0) return KERN_INVALID_ARGUMENT;
        return map.protect(addr, addr + roundPage(len), prot, false);
    }

    public int minherit(long addr, long len, int inheritance) {
        if (badRange(addr, len)) return KERN_INVALID_ARGUMENT;
        return map.inherit(addr, addr + roundPage(len), inheritance);
    }

    /** madvise: DONTNEED and FREE reach the pmap (pmap_advise) and the pages; the others are hints. */
    public int madvise(long addr, long len, int advice) {
        if (badRange(addr, len) || advice < MADV_NORMAL || advice > MADV_FREE) return KERN_INVALID_ARGUMENT;
        long end = addr + roundPage(len);
        if (!map.covered(addr, end)) return KERN_INVALID_ADDRESS;
        if (advice != MADV_DONTNEED && advice != MADV_FREE) return KERN_SUCCESS;
        for (VmMapEntry e : map.clipRange(addr, end)) {
            if (e.wiredCount > 0 || e.object == null) continue;
            VmObject o = e.object;
            long mine = map.entries.values().stream().filter(x -> x.object == o).count();
            // OBJ_ONEMAPPING: every reference is one of this map's entries (clipping adds references).
            boolean privateAnon = o.refCount == mine && o.shadowCount == 0 && o.backingObject == null;
            if (advice == MADV_FREE && !privateAnon) continue; // vm_object_madvise: only unshared anonymous memory
            map.pmap.advise(e.start, e.end, advice);
            for (VmPage m : o.pagesIn(e.offset, e.offset + e.pages())) {
                if (m.wireCount > 0 || m.busy) continue;
                if (advice == MADV_FREE) { vm.pmap().removeWrite(m); m.dirty = 0; }
                vm.enqueue(m, VmPage.PQ_INACTIVE);
            }
        }
        return KERN_SUCCESS;
    }

    public int mlock(long addr, long len) {
        if (len <= 0) return KERN_INVALID_ARGUMENT;
        long start = truncPage(addr), end = roundPage(addr + len);
        if (start < map.min || end > map.max || end <= start) return KERN_INVALID_ARGUMENT;
        return map.wire(start, end);
    }

    public int munlock(long addr, long len) {
        if (len <= 0) return KERN_INVALID_ARGUMENT;
        long start = truncPage(addr), end = roundPage(addr + len);
        if (start < map.min || end > map.max || end <= start) return KERN_INVALID_ARGUMENT;
        return map.unwire(start, end);
    }

    /** mincore: one MINCORE_* byte per page into {@code vec}. */
    public int mincore(long addr, long len, byte[] vec) {
        if (badRange(addr, len)) return KERN_INVALID_ARGUMENT;
        long end = addr + roundPage(len);
        if (vec.length < (end - addr) >>> PAGE_SHIFT) return KERN_INVALID_ARGUMENT;
        if (!map.covered(addr, end)) return KERN_NO_SPACE;
        long[] pa = {0};
        for (long va = addr; va < end; va += PAGE_SIZE) {
            pa[0] = 0;
            int val = map.pmap.mincore(va, pa);
            VmPage m = null;
            if ((val & MINCORE_INCORE) == 0) {
                VmMapEntry e = map.lookupEntry(va);
                VmObject o = e.object;
                long pi = e.pindex(va);
                while (o != null && (m = o.lookup(pi)) == null) { pi += o.backingOffset; o = o.backingObject; }
                if (m != null) val = MINCORE_INCORE;
            } else if (pa[0] != 0) {
                m = vm.phys().page(pa[0]);
            }
            if (m != null && m.managed) {
                if (m.isDirty() || vm.pmap().isModified(m)) val |= MINCORE_MODIFIED_OTHER;
                if (m.hasAflag(VmPage.PGA_REFERENCED) || vm.pmap().isReferenced(m)) val |= MINCORE_REFERENCED_OTHER;
            }
            vec[(int) ((va - addr) >>> PAGE_SHIFT)] = (byte) val;
        }
        return KERN_SUCCESS;
    }

    /** vmspace_fork: SHARE entries share the object, COPY entries become copy-on-write in both, NONE are left out. */
    public VmSpace fork() {
        VmSpace child = create(vm);
        for (VmMapEntry e : map.entries()) {
            if (e.inheritance == VM_INHERIT_NONE) continue;
            if (e.inheritance == VM_INHERIT_SHARE) {
                if (e.object == null) { e.object = vm.allocateObject(e.pages()); e.offset = 0; }
                e.object.reference();
                VmMapEntry n = child.map.insert(e.start, e.end, e.object, e.offset, e.protection, e.maxProtection);
                n.inheritance = VM_INHERIT_SHARE;
                continue;
            }
            if (e.wiredCount > 0) { copyWiredEntry(e, child); continue; }
            VmMapEntry n = child.map.insert(e.start, e.end, e.object, e.offset, e.protection, e.maxProtection);
            if (e.object == null) continue;
            e.object.reference();
            e.eflags |= VmMapEntry.MAP_ENTRY_NEEDS_COPY | VmMapEntry.MAP_ENTRY_COW;
            n.eflags = e.eflags;
            map.pmap.protect(e.start, e.end, e.protection & ~VM_PROT_WRITE);
            child.map.pmap.copy(map.pmap, e.start, e.end - e.start, e.start);
        }
        return child;
    }

    /** vm_fault_copy_entry: a wired entry is copied at once (its pages must not become copy-on-write). */
    private void copyWiredEntry(VmMapEntry e, VmSpace child) {
        VmObject dst = vm.allocateObject(e.pages());
        for (long i = 0; i < e.pages(); i++) {
            VmObject o = e.object;
            long pi = e.offset + i;
            VmPage m = null;
            while (o != null && (m = o.lookup(pi)) == null) { pi += o.backingOffset; o = o.backingObject; }
            if (m == null) continue;
            VmPage copy = dst.allocPage(i, true);
            vm.pmap().copyPage(m, copy);
            copy.valid = VmPage.VM_PAGE_BITS_ALL;
            copy.dirty();
        }
        child.map.insert(e.start, e.end, dst, 0, e.protection, e.maxProtection);
    }

    /** vmspace_exit: pmap_remove_pages, then every entry, then pmap_release. vCPUs still on it switch to the kernel pmap. */
    public void exit() {
        if (exited) return;
        Pmap pmap = map.pmap;
        long active = pmap.active();
        int cpuOnIt = Long.numberOfTrailingZeros(active);
        for (int cpu = 0; cpu < 64; cpu++) {
            if ((active & (1L << cpu)) != 0 && cpu != cpuOnIt) vm.pmap().activate(cpu, vm.pmap().kernelPmap());
        }
        pmap.removePages();
        for (VmMapEntry e : new ArrayList<>(map.entries())) map.delete(e.start, e.end);
        if (active != 0) vm.pmap().activate(cpuOnIt, vm.pmap().kernelPmap());
        pmap.release();
        exited = true;
    }

    /** copyout: writes bytes at a user address, faulting pages in for write as the kernel's copyout does. */
    public int copyout(long va, byte[] src) {
        for (int off = 0; off < src.length; ) {
            long a = va + off;
            int n = (int) Math.min(src.length - off, PAGE_SIZE - (a & PAGE_MASK));
            long pa = map.pmap.extract(a);
            VmPage m = pa == 0 ? null : vm.phys().page(pa);
            VmMapEntry e = map.lookupEntry(a);
            boolean writable = e != null && (e.protection & VM_PROT_WRITE) != 0 && !e.needsCopy() && m != null
                && m.object == e.object;
            if (!writable) {
                int rv = VmFault.fault(map, a, VM_PROT_WRITE, 0);
                if (rv != KERN_SUCCESS) return rv;
                pa = map.pmap.extract(a);
            }
            vm.phys().memory().writeBytes(pa, src, off, n);
            vm.phys().page(pa & ~PAGE_MASK).dirty();
            off += n;
        }
        return KERN_SUCCESS;
    }

    /** copyin: reads bytes from a user address (faulting pages in for read). */
    public int copyin(long va, byte[] dst) {
        for (int off = 0; off < dst.length; ) {
            long a = va + off;
            int n = (int) Math.min(dst.length - off, PAGE_SIZE - (a & PAGE_MASK));
            long pa = map.pmap.extract(a);
            if (pa == 0) {
                int rv = VmFault.fault(map, a, VM_PROT_READ, 0);
                if (rv != KERN_SUCCESS) return rv;
                pa = map.pmap.extract(a);
            }
            vm.phys().memory().readBytes(pa, dst, off, n);
            off += n;
        }
        return KERN_SUCCESS;
    }

    /** The pages of this space's entries that are resident (for tests and the monitor). */
    public List<VmMapEntry> entries() { return map.entries(); }
}
