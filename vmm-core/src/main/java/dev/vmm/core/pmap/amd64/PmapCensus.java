package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.pmap.PmapModule;
import dev.vmm.core.vm.VmPage;

import java.util.ArrayList;
import java.util.List;

import static dev.vmm.core.pmap.amd64.PmapBits.*;

/**
 * Read-only views of the amd64 pmap for the monitor ({@code info page}, {@code info pmap}): a page's
 * reverse map (its pv entries, 4 KiB and superpage) and a count of a pmap's mappings by page size.
 * Nothing here changes a table, a pv list or an accessed bit. Callers hold the VM lock.
 */
public final class PmapCensus {
    private PmapCensus() { }

    /**
     * One mapping of a physical page, from its pv list: the pmap, the virtual address of this 4 KiB
     * page within the mapping, the mapping's page size, and the leaf entry's W/wired/A/D bits now.
     */
    public record Mapping(Pmap pmap, long va, int pageShift, long entry) {
        public boolean writeable() { return (entry & PG_RW) != 0; }

        public boolean wired() { return (entry & PG_W) != 0; }

        public boolean accessed() { return (entry & PG_A) != 0; }

        public boolean modified() { return (entry & PG_M) != 0; }
    }

    /** The number of 4 KiB leaves, 2 MiB leaves, 1 GiB leaves and page-table pages in a pmap's user half. */
    public record Census(long pages4k, long superpages2m, long superpages1g, long tablePages) { }

    /** pmap's number (as in {@code pmap 3}). */
    public static int id(Pmap p) { return ((AmdPmap) p).id; }

    /** Every (pmap, va) mapping {@code m}: its md.pv_list, then the superpage mappings of its 2 MiB frame. */
    public static List<Mapping> mappings(PmapModule module, VmPage m) {
        AmdPmapModule mod = (AmdPmapModule) module;
        List<Mapping> out = new ArrayList<>();
        List<PvEntry> small = mod.pv.all4k(m.index);
        if (small != null) {
            for (PvEntry pv : small) {
                long a = pv.pmap.pteAddr(pv.va);
                out.add(new Mapping(pv.pmap, pv.va, 12, a < 0 ? 0 : pv.pmap.load(a)));
            }
        }
        if (mod.pv.hasAny2m(m.phys)) {
            for (PvEntry pv : mod.pv.pvh(m.phys)) {
                long a = pv.pmap.pdeAddr(pv.va);
                out.add(new Mapping(pv.pmap, pv.va + (m.phys & PDRMASK), 21, a < 0 ? 0 : pv.pmap.load(a)));
            }
        }
        return out;
    }

    /** The mappings of a user pmap counted by size (the kernel pmap's user half is empty). */
    public static Census census(Pmap pmap) {
        AmdPmap p = (AmdPmap) pmap;
        long[] n = new long[4];
        count(p, p.pml4.phys, 4, n);
        return new Census(n[0], n[1], n[2], n[3]);
    }

    private static void count(AmdPmap p, long table, int level, long[] n) {
        int hi = level == 4 ? NUPML4E : NPTEPG;
        for (int i = 0; i < hi; i++) {
            long e = p.load(table + i * 8L);
            if ((e & PG_V) == 0) continue;
            if (level == 1) { n[0]++; continue; }
            if (level <= 3 && (e & PG_PS) != 0) { n[level == 2 ? 1 : 2]++; continue; }
            n[3]++;
            count(p, e & PG_FRAME, level - 1, n);
        }
    }

    /** Pages of pv chunks, pv entries in use, and mappings reclaimed from other pmaps under pressure. */
    public static long[] pvUsage(PmapModule module) {
        AmdPmapModule mod = (AmdPmapModule) module;
        return new long[] {mod.pv.chunks, mod.pv.entries, mod.pv.reclaimedMappings};
    }
}
