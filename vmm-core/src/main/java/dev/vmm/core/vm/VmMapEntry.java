package dev.vmm.core.vm;

/**
 * struct vm_map_entry: one contiguous range [start, end) of an address space with its backing object
 * (or none yet: anonymous memory gets its object at the first fault), protection, maximum protection,
 * inheritance for fork and wiring. Field tags: (m) the map lock.
 */
public final class VmMapEntry {
    /** eflags: the entry shares its object copy-on-write and must shadow it before the first write. */
    public static final int MAP_ENTRY_NEEDS_COPY = 0x1;
    public static final int MAP_ENTRY_COW = 0x2;

    /** (m) */
    public long start, end;
    /** (m) the first object of the shadow chain, or null until the first fault. */
    public VmObject object;
    /** (m) pindex in {@link #object} of {@link #start}. */
    public long offset;
    /** (m) VM_PROT_* */
    public int protection, maxProtection;
    /** (m) VM_INHERIT_* */
    public int inheritance = VmParam.VM_INHERIT_COPY;
    /** (m) mlock count (vm_map_entry wired_count). */
    public int wiredCount;
    /** (m) MAP_ENTRY_* */
    public int eflags;

    VmMapEntry(long start, long end, VmObject object, long offset, int protection, int maxProtection) {
        this.start = start;
        this.end = end;
        this.object = object;
        this.offset = offset;
        this.protection = protection;
        this.maxProtection = maxProtection;
    }

    public boolean needsCopy() { return (eflags & MAP_ENTRY_NEEDS_COPY) != 0; }

    public long pages() { return (end - start) >>> VmParam.PAGE_SHIFT; }

    /** pindex in the entry's object for {@code va}. */
    public long pindex(long va) { return offset + ((va - start) >>> VmParam.PAGE_SHIFT); }

    VmMapEntry copyRange(long s, long e) {
        VmMapEntry n = new VmMapEntry(s, e, object, pindex(s), protection, maxProtection);
        n.inheritance = inheritance;
        n.wiredCount = wiredCount;
        n.eflags = eflags;
        return n;
    }

    @Override
    public String toString() {
        return String.format("[%#x-%#x prot %d/%d inh %d wired %d%s %s]", start, end, protection, maxProtection, inheritance,
            wiredCount, needsCopy() ? " needs_copy" : "", object);
    }
}
