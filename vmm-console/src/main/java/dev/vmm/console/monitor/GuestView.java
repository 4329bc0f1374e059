package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.PageWalker;
import dev.vmm.mmu.PagingMode;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.WalkResult;

/**
 * The guest as the monitor sees it: linear addresses translated through a vCPU's page tables by a walk
 * without side effects (no accessed or dirty bit set, no TLB fill), so looking never changes the guest.
 */
final class GuestView {
    private GuestView() { }

    static boolean paging(Cpu c) { return (c.cr0 & 0x8000_0000L) != 0 && (c.cr0 & 1) != 0; }

    static int mode(Cpu c) { return PagingMode.of(c.cr0, c.cr4, c.efer); }

    /** A side-effect-free walk for an access of kind {@code acc}; the result says whether it is allowed. */
    static WalkResult walk(Cpu c, long lin, int acc, boolean user) {
        WalkResult r = new WalkResult();
        new PageWalker(c.mem).walk(c.cr3, mode(c), lin, acc, user, false, r);
        return r;
    }

    /** Physical address of a linear one, whatever the access rights; -1 when nothing maps it. */
    static long translate(Cpu c, long lin) {
        if (!paging(c)) return lin & 0xFFFF_FFFFL;
        WalkResult r = walk(c, lin, Access.SYS_READ, false);
        return r.ok() ? r.frame | (lin & 0xFFF) : -1;
    }

    /** Reads {@code n} bytes at a linear address, or throws a MonitorError naming the first unmapped byte. */
    static byte[] readLinear(Cpu c, long lin, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) readByte(c, lin + i, true);
        return b;
    }

    static int readByte(Cpu c, long lin, boolean linear) {
        long pa = linear ? translate(c, lin) : lin;
        if (pa < 0) throw new MonitorError("linear address " + Numbers.hex(lin) + " is not mapped (try 'explain " + Numbers.hex(lin) + "')");
        return readPhys(c.mem, pa);
    }

    static int readPhys(PhysicalMemory mem, long pa) {
        if (pa < 0 || pa >= PhysicalMemory.HIGH_RAM_BASE + mem.size() || !mem.isRam(pa)) {
            throw new MonitorError("physical address " + Numbers.hex(pa) + " is not RAM");
        }
        return mem.read8(pa);
    }

    static String modeName(Cpu c) {
        if (!paging(c)) return "paging off";
        int m = mode(c);
        if ((m & PagingMode.LMA) != 0) return (m & PagingMode.LA57) != 0 ? "5-level paging" : "4-level paging";
        return (m & PagingMode.PAE) != 0 ? "PAE paging" : "32-bit paging";
    }
}
