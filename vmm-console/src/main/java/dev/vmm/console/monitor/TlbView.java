package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.Tlb;
import dev.vmm.mmu.WalkResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A vCPU's TLB as it really is, read from the arrays {@link Tlb} exposes (tag, frame, perm); each entry
 * is compared with what the page tables say now, so a stale translation shows. Everything that depends
 * on the TLB's layout is in this class.
 */
final class TlbView {
    private TlbView() { }

    /** One cached translation. */
    record Entry(int slot, long linear, long frame, int perm, String stale) { }

    static List<Entry> entries(Cpu c) {
        Tlb t = c.tlb;
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < t.tag.length; i++) {
            if (t.tag[i] == -1L) continue;
            long lin = t.tag[i] << 12;
            out.add(new Entry(i, lin, t.frame[i], t.perm[i], staleness(c, lin, t.frame[i], t.perm[i])));
        }
        return out;
    }

    /** The cached entry for a linear address, or null. */
    static Entry lookup(Cpu c, long lin) {
        int i = Tlb.slot(lin);
        if (c.tlb.tag[i] != lin >>> 12) return null;
        long l = lin & ~0xFFFL;
        return new Entry(i, l, c.tlb.frame[i], c.tlb.perm[i], staleness(c, l, c.tlb.frame[i], c.tlb.perm[i]));
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
        return String.format("  %4d  %016x -> %012x  %s  %-24s%s", e.slot(), e.linear(), e.frame(), rights(e.perm()),
            permText(e.perm()), e.stale() == null ? "" : "  STALE: " + e.stale()).stripTrailing();
    }

    static Map<String, Object> json(Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("slot", e.slot());
        m.put("linear", e.linear());
        m.put("frame", e.frame());
        m.put("perm", permText(e.perm()));
        m.put("stale", e.stale());
        return m;
    }
}
