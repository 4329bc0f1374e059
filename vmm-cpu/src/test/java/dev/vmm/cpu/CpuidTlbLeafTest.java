package dev.vmm.cpu;

import dev.vmm.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * CPUID leaves 2, 4 and 0x18 describe the TLB model the vCPU really has, in the SDM's encoding
 * (CPUID 02H descriptor 0xFF/0xFE, 04H type 0, 18H sub-leaves): the default geometry's L1 DTLB for 4 KiB
 * pages is 64 entries, 4-way, so 16 sets.
 */
class CpuidTlbLeafTest {
    private final Cpu c = new Cpu(0, new PhysicalMemory(4 << 20), null);

    private long[] cpuid(int leaf, int sub) {
        c.r[0] = leaf;
        c.r[1] = sub;
        Cpuid.execute(c);
        return new long[] {c.r[0], c.r[3], c.r[1], c.r[2]}; // EAX, EBX, ECX, EDX
    }

    @Test
    void leaf0ReachesLeaf18AndLeaf2PointsThere() {
        assertTrue(cpuid(0, 0)[0] >= 0x18);
        assertEquals(0x00FE_FF01L, cpuid(2, 0)[0], "AL=1, descriptors 0xFF (see leaf 4) and 0xFE (see leaf 18H)");
        assertEquals(0, cpuid(4, 0)[0] & 0x1F, "leaf 4: cache type 0, no caches modelled");
    }

    @Test
    void leaf18EnumeratesEveryTlbArray() {
        long[] first = cpuid(0x18, 0);
        int n = (int) first[0] + 1;
        assertEquals(c.tlb.arrays().size(), n);
        boolean sawL1d4k = false, sawStlb = false;
        for (int i = 0; i < n; i++) {
            long[] v = cpuid(0x18, i);
            int type = (int) (v[3] & 0x1F), level = (int) ((v[3] >>> 5) & 7), ways = (int) (v[1] >>> 16);
            long sets = v[2];
            assertTrue(type >= 1 && type <= 3 && level >= 1 && level <= 2, "sub-leaf " + i);
            if (type == 1 && level == 1 && (v[1] & 0xF) == 1) {
                sawL1d4k = true;
                assertEquals(4, ways);
                assertEquals(16, sets);
                assertEquals(0, v[3] & (1 << 8), "not fully associative");
            }
            if (type == 3 && level == 2 && (v[1] & 0x3) == 0x3) {
                sawStlb = true;
                assertEquals(12, ways);
                assertEquals(128, sets, "1536 entries / 12 ways");
            }
        }
        assertTrue(sawL1d4k && sawStlb);
        assertArrayEquals(new long[] {0, 0, 0, 0}, cpuid(0x18, n), "past the last sub-leaf: type 0");
    }
}
