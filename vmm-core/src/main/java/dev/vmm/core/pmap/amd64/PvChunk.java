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
    final PvEntry[] slots = new PvEntry[PmapBits.NPCPV];
    int used;

    PvChunk(AmdPmap pmap, VmPage page) {
        this.pmap = pmap;
        this.page = page;
    }

    boolean full() { return used == slots.length; }
}
