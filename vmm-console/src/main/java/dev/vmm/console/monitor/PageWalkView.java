package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.PagingMode;
import dev.vmm.mmu.Pte;
import dev.vmm.mmu.WalkResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A page walk level by level, for {@code walk} and {@code explain}: each paging-structure entry's
 * name (SDM: PML5E, PML4E, PDPTE, PDE, PTE), index, address, value and bits.
 */
final class PageWalkView {
    /** One level of the walk. */
    record Level(String name, int index, long addr, long entry, int shift, boolean leaf) {
        boolean present() { return (entry & Pte.P) != 0; }
    }

    final Cpu cpu;
    final long lin;
    final WalkResult result;
    final List<Level> levels = new ArrayList<>();

    PageWalkView(Cpu cpu, long lin, int acc, boolean user) {
        this.cpu = cpu;
        this.lin = lin;
        this.result = GuestView.walk(cpu, lin, acc, user);
        int m = GuestView.mode(cpu);
        String[] names;
        int[] shifts;
        int[] widths;
        if ((m & PagingMode.LMA) != 0 && (m & PagingMode.LA57) != 0) {
            names = new String[] {"PML5E", "PML4E", "PDPTE", "PDE", "PTE"};
            shifts = new int[] {48, 39, 30, 21, 12};
            widths = new int[] {9, 9, 9, 9, 9};
        } else if ((m & PagingMode.LMA) != 0) {
            names = new String[] {"PML4E", "PDPTE", "PDE", "PTE"};
            shifts = new int[] {39, 30, 21, 12};
            widths = new int[] {9, 9, 9, 9};
        } else if ((m & PagingMode.PAE) != 0) {
            names = new String[] {"PDPTE", "PDE", "PTE"};
            shifts = new int[] {30, 21, 12};
            widths = new int[] {2, 9, 9};
        } else {
            names = new String[] {"PDE", "PTE"};
            shifts = new int[] {22, 12};
            widths = new int[] {10, 10};
        }
        // The PAE walker does not record a present PDPTE (it has no rights); the path starts at the PDE then.
        long pdpteAddr = (cpu.cr3 & 0xFFFF_FFE0L) + (((lin >>> 30) & 3) << 3);
        boolean pae = (m & PagingMode.LMA) == 0 && (m & PagingMode.PAE) != 0;
        int skip = pae && !(result.levels >= 1 && result.pathAddr[0] == pdpteAddr) ? 1 : 0;
        for (int i = 0; i < result.levels; i++) {
            int li = i + skip;
            long e = result.pathEntry[i];
            boolean leaf = li == names.length - 1 || (li > 0 && (e & Pte.PS) != 0 && shifts[li] <= 30
                && ((m & PagingMode.LMA) != 0 || (m & PagingMode.PAE) != 0 || (m & PagingMode.PSE) != 0));
            int index = (int) ((lin >>> shifts[li]) & ((1L << widths[li]) - 1));
            levels.add(new Level(names[li], index, result.pathAddr[i], e, shifts[li], leaf && (e & Pte.P) != 0));
        }
    }

    /** Names of the bits set in an entry. */
    static String bits(long e, boolean leaf, boolean fourK) {
        StringBuilder sb = new StringBuilder();
        if ((e & Pte.P) != 0) sb.append("P "); else return "not present";
        sb.append((e & Pte.RW) != 0 ? "RW " : "RO ");
        sb.append((e & Pte.US) != 0 ? "U " : "S ");
        if ((e & Pte.PWT) != 0) sb.append("PWT ");
        if ((e & Pte.PCD) != 0) sb.append("PCD ");
        if ((e & Pte.A) != 0) sb.append("A ");
        if (leaf && (e & Pte.D) != 0) sb.append("D ");
        if ((e & Pte.PS) != 0) sb.append(fourK ? "PAT " : "PS ");
        if (leaf && (e & Pte.G) != 0) sb.append("G ");
        if ((e & Pte.NX) != 0) sb.append("XD ");
        return sb.toString().strip();
    }

    static String pageSize(int shift) {
        return switch (shift) {
            case 12 -> "4 KiB";
            case 21 -> "2 MiB";
            case 22 -> "4 MiB";
            case 30 -> "1 GiB";
            default -> (1L << shift) + " B";
        };
    }

    /** The walk as text lines. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format("walk %#x on cpu%d: %s, CR3=%#x", lin, cpu.apicId(), GuestView.modeName(cpu), cpu.cr3));
        for (Level l : levels) {
            String next;
            if (!l.present()) next = "stop: not present";
            else if (l.leaf()) next = "-> " + pageSize(l.shift()) + " page at " + Numbers.hex(frameOf(l));
            else next = "-> table at " + Numbers.hex(l.entry() & Pte.ADDR_MASK);
            out.add(String.format("  %-5s[%3d] @%#-12x = %016x  %-22s %s", l.name(), l.index(), l.addr(), l.entry(),
                bits(l.entry(), l.leaf(), l.shift() == 12), next));
        }
        if (result.ok()) {
            out.add(String.format("  => physical %#x (%s page)", result.frame | (lin & 0xFFF), pageSize(result.pageShift)));
        } else if (levels.isEmpty()) {
            out.add("  => no translation");
        }
        return out;
    }

    private long frameOf(Level l) {
        long size = 1L << l.shift();
        return l.entry() & Pte.ADDR_MASK & ~(size - 1);
    }

    List<Map<String, Object>> json() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Level l : levels) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("level", l.name());
            m.put("index", l.index());
            m.put("addr", l.addr());
            m.put("entry", l.entry());
            m.put("bits", bits(l.entry(), l.leaf(), l.shift() == 12));
            m.put("leaf", l.leaf());
            out.add(m);
        }
        return out;
    }

    static boolean isRead(int acc) { return acc == Access.READ || acc == Access.SYS_READ; }
}
