package dev.vmm.core.boot;

import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.vmm.core.boot.MemoryMap.TYPE_AVAILABLE;
import static dev.vmm.core.boot.MemoryMap.TYPE_RESERVED;
import static org.junit.jupiter.api.Assertions.*;

/** The PC memory map firmware reports, for small and for large (above 4 GiB) RAM. */
class MemoryMapTest {
    private static final long MiB = 1 << 20, GiB = 1L << 30;

    @Test
    void smallMachine() {
        assertEquals(List.of(
                new MemoryMap.Entry(0, 0x9FC00, TYPE_AVAILABLE),
                new MemoryMap.Entry(0x9FC00, 0x400, TYPE_RESERVED),
                new MemoryMap.Entry(0xF0000, 0x10000, TYPE_RESERVED),
                new MemoryMap.Entry(0x100000, 31 * MiB, TYPE_AVAILABLE),
                new MemoryMap.Entry(0xFEC00000L, 0x1000, TYPE_RESERVED),
                new MemoryMap.Entry(0xFEE00000L, 0x1000, TYPE_RESERVED),
                new MemoryMap.Entry(0xFFFC0000L, 0x40000, TYPE_RESERVED)),
                MemoryMap.of(new PhysicalMemory(32 * MiB)));
    }

    @Test
    void ramAbove3GiBContinuesAt4GiB() {
        List<MemoryMap.Entry> map = MemoryMap.of(new PhysicalMemory(6 * GiB));
        assertEquals(new MemoryMap.Entry(MiB, 3 * GiB - MiB, TYPE_AVAILABLE), map.get(3));
        assertEquals(new MemoryMap.Entry(4 * GiB, 3 * GiB, TYPE_AVAILABLE), map.getLast());
    }

    @Test
    void sortedAndDisjoint() {
        List<MemoryMap.Entry> map = MemoryMap.of(new PhysicalMemory(5 * GiB));
        for (int i = 1; i < map.size(); i++) assertTrue(map.get(i - 1).end() <= map.get(i).base(), map.get(i).toString());
    }

    @Test
    void oneMiBMachineHasNoHighMemory() {
        List<MemoryMap.Entry> map = MemoryMap.of(new PhysicalMemory(MiB));
        assertTrue(map.stream().noneMatch(e -> e.base() == MiB));
    }
}
