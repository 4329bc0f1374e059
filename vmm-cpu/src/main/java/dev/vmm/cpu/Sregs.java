package dev.vmm.cpu;

/**
 * Loading a vCPU's special registers from outside the instruction stream, as KVM_SET_SREGS does for a
 * VMM: here, flat 64-bit long mode with paging (CR0.PG/PE/WP, CR4.PAE/PGE, EFER.LME/LMA/NXE) at a given
 * privilege level, for tests and pv guests started by the VMM.
 */
public final class Sregs {
    private Sregs() { }

    /** 64-bit code at CPL {@code cpl} (CS = 0x08 or 0x1B, SS = 0x10 or 0x23), CR3 = {@code cr3}. */
    public static void setLongMode(Cpu c, int cpl, long cr3, long rip, long rsp) {
        c.cr0 = 0x8001_0033L;
        c.cr4 = (1 << 5) | (1 << 7);
        c.efer = (1 << 8) | (1 << 10) | (1 << 11);
        c.cr3 = cr3;
        for (int s = 0; s < 6; s++) {
            c.segBase[s] = 0;
            c.segLimit[s] = 0xFFFF_FFFFL;
            c.segSel[s] = s == Seg.CS ? (cpl == 3 ? 0x1B : 0x08) : (cpl == 3 ? 0x23 : 0x10);
            c.segAttr[s] = s == Seg.CS ? 0xA09B | (cpl << 5) : 0xC093 | (cpl << 5);
        }
        c.cpl = cpl;
        c.rip = rip;
        c.r[4] = rsp;
        c.halted = false;
        c.updateMode();
        c.updatePaging();
        c.flushTlb(true);
    }
}
