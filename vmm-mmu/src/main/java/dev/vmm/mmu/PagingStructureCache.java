package dev.vmm.mmu;

/**
 * The paging-structure caches of 4-level and 5-level paging (Intel SDM vol. 3, 4.10.3): a PML4E cache,
 * a PDPTE cache and a PDE cache, each mapping the upper bits of a linear address (and the PCID) to the
 * physical address of the next paging structure and the rights the walk has combined so far. A walk
 * that hits starts below the cached level and does not read (or set A in) the entries above it, so a
 * guest that changes an upper-level entry without invalidating can still be served the old one, as
 * on real hardware.
 *
 * <p>Entries are made only from walks that succeed (so every cached entry had P=1, no reserved bit, and
 * A already set), never for the PML5E level (no processor is documented to cache it separately) nor for
 * PAE or 32-bit paging (SDM 4.10.3 allows but does not require it). Invalidation (SDM 4.10.4.1): MOV CR3,
 * INVLPG and INVPCID types 0 and 1 drop every entry of the PCID concerned, whatever the address; INVPCID
 * types 2 and 3, CR4 and CR0 paging changes drop all.
 *
 * <p>Thread safety: owned by one vCPU.
 */
public final class PagingStructureCache {
    /** Index by the level of the entry cached: 4 = PML4E, 3 = PDPTE, 2 = PDE. */
    private final TlbArray[] byLevel = new TlbArray[5];

    public PagingStructureCache(int pml4e, int pdpte, int pde) {
        if (pml4e > 0) byLevel[4] = new TlbArray("PML4E cache", 0, false, 1, pml4e, TlbArray.Replacement.LRU, 39);
        if (pdpte > 0) byLevel[3] = new TlbArray("PDPTE cache", 0, false, 1, pdpte, TlbArray.Replacement.LRU, 30);
        if (pde > 0) byLevel[2] = new TlbArray("PDE cache", 0, false, 1, pde, TlbArray.Replacement.LRU, 21);
    }

    /** The array caching entries of {@code level} (4, 3 or 2), or null when that cache is off. */
    public TlbArray level(int level) { return level >= 2 && level <= 4 ? byLevel[level] : null; }

    /**
     * Finds the lowest cached level for {@code lin}: returns the level of the entry found (2, 3, 4) with
     * {@code out[0]} = next table address and {@code out[1]} = combined rights, or 0 on a miss.
     */
    int lookup(long lin, int pcid, long[] out) {
        for (int level = 2; level <= 4; level++) {
            TlbArray a = byLevel[level];
            if (a == null) continue;
            int k = a.find(lin, pcid);
            if (k >= 0) {
                a.touch(k);
                out[0] = a.base[k];
                out[1] = a.perm[k];
                return level;
            }
        }
        return 0;
    }

    void insert(int level, long lin, int pcid, long nextTable, int rights) {
        TlbArray a = byLevel[level];
        if (a == null) return;
        int s = a.shifts[0];
        a.set(a.victim(lin, s, pcid), lin, s, pcid, false, nextTable, rights);
    }

    void invalidatePcid(int pcid) {
        for (TlbArray a : byLevel) {
            if (a == null) continue;
            for (int k = 0; k < a.entries(); k++) if (a.pcid[k] == pcid) a.clear(k);
        }
    }

    void invalidateAll() {
        for (TlbArray a : byLevel) {
            if (a == null) continue;
            for (int k = 0; k < a.entries(); k++) a.clear(k);
        }
    }
}
