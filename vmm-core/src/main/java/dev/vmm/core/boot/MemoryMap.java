package dev.vmm.core.boot;

import dev.vmm.mmu.PhysicalMemory;

import java.util.ArrayList;
import java.util.List;

/**
 * The physical memory map firmware reports to a kernel (BIOS E820, Multiboot mmap), for this machine's
 * PC layout. Sorted by base, non-overlapping:
 *
 * <pre>
 * 0x0000_0000 - 0x0009_FBFF   available   conventional memory
 * 0x0009_FC00 - 0x0009_FFFF   reserved    extended BIOS data area
 * 0x000F_0000 - 0x000F_FFFF   reserved    BIOS ROM
 * 0x0010_0000 - low RAM end   available   (low RAM ends at min(RAM, 3 GiB))
 * 0xFEC0_0000 - 0xFEC0_0FFF   reserved    IOAPIC
 * 0xFEE0_0000 - 0xFEE0_0FFF   reserved    local APIC
 * 0xFFFC_0000 - 0xFFFF_FFFF   reserved    BIOS flash alias
 * 4 GiB       - high RAM end  available   RAM above 3 GiB, when there is any
 * </pre>
 * The legacy VGA window (0xA0000-0xEFFFF) is a hole: absent from the map, as on real PCs.
 */
public final class MemoryMap {
    public static final int TYPE_AVAILABLE = 1;
    public static final int TYPE_RESERVED = 2;

    public static final long EBDA_BASE = 0x9FC00;
    public static final long BIOS_BASE = 0xF0000;
    public static final long HIGH_MEMORY = 0x100000;
    public static final long IOAPIC_BASE = 0xFEC00000L;
    public static final long LAPIC_BASE = 0xFEE00000L;
    public static final long BIOS_FLASH_BASE = 0xFFFC0000L;

    /** One range: [base, base+length), of type {@link #TYPE_AVAILABLE} or {@link #TYPE_RESERVED}. */
    public record Entry(long base, long length, int type) {
        public long end() { return base + length; }
    }

    private MemoryMap() { }

    /** The map for {@code mem}'s RAM layout. */
    public static List<Entry> of(PhysicalMemory mem) { return of(mem, Long.MAX_VALUE); }

    /**
     * The map when the low RAM from {@code guestRamEnd} up belongs to the hypervisor (the pv page pool):
     * that part is reported reserved, as firmware reports RAM it keeps for itself.
     */
    public static List<Entry> of(PhysicalMemory mem, long guestRamEnd) {
        List<long[]> ram = mem.ramRanges();
        long ramEnd = ram.get(0)[1], lowEnd = Math.min(ramEnd, guestRamEnd);
        List<Entry> map = new ArrayList<>();
        map.add(new Entry(0, Math.min(EBDA_BASE, lowEnd), TYPE_AVAILABLE));
        map.add(new Entry(EBDA_BASE, 0xA0000 - EBDA_BASE, TYPE_RESERVED));
        map.add(new Entry(BIOS_BASE, HIGH_MEMORY - BIOS_BASE, TYPE_RESERVED));
        if (lowEnd > HIGH_MEMORY) map.add(new Entry(HIGH_MEMORY, lowEnd - HIGH_MEMORY, TYPE_AVAILABLE));
        if (ramEnd > lowEnd) map.add(new Entry(lowEnd, ramEnd - lowEnd, TYPE_RESERVED));
        map.add(new Entry(IOAPIC_BASE, 0x1000, TYPE_RESERVED));
        map.add(new Entry(LAPIC_BASE, 0x1000, TYPE_RESERVED));
        map.add(new Entry(BIOS_FLASH_BASE, (1L << 32) - BIOS_FLASH_BASE, TYPE_RESERVED));
        for (int i = 1; i < ram.size(); i++) {
            long[] r = ram.get(i);
            map.add(new Entry(r[0], r[1] - r[0], TYPE_AVAILABLE));
        }
        return List.copyOf(map);
    }

    /** The end of RAM below 4 GiB: the top of what a Multiboot kernel and its boot data may use. */
    public static long lowRamEnd(PhysicalMemory mem) {
        return mem.ramRanges().get(0)[1];
    }
}
