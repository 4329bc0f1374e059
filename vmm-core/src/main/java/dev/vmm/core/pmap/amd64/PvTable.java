package dev.vmm.core.pmap.amd64;

import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmPhys;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The reverse map: for each managed page its 4 KiB mappings (md_page.pv_list) and for each 2 MiB
 * physical frame its superpage mappings (pv_table, pa_to_pvh), plus pv-chunk allocation with
 * reclamation under memory pressure (get_pv_entry, free_pv_entry, reclaim_pv_chunk).
 * Ownership: the VM lock (FreeBSD: the pv list locks and the pmap lock).
 */
final class PvTable {
    private final AmdPmapModule module;
    private final VmPhys phys;
    private final List<PvEntry>[] md;
    /** pv_table: superpage mappings by 2 MiB frame of the managed range (pa_to_pvh). */
    private final List<PvEntry>[] pvh;
    private final long pvhBase;
    /** pv_chunks: every chunk of every pmap, least recently used first (reclaim order). */
    final LinkedHashSet<PvChunk> lru = new LinkedHashSet<>();
    long entries, chunks, reclaimedMappings;

    @SuppressWarnings("unchecked")
    PvTable(AmdPmapModule module, VmPhys phys) {
        this.module = module;
        this.phys = phys;
        this.md = new List[phys.pageCount()];
        this.pvhBase = phys.pageAt(0).phys >>> 21;
        this.pvh = new List[(int) ((phys.pageAt(phys.pageCount() - 1).phys >>> 21) - pvhBase + 1)];
    }

    /** md.pv_list of a page: its 4 KiB mappings. */
    List<PvEntry> list(VmPage m) {
        List<PvEntry> l = md[m.index];
        if (l == null) { l = new ArrayList<>(2); md[m.index] = l; }
        return l;
    }

    boolean hasAny4k(VmPage m) { List<PvEntry> l = md[m.index]; return l != null && !l.isEmpty(); }

    /** pa_to_pvh: the superpage mappings of the 2 MiB frame holding {@code pa}. */
    List<PvEntry> pvh(long pa) {
        int i = (int) ((pa >>> 21) - pvhBase);
        List<PvEntry> l = pvh[i];
        if (l == null) { l = new ArrayList<>(1); pvh[i] = l; }
        return l;
    }

    boolean hasAny2m(long pa) {
        long i = (pa >>> 21) - pvhBase;
        if (i < 0 || i >= pvh.length) return false;
        List<PvEntry> l = pvh[(int) i];
        return l != null && !l.isEmpty();
    }

    /** Whether the page has any mapping at all (4 KiB or within a superpage). */
    boolean mapped(VmPage m) { return hasAny4k(m) || hasAny2m(m.phys); }

    void pageInit(VmPage m) { md[m.index] = null; }

    static PvEntry find(List<PvEntry> l, AmdPmap pmap, long va) {
        for (PvEntry pv : l) if (pv.pmap == pmap && pv.va == va) return pv;
        return null;
    }

    /** pmap_pvh_remove: unlinks (pmap, va) from a list; the entry must be there. */
    static PvEntry remove(List<PvEntry> l, AmdPmap pmap, long va) {
        for (int i = 0; i < l.size(); i++) {
            PvEntry pv = l.get(i);
            if (pv.pmap == pmap && pv.va == va) { l.remove(i); return pv; }
        }
        throw new IllegalStateException(String.format("pv entry (pmap %d, va %#x) not found", pmap.id, va));
    }

    /**
     * get_pv_entry: a free pv entry of {@code pmap}. With {@code tryOnly} (NOSLEEP callers) returns null
     * when a new chunk page cannot be had; otherwise reclaims chunks of other pmaps first.
     */
    PvEntry alloc(AmdPmap pmap, long va, boolean tryOnly) {
        PvChunk pc = pmap.freeChunks.isEmpty() ? null : pmap.freeChunks.getFirst();
        if (pc == null) {
            VmPage page = phys.alloc(false);
            if (page == null) {
                if (tryOnly) return null;
                page = module.allocPageReclaiming(pmap);
            }
            page.wire();
            pc = new PvChunk(pmap, page);
            pmap.freeChunks.add(pc);
            chunks++;
        }
        if (lru.isEmpty() || lru.getLast() != pc) { lru.remove(pc); lru.add(pc); } // already the most recent: skip the relink
        PvEntry pv = pc.slots[pc.take()];
        pv.va = va;
        if (++pc.used == PmapBits.NPCPV) pmap.freeChunks.remove(pc);
        entries++;
        return pv;
    }

    /** free_pv_entry: returns the slot; an empty chunk gives its page back. */
    void free(PvEntry pv) {
        PvChunk pc = pv.chunk;
        if (!pc.inUse(pv.slot)) throw new IllegalStateException("free_pv_entry: " + pv + " is already free");
        pc.release(pv.slot);
        entries--;
        if (pc.used-- == PmapBits.NPCPV) pc.pmap.freeChunks.add(pc);
        if (pc.used == 0) {
            pc.pmap.freeChunks.remove(pc);
            lru.remove(pc);
            chunks--;
            pc.page.unwire();
            phys.free(pc.page);
        }
    }

    /**
     * reclaim_pv_chunk: destroys the non-wired 4 KiB mappings held in the least recently used chunk of
     * another pmap (the pmap is only a cache), freeing page-table pages and, when the chunk empties, its
     * page. Returns whether anything was freed.
     */
    boolean reclaimOne(AmdPmap locked) {
        for (PvChunk pc : new ArrayList<>(lru)) {
            if (pc.pmap == locked) continue;
            int before = phys.freeCount();
            List<PvEntry> victims = new ArrayList<>();
            for (int i = 0; i < pc.slots.length; i++) if (pc.inUse(i)) victims.add(pc.slots[i]);
            for (PvEntry pv : victims) {
                if (pc.pmap.reclaimMapping(pv)) reclaimedMappings++;
            }
            if (phys.freeCount() > before) return true;
        }
        return false;
    }

    List<PvEntry> all4k(int index) { return md[index]; }

    /** The superpage pv list of the {@code i}-th 2 MiB frame from {@link #pvhFrame(int) pvhFrame(0)}, or null. */
    List<PvEntry> all2m(int i) { return pvh[i]; }

    int pvhFrames() { return pvh.length; }

    /** The physical 2 MiB frame number (pa >>> 21) of pv_table slot {@code i}. */
    long pvhFrame(int i) { return pvhBase + i; }
}
