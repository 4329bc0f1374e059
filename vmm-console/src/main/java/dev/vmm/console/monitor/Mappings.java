package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.PagingMode;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.Pte;

import java.util.ArrayList;
import java.util.List;

/**
 * Every mapping of a vCPU's 4-level page tables (CR3), read without side effects and merged into ranges
 * that are contiguous both linearly and physically and have the same rights (U/S, R/W, XD combined over
 * the levels), as QEMU's {@code info mem} shows them.
 */
final class Mappings {
    private Mappings() { }

    /** One merged range [start, end) mapped to [phys, phys + end - start). */
    record Range(long start, long end, long phys, boolean user, boolean write, boolean nx) {
        String flags() { return (user ? "u" : "-") + (write ? "w" : "-") + (nx ? "-" : "x"); }
    }

    static List<Range> of(Cpu c) {
        if (!GuestView.paging(c)) throw new MonitorError("paging is off (CR0.PG=0): linear addresses are physical");
        int m = GuestView.mode(c);
        if ((m & PagingMode.LMA) == 0 || (m & PagingMode.LA57) != 0) {
            throw new MonitorError("info mem reads 4-level page tables only; this vCPU uses " + GuestView.modeName(c));
        }
        List<Range> out = new ArrayList<>();
        boolean nxe = (m & PagingMode.NXE) != 0;
        scan(c.mem, c.cr3 & Pte.ADDR_MASK, 4, 0, true, true, false, nxe, out);
        return out;
    }

    private static void scan(PhysicalMemory mem, long table, int level, long base, boolean user, boolean write, boolean nx,
                             boolean nxe, List<Range> out) {
        int shift = 12 + 9 * (level - 1);
        for (int i = 0; i < 512; i++) {
            long e = mem.read64(table + 8L * i);
            if ((e & Pte.P) == 0) continue;
            long lin = base + ((long) i << shift);
            if (level == 4 && i >= 256) lin |= 0xFFFF_0000_0000_0000L;   // canonical upper half
            boolean u = user && (e & Pte.US) != 0, w = write && (e & Pte.RW) != 0, x = nx || nxe && (e & Pte.NX) != 0;
            boolean leaf = level == 1 || (level <= 3 && (e & Pte.PS) != 0);
            if (!leaf) {
                scan(mem, e & Pte.ADDR_MASK, level - 1, lin, u, w, x, nxe, out);
                continue;
            }
            long size = 1L << shift;
            long phys = e & Pte.ADDR_MASK & ~(size - 1);
            Range last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.end() == lin && last.phys() + (last.end() - last.start()) == phys
                    && last.user() == u && last.write() == w && last.nx() == x) {
                out.set(out.size() - 1, new Range(last.start(), lin + size, last.phys(), u, w, x));
            } else {
                out.add(new Range(lin, lin + size, phys, u, w, x));
            }
        }
    }
}
