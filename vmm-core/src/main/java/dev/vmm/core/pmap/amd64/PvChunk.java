package dev.vmm.core.pmap.amd64;

import dev.vmm.core.vm.VmPage;

/**
 * struct pv_chunk: a wired page of a pmap that holds up to {@link PmapBits#NPCPV} pv entries. pv entries
 * cost real guest RAM this way, so running out of pages can be solved by reclaiming chunks (destroying
 * non-wired mappings of other pmaps), as reclaim_pv_chunk does. Ownership: the chunk's pmap.
 */
final class PvChunk {
    /** (c) */
    final AmdPmap pmap;
    /** (c) the page the chunk lives in. */
    final VmPage page;
    /** (c) the entries, made once with the chunk and reused: get_pv_entry allocates nothing. */
    final PvEntry[] slots = new PvEntry[PmapBits.NPCPV];
    /** pc_map: a set bit is a free slot. */
    private final long[] map = new long[(PmapBits.NPCPV + 63) / 64];
    int used;

    PvChunk(AmdPmap pmap, VmPage page) {
        this.pmap = pmap;
        this.page = page;
        for (int i = 0; i < slots.length; i++) {
            PvEntry pv = new PvEntry(pmap, 0);
            pv.chunk = this;
            pv.slot = i;
            slots[i] = pv;
            release(i);
        }
    }

    boolean full() { return used == slots.length; }

    boolean inUse(int slot) { return (map[slot >>> 6] & (1L << slot)) == 0; }

    /** The lowest free slot, now in use, or -1 when the chunk is full. */
    int take() {
        for (int w = 0; w < map.length; w++) {
            if (map[w] != 0) {
                int bit = Long.numberOfTrailingZeros(map[w]);
                map[w] &= ~(1L << bit);
                return (w << 6) + bit;
            }
        }
        return -1;
    }

    void release(int slot) { map[slot >>> 6] |= 1L << slot; }
}
