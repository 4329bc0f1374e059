package dev.vmm.cpu;

/**
 * Model-specific registers this CPU enumerates (SDM vol. 4). RDMSR/WRMSR of any other index raises
 * #GP(0), as on hardware; base-address MSRs take canonical addresses only.
 */
public final class Msrs {
    public static final int TSC = 0x10, APIC_BASE = 0x1B, MTRRCAP = 0xFE, SYSENTER_CS = 0x174;
    public static final int SYSENTER_ESP = 0x175, SYSENTER_EIP = 0x176, MISC_ENABLE = 0x1A0, PAT = 0x277;
    public static final int MTRR_DEF_TYPE = 0x2FF;
    public static final int EFER = 0xC000_0080, STAR = 0xC000_0081, LSTAR = 0xC000_0082, CSTAR = 0xC000_0083;
    public static final int SFMASK = 0xC000_0084, FS_BASE = 0xC000_0100, GS_BASE = 0xC000_0101;
    public static final int KERNEL_GS_BASE = 0xC000_0102, TSC_AUX = 0xC000_0103;

    public static final long EFER_SCE = 1, EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11;

    public long star, lstar, cstar, sfmask, kernelGsBase, tscAux;
    public long sysenterCs, sysenterEsp, sysenterEip;
    public long apicBase = 0xFEE0_0000L | (1 << 11) | (1 << 8); // enabled, BSP
    public long pat = 0x0007_0406_0007_0406L;
    public long miscEnable = 1; // fast strings
    public long mtrrDefType;

    static boolean canonical(long v) { return (v << 16) >> 16 == v; }

    /** RDMSR: the value, or throws #GP(0) for an MSR that does not exist. */
    static long read(Cpu c, int index) {
        Msrs m = c.msrs;
        if (c.apicMsrs != null && ApicMsrs.owns(index)) return c.apicMsrs.rdmsr(index);
        return switch (index) {
            case TSC -> c.tscOffset + c.instructions;
            case APIC_BASE -> c.apicId == 0 ? m.apicBase : m.apicBase & ~(1L << 8);
            case MTRRCAP -> 0x508; // WC, fixed ranges, 8 variable ranges (none used)
            case SYSENTER_CS -> m.sysenterCs;
            case SYSENTER_ESP -> m.sysenterEsp;
            case SYSENTER_EIP -> m.sysenterEip;
            case MISC_ENABLE -> m.miscEnable;
            case PAT -> m.pat;
            case MTRR_DEF_TYPE -> m.mtrrDefType;
            case EFER -> c.efer;
            case STAR -> m.star;
            case LSTAR -> m.lstar;
            case CSTAR -> m.cstar;
            case SFMASK -> m.sfmask;
            case FS_BASE -> c.segBase[Seg.FS];
            case GS_BASE -> c.segBase[Seg.GS];
            case KERNEL_GS_BASE -> m.kernelGsBase;
            case TSC_AUX -> m.tscAux;
            default -> throw c.gp(0);
        };
    }

    /** WRMSR, with the reserved-bit and canonical checks that raise #GP(0). */
    static void write(Cpu c, int index, long v) {
        Msrs m = c.msrs;
        if (c.apicMsrs != null && ApicMsrs.owns(index)) { c.apicMsrs.wrmsr(index, v); return; }
        switch (index) {
            case TSC -> c.tscOffset = v - c.instructions;
            case APIC_BASE -> m.apicBase = v & ~(1L << 8) | (m.apicBase & (1L << 8));
            case SYSENTER_CS -> m.sysenterCs = v & 0xFFFF;
            case SYSENTER_ESP -> { checkCanonical(c, v); m.sysenterEsp = v; }
            case SYSENTER_EIP -> { checkCanonical(c, v); m.sysenterEip = v; }
            case MISC_ENABLE -> m.miscEnable = v;
            case PAT -> m.pat = v;
            case MTRR_DEF_TYPE -> m.mtrrDefType = v;
            case EFER -> SystemRegs.writeEfer(c, v);
            case STAR -> m.star = v;
            case LSTAR -> { checkCanonical(c, v); m.lstar = v; }
            case CSTAR -> { checkCanonical(c, v); m.cstar = v; }
            case SFMASK -> m.sfmask = v & 0xFFFF_FFFFL;
            case FS_BASE -> { checkCanonical(c, v); c.segBase[Seg.FS] = v; c.updateMode(); }
            case GS_BASE -> { checkCanonical(c, v); c.segBase[Seg.GS] = v; c.updateMode(); }
            case KERNEL_GS_BASE -> { checkCanonical(c, v); m.kernelGsBase = v; }
            case TSC_AUX -> m.tscAux = v & 0xFFFF_FFFFL;
            default -> throw c.gp(0);
        }
    }

    private static void checkCanonical(Cpu c, long v) {
        if (!canonical(v)) throw c.gp(0);
    }
}
