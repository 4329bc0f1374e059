package dev.vmm.core.pmap.amd64;

import dev.vmm.core.vm.VmPage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.vmm.core.pmap.amd64.PmapBits.*;

/**
 * The invariant checker: page tables in guest RAM, pv lists, pm_stats and wirings must tell the same
 * story. Checked, for every live pmap:
 * <ul>
 * <li>each valid managed leaf (4 KiB PTE or 2 MiB PDE) has exactly one pv entry (pmap, va) on its page's
 *     or frame's list, and every pv entry names such a leaf with the same physical frame;</li>
 * <li>a writeable managed mapping's pages have PGA_WRITEABLE; no mapped page is free;</li>
 * <li>resident_count = 4 KiB leaves + 512 per 2 MiB leaf + page-table pages (user pmaps, with the top
 *     level and the pages kept by promotion); wired_count = leaves with PG_W (512 per superpage);</li>
 * <li>each user page-table page's refCount equals its number of valid entries;</li>
 * <li>a page's wirings are at least its wired mappings; pv chunk slots in use equal pv entries.</li>
 * </ul>
 * Throws AssertionError naming the first broken rule.
 */
final class PmapInvariants {
    private PmapInvariants() { }

    static void check(AmdPmapModule module) {
        long managedLeaves = 0;
        Map<VmPage, Integer> wiredMappings = new HashMap<>();
        for (AmdPmap p : module.pmaps) {
            long[] acc = new long[4]; // resident leaves pages, wired, table pages, managed leaves
            if (p.isKernel()) {
                walk(module, p, p.pml4.phys, 4, pml4Index(VM_MIN_KERNEL_ADDRESS), pml4Index(VM_MIN_KERNEL_ADDRESS) + 1, 0, acc, wiredMappings);
            } else {
                walk(module, p, p.pml4.phys, 4, 0, NUPML4E, 0, acc, wiredMappings);
                long top = p.pml4.phys == module.kernelPmap().cr3() ? 0 : 1;
                long resident = acc[0] + acc[2] + top + p.savedPtp.size();
                require(p.residentCount == resident, "%s: resident_count %d, page tables say %d (%d leaf pages, %d table pages, %d kept)",
                    p, p.residentCount, resident, acc[0], acc[2], p.savedPtp.size());
                require(p.wiredCount == acc[1], "%s: wired_count %d, page tables say %d", p, p.wiredCount, acc[1]);
                for (Map.Entry<Long, VmPage> e : p.savedPtp.entrySet()) {
                    long pdeA = p.pdeAddr(e.getKey() << 21);
                    require(pdeA >= 0 && (p.load(pdeA) & (PG_V | PG_PS)) == (PG_V | PG_PS),
                        "%s: kept page-table page for %#x but no superpage there", p, e.getKey() << 21);
                }
            }
            managedLeaves += acc[3];
        }
        long entries = 0;
        PvTable pv = module.pv;
        for (int i = 0; i < module.phys.pageCount(); i++) {
            List<PvEntry> l = pv.all4k(i);
            if (l == null) continue;
            VmPage m = module.phys.pageAt(i);
            for (PvEntry e : l) {
                entries++;
                require(module.pmaps.contains(e.pmap), "pv entry %s of %s names a released pmap", e, m);
                long pteA = e.pmap.pteAddr(e.va);
                require(pteA >= 0 && (e.pmap.load(pteA) & (PG_V | PG_MANAGED)) == (PG_V | PG_MANAGED)
                    && (e.pmap.load(pteA) & PG_FRAME) == m.phys, "pv entry %s of %s has no matching PTE", e, m);
            }
        }
        for (int i = 0; i < pv.pvhFrames(); i++) {
            if (pv.all2m(i) == null) continue;
            long frame = pv.pvhFrame(i);
            for (PvEntry e : pv.all2m(i)) {
                entries++;
                long pdeA = e.pmap.pdeAddr(e.va);
                require(pdeA >= 0 && (e.pmap.load(pdeA) & (PG_V | PG_PS | PG_MANAGED)) == (PG_V | PG_PS | PG_MANAGED)
                    && (e.pmap.load(pdeA) & PG_PS_FRAME) == frame << 21, "superpage pv entry %s has no matching PDE", e);
            }
        }
        require(entries == managedLeaves, "%d pv entries but %d managed mappings", entries, managedLeaves);
        require(entries == pv.entries, "pv lists hold %d entries, pv chunks account for %d", entries, pv.entries);
        long used = 0;
        for (PvChunk c : pv.lru) used += c.used;
        require(used == pv.entries, "pv chunks: %d slots used, %d entries", used, pv.entries);
        for (Map.Entry<VmPage, Integer> w : wiredMappings.entrySet()) {
            require(w.getKey().wireCount >= w.getValue(), "%s has %d wired mappings but wire count %d", w.getKey(), w.getValue(), w.getKey().wireCount);
        }
    }

