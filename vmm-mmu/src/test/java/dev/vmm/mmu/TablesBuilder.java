package dev.vmm.mmu;

/**
 * Builds 4-level (or 5-level) page tables in a {@link PhysicalMemory} for tests: tables come from a bump
 * allocator starting at 1 MiB; every upper-level entry created is P|RW|US so that the leaf and the
 * entries a test sets decide the rights.
 */
final class TablesBuilder {
    static final long UPPER = Pte.P | Pte.RW | Pte.US;

    final PhysicalMemory mem;
    final long root;
    final int levels;
    private long next = 0x10_0000;

    TablesBuilder(PhysicalMemory mem, int levels) {
        this.mem = mem;
        this.levels = levels;
        this.root = alloc();
    }

    long alloc() {
        long t = next;
        next += 0x1000;
        mem.zero(t, 0x1000);
        return t;
    }

    /** Address of the entry for {@code lin} at {@code level} (4 = PML4E ... 1 = PTE), creating tables above. */
    long entryAddr(long lin, int level) {
        long table = root;
        for (int lv = levels; lv > level; lv--) {
            long ea = table + (((lin >>> (12 + 9 * (lv - 1))) & 0x1FF) << 3);
            long e = mem.read64(ea);
            if ((e & Pte.P) == 0) {
                e = alloc() | UPPER;
                mem.write64(ea, e);
            }
            table = e & Pte.ADDR_MASK;
        }
        return table + (((lin >>> (12 + 9 * (level - 1))) & 0x1FF) << 3);
    }

    /** Maps the 4 KiB page at {@code lin} to {@code pa} with the given flags. */
    long map4k(long lin, long pa, long flags) {
        long ea = entryAddr(lin, 1);
        mem.write64(ea, pa | flags);
        return ea;
    }

    /** Maps a 2 MiB page. */
    long map2m(long lin, long pa, long flags) {
        long ea = entryAddr(lin, 2);
        mem.write64(ea, pa | flags | Pte.PS);
        return ea;
    }

    /** Maps a 1 GiB page. */
    long map1g(long lin, long pa, long flags) {
        long ea = entryAddr(lin, 3);
        mem.write64(ea, pa | flags | Pte.PS);
        return ea;
    }
}
