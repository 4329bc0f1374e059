package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.Tlb;
import dev.vmm.mmu.TlbArray;
import dev.vmm.mmu.TlbStats;
import dev.vmm.mmu.WalkResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A vCPU's TLB as it really is: every valid entry of every array of the modelled {@link Tlb} (split
 * first-level instruction and data arrays per page size, the unified second level), read through the
 * arrays' read-only accessors so looking changes nothing (no LRU ageing, no statistics). Each entry is
 * compared with what the page tables say now, so a stale translation shows. Everything that depends on
 * the TLB's layout is in this class.
 */
final class TlbView {
    private TlbView() { }

    /** One cached translation: {@code frame} is the physical page base, {@code shift} the page size. */
    record Entry(String array, int slot, long linear, int shift, int pcid, boolean global, long frame, int perm,
                 String stale) { }

    static List<Entry> entries(Cpu c) {
        List<Entry> out = new ArrayList<>();
        for (TlbArray a : c.tlb.arrays()) {
            for (int k = 0; k < a.entries(); k++) if (a.valid(k)) out.add(entry(c, a, k));
        }
        return out;
    }

    private static Entry entry(Cpu c, TlbArray a, int k) {
        long lin = a.linear(k);
        return new Entry(a.name(), k, lin, a.pageShift(k), a.pcid(k), a.global(k), a.physical(k), a.perm(k),
            staleness(c, lin, a.physical(k), a.perm(k)));
    }

    /**
     * The entry a lookup of {@code lin} would use now (current PCID or global), first-level arrays before
     * the second level, or null.
     */
    static Entry lookup(Cpu c, long lin) {
        Entry second = null;
        for (TlbArray a : c.tlb.arrays()) {
            for (int k = 0; k < a.entries(); k++) {
                if (!a.valid(k) || (!a.global(k) && a.pcid(k) != c.tlb.pcid())) continue;
                long size = 1L << a.pageShift(k);
                if (Long.compareUnsigned(lin - a.linear(k), size) >= 0) continue;
                if (a.level() == 1) return entry(c, a, k);
                if (second == null) second = entry(c, a, k);
            }
        }
        return second;
    }

    /** Null when the tables agree with the entry; else how the entry grants more than they do. */
    private static String staleness(Cpu c, long lin, long frame, int perm) {
        WalkResult r = GuestView.walk(c, lin, Access.SYS_READ, false);
        if (!r.ok()) return "page tables no longer map it";
        if (r.frame != frame) return "page tables now map frame " + Numbers.hex(r.frame);
        int now = r.perm;
        int rights = Tlb.NOWRITE | Tlb.SUPER | Tlb.NX;
        int granted = ~perm & now & rights;   // restricted now, not restricted in the entry
        if (granted != 0) return "grants " + permText(granted & rights) + " that the tables now deny";
        return null;
    }

    /** Invalidations of every cause. */
    static long flushes(Cpu c) {
        long n = 0;
        for (TlbStats.FlushCause f : TlbStats.FlushCause.values()) n += c.tlb.stats().flushes(f);
        return n;
    }

    static String permText(int p) {
        List<String> s = new ArrayList<>();
        if ((p & Tlb.NOWRITE) != 0) s.add("NOWRITE");
        if ((p & Tlb.SUPER) != 0) s.add("SUPER");
        if ((p & Tlb.NX) != 0) s.add("NX");
        if ((p & Tlb.CLEAN) != 0) s.add("CLEAN");
        if ((p & Tlb.USER) != 0) s.add("USER");
        return s.isEmpty() ? "-" : String.join(",", s);
    }

    /** Rights in the U/W/X form of {@code info mem}: what the entry allows. */
    static String rights(int p) {
        return ((p & Tlb.SUPER) == 0 ? "u" : "-") + ((p & Tlb.NOWRITE) == 0 ? "w" : "-") + ((p & Tlb.NX) == 0 ? "x" : "-");
    }

    static String line(Entry e) {
        return String.format("  %-14s %4d  %016x -> %012x  %-3s %s pcid %-4d %s  %-24s%s", e.array(), e.slot(), e.linear(),
            e.frame(), TlbStats.sizeName(e.shift()), e.global() ? "G" : "-", e.pcid(), rights(e.perm()),
            permText(e.perm()), e.stale() == null ? "" : "  STALE: " + e.stale()).stripTrailing();
    }

    static Map<String, Object> json(Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("array", e.array());
        m.put("slot", e.slot());
        m.put("page_size", 1L << e.shift());
        m.put("pcid", e.pcid());
        m.put("global", e.global());
        m.put("linear", e.linear());
        m.put("frame", e.frame());
        m.put("perm", permText(e.perm()));
        m.put("stale", e.stale());
        return m;
    }
}
