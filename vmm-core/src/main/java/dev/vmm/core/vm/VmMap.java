package dev.vmm.core.vm;

import dev.vmm.core.pmap.Pmap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.vmm.core.vm.VmParam.*;

/**
 * struct vm_map: the entries of one address space, sorted and non-overlapping, and its pmap.
 * Implements vm_map_insert, vm_map_findspace, vm_map_lookup_entry, clipping, vm_map_delete,
 * vm_map_protect, vm_map_inherit and vm_map_wire/unwire. Results are KERN_* codes.
 * Field tags: (m) the map lock (the VM lock here); (c) constant.
 */
public final class VmMap {
    /** (c) */
    final VmSystem vm;
    public final Pmap pmap;
    /** (c) valid user addresses [min, max). */
    public final long min, max;
    /** (m) entries by start address. */
    final TreeMap<Long, VmMapEntry> entries = new TreeMap<>();

    VmMap(VmSystem vm, Pmap pmap, long min, long max) {
        this.vm = vm;
        this.pmap = pmap;
        this.min = min;
        this.max = max;
    }

    /** vm_map_lookup_entry: the entry containing {@code va}, or null. */
    public VmMapEntry lookupEntry(long va) {
        VmMapEntry h = hint;
        if (h != null && va >= h.start && va < h.end) return h; // faults cluster: no tree walk, no boxing
        Map.Entry<Long, VmMapEntry> e = entries.floorEntry(va);
        if (e == null || va >= e.getValue().end) return null;
        hint = e.getValue();
        return hint;
    }

    /** The entry the last lookup found (FreeBSD's map->root after a splay); cleared when entries go. */
    private VmMapEntry hint;

    public List<VmMapEntry> entries() { return List.copyOf(entries.values()); }

    boolean rangeFree(long start, long end) {
        if (start < min || end > max || end <= start) return false;
        Map.Entry<Long, VmMapEntry> below = entries.lowerEntry(end);
        return below == null || below.getValue().end <= start;
    }

    /** vm_map_findspace: the lowest free range of {@code len} bytes at or above {@code hint}, or -1. */
    long findSpace(long hint, long len) {
        long a = Math.max(hint, min);
        while (a + len <= max && a + len > a) {
            Map.Entry<Long, VmMapEntry> below = entries.lowerEntry(a + len);
            if (below == null || below.getValue().end <= a) return a;
            a = below.getValue().end;
        }
        return -1;
    }

    VmMapEntry insert(long start, long end, VmObject obj, long offset, int prot, int maxProt) {
        VmMapEntry e = new VmMapEntry(start, end, obj, offset, prot, maxProt);
        entries.put(start, e);
        return e;
    }

    /** Splits entries so that {@code addr} is an entry boundary (vm_map_clip_start/end). */
    void clip(long addr) {
        VmMapEntry e = lookupEntry(addr);
        if (e == null || e.start == addr) return;
        VmMapEntry tail = e.copyRange(addr, e.end);
        if (e.object != null) e.object.reference();
        e.end = addr;
        entries.put(addr, tail);
    }

    /** The entries inside [start, end) after clipping at both ends. */
    List<VmMapEntry> clipRange(long start, long end) {
        clip(start);
        clip(end);
        return new ArrayList<>(entries.subMap(start, end).values());
    }

    /** Whether [start, end) is covered by entries without holes. */
    boolean covered(long start, long end) {
        long a = start;
        while (a < end) {
            VmMapEntry e = lookupEntry(a);
            if (e == null) return false;
            a = e.end;
        }
        return true;
    }

    /** vm_map_delete: unwires, removes the mappings, drops the object references. */
    int delete(long start, long end) {
        for (VmMapEntry e : clipRange(start, end)) {
            if (e.wiredCount > 0) unwireEntry(e);
            pmap.remove(e.start, e.end);
            VmObject o = e.object;
            if (o != null) {
                if (o.refCount == 1 && o.shadowCount == 0) o.pageRemove(e.offset, e.offset + e.pages());
                o.deallocate();
            }
            entries.remove(e.start);
            if (hint == e) hint = null;
        }
        return KERN_SUCCESS;
    }

    /** vm_map_protect: new protection (or maximum) for [start, end); only restrictions reach the pmap at once. */
    int protect(long start, long end, int prot, boolean setMax) {
        if (!covered(start, end)) return KERN_INVALID_ADDRESS;
        for (VmMapEntry e = lookupEntry(start); e != null && e.start < end; e = next(e)) {
            if ((prot & ~e.maxProtection) != 0) return KERN_PROTECTION_FAILURE;
        }
        for (VmMapEntry e : clipRange(start, end)) {
            int old = e.protection;
            if (setMax) { e.maxProtection = prot; e.protection &= prot; } else e.protection = prot;
            if (e.protection != old) {
                int p = e.protection;
                if (e.needsCopy()) p &= ~VM_PROT_WRITE;
                pmap.protect(e.start, e.end, p);
            }
        }
        return KERN_SUCCESS;
    }

    VmMapEntry next(VmMapEntry e) {
        Map.Entry<Long, VmMapEntry> n = entries.higherEntry(e.start);
        return n == null ? null : n.getValue();
    }

    int inherit(long start, long end, int inheritance) {
        if (inheritance < VM_INHERIT_SHARE || inheritance > VM_INHERIT_NONE) return KERN_INVALID_ARGUMENT;
        for (VmMapEntry e : clipRange(start, end)) e.inheritance = inheritance;
        return KERN_SUCCESS;
    }

    /** vm_map_wire (mlock): the first wiring faults every page in with VM_FAULT_WIRE. */
    int wire(long start, long end) {
        if (!covered(start, end)) return KERN_INVALID_ADDRESS;
        for (VmMapEntry e : clipRange(start, end)) {
            if (e.protection == VM_PROT_NONE) return KERN_PROTECTION_FAILURE;
        }
        for (VmMapEntry e : clipRange(start, end)) {
            if (e.wiredCount++ > 0) continue;
            for (long va = e.start; va < e.end; va += PAGE_SIZE) {
                int rv = VmFault.fault(this, va, VM_PROT_NONE, VmFault.VM_FAULT_WIRE);
                if (rv != KERN_SUCCESS) {
                    // Undo this entry's partial wiring; earlier entries stay wired, as vm_map_wire reports.
                    for (long u = e.start; u < va; u += PAGE_SIZE) unwirePage(u);
                    pmap.unwire(e.start, va);
                    e.wiredCount--;
                    return rv;
                }
            }
        }
        return KERN_SUCCESS;
    }

    /** vm_map_unwire (munlock): the last unwiring unwires the mappings and the pages. */
    int unwire(long start, long end) {
        if (!covered(start, end)) return KERN_INVALID_ADDRESS;
        for (VmMapEntry e = lookupEntry(start); e != null && e.start < end; e = next(e)) {
            if (e.wiredCount == 0) return KERN_INVALID_ARGUMENT;
        }
        for (VmMapEntry e : clipRange(start, end)) {
            if (--e.wiredCount == 0) { e.wiredCount = 1; unwireEntry(e); }
        }
        return KERN_SUCCESS;
    }

    private void unwireEntry(VmMapEntry e) {
        for (long va = e.start; va < e.end; va += PAGE_SIZE) unwirePage(va);
        pmap.unwire(e.start, e.end);
        e.wiredCount = 0;
    }

    private void unwirePage(long va) {
        long pa = pmap.extract(va);
        VmPage m = pa == 0 ? null : vm.phys().page(pa);
        if (m != null) m.unwire();
    }
}