    /** Walks the table at {@code table} (entries of {@code level}) from index lo to hi. acc: leaf pages, wired, tables, managed leaves. */
    private static void walk(AmdPmapModule module, AmdPmap p, long table, int level, int lo, int hi, long vaBase,
                             long[] acc, Map<VmPage, Integer> wired) {
        int valid = 0;
        int shift = 12 + 9 * (level - 1);
        for (int i = 0; i < 512; i++) {
            long e = p.load(table + i * 8L);
            if ((e & PG_V) == 0) continue;
            valid++;
            if (i < lo || i >= hi) continue;
            long va = canonical(vaBase | ((long) i << shift));
            boolean leaf = level == 1 || (level <= 3 && (e & PG_PS) != 0);
            if (!leaf) {
                if (level == 4 && p.isKernel()) { walk(module, p, e & PG_FRAME, 3, 0, 512, va, acc, wired); continue; }
                VmPage t = module.phys.page(e & PG_FRAME);
                require(t != null && !t.isFree(), "%s: table at %#x for va %#x is not an allocated page", p, e & PG_FRAME, va);
                acc[2]++;
                walk(module, p, e & PG_FRAME, level - 1, 0, 512, va, acc, wired);
                continue;
            }
            long pages = level == 1 ? 1 : level == 2 ? NPTEPG : NPDPEPAGES;
            require(level < 3 || (e & PG_MANAGED) == 0, "%s: 1 GiB mapping at va %#x is managed", p, va);
            acc[0] += pages;
            if ((e & PG_W) != 0) acc[1] += pages;
            if ((e & PG_MANAGED) == 0) continue;
            acc[3]++;
            long base = level == 1 ? e & PG_FRAME : e & PG_PS_FRAME;
            List<PvEntry> l = level == 1 ? module.pv.list(module.phys.page(base)) : module.pv.pvh(base);
            int found = 0;
            for (PvEntry pv : l) if (pv.pmap == p && pv.va == va) found++;
            require(found == 1, "%s: managed mapping va %#x -> %#x has %d pv entries", p, va, base, found);
            for (int k = 0; k < pages; k++) {
                VmPage m = module.phys.page(base + ((long) k << 12));
                require(m != null && !m.isFree(), "%s: va %#x maps free page %#x", p, va, base + ((long) k << 12));
                if ((e & PG_RW) != 0) require(m.hasAflag(VmPage.PGA_WRITEABLE), "%s: writeable mapping va %#x but %s lacks PGA_WRITEABLE", p, va, m);
                if ((e & PG_W) != 0) wired.merge(m, 1, Integer::sum);
            }
        }
        if (!p.isKernel() && level < 4) {
            VmPage t = module.phys.page(table);
            require(t.refCount == valid, "%s: table page %#x (level %d) has %d valid entries but refCount %d", p, table, level, valid, t.refCount);
        }
    }

    private static void require(boolean ok, String fmt, Object... args) {
        if (!ok) throw new AssertionError("pmap invariant: " + String.format(fmt, args));
    }
}
