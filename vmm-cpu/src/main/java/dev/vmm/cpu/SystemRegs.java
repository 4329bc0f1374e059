package dev.vmm.cpu;

/**
 * Control registers and EFER (SDM vol. 3, 2.5 and 2.2.1): the checks that raise #GP on a bad value,
 * long-mode activation (EFER.LMA follows CR0.PG with EFER.LME and CR4.PAE), and the TLB flushes that
 * the writes imply (SDM 4.10.4.1).
 */
final class SystemRegs {
    private SystemRegs() { }

    static final long CR0_PE = 1, CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_ET = 1 << 4;
    static final long CR0_NE = 1 << 5, CR0_WP = 1 << 16, CR0_AM = 1 << 18, CR0_NW = 1L << 29;
    static final long CR0_CD = 1L << 30, CR0_PG = 1L << 31;
    static final long CR4_VME = 1, CR4_PVI = 2, CR4_TSD = 4, CR4_DE = 8, CR4_PSE = 16, CR4_PAE = 32;
    static final long CR4_MCE = 64, CR4_PGE = 128, CR4_PCE = 256, CR4_OSFXSR = 512, CR4_OSXMMEXCPT = 1024;
    static final long CR4_UMIP = 1 << 11, CR4_LA57 = 1 << 12, CR4_FSGSBASE = 1 << 16, CR4_PCIDE = 1 << 17;
    static final long CR4_OSXSAVE = 1 << 18, CR4_SMEP = 1 << 20, CR4_SMAP = 1 << 21;
    /** CR4 bits this CPU implements; setting any other raises #GP(0). */
    static final long CR4_SUPPORTED = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE
        | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_FSGSBASE | CR4_SMEP | CR4_SMAP | CR4_PCIDE | CR4_LA57;
    static final long CR0_FIXED = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;

    static long readCr(Cpu c, int n) {
        return switch (n) {
            case 0 -> c.cr0;
            case 2 -> c.cr2;
            case 3 -> c.cr3;
            case 4 -> c.cr4;
            case 8 -> c.cr8;
            default -> throw c.ud();
        };
    }

    static void writeCr(Cpu c, int n, long v) {
        switch (n) {
            case 0 -> writeCr0(c, v);
            case 2 -> c.cr2 = v;
            case 3 -> {
                if ((c.efer & Msrs.EFER_LMA) != 0 && (v & ~((1L << 52) - 1) & ~(1L << 63)) != 0) throw c.gp(0);
                // With CR4.PCIDE=1, bit 63 asks to keep the new PCID's translations (SDM 4.10.4.1); it is not stored.
                boolean noFlush = (c.cr4 & CR4_PCIDE) != 0 && v < 0;
                c.cr3 = (c.efer & Msrs.EFER_LMA) != 0 ? v & ((1L << 52) - 1) : v & 0xFFFF_FFFFL;
                Invalidation.cr3Loaded(c, noFlush);
            }
            case 4 -> writeCr4(c, v);
            case 8 -> {
                if ((v & ~0xFL) != 0) throw c.gp(0);
                c.cr8 = v;
            }
            default -> throw c.ud();
        }
    }

    private static void writeCr0(Cpu c, long v) {
        if (c.codeMode == 64 && (v >>> 32) != 0) throw c.gp(0);
        v = (v & CR0_FIXED) | CR0_ET;
        if ((v & CR0_PG) != 0 && (v & CR0_PE) == 0) throw c.gp(0);
        if ((v & CR0_NW) != 0 && (v & CR0_CD) == 0) throw c.gp(0);
        boolean pgOn = (v & CR0_PG) != 0 && (c.cr0 & CR0_PG) == 0;
        boolean pgOff = (v & CR0_PG) == 0 && (c.cr0 & CR0_PG) != 0;
        if (pgOn && (c.efer & Msrs.EFER_LME) != 0) {
            if ((c.cr4 & CR4_PAE) == 0) throw c.gp(0);
            c.efer |= Msrs.EFER_LMA; // IA-32e mode becomes active
        }
        if (pgOff && (c.cr4 & CR4_PCIDE) != 0) throw c.gp(0); // paging cannot go off with PCIDs on
        if (pgOff && (c.efer & Msrs.EFER_LMA) != 0) {
            if (c.codeMode == 64) throw c.gp(0);
            c.efer &= ~Msrs.EFER_LMA;
        }
        long changed = c.cr0 ^ v;
        c.cr0 = v;
        if ((changed & (CR0_PG | CR0_WP | CR0_PE)) != 0) Invalidation.pagingControlChanged(c, dev.vmm.mmu.TlbStats.FlushCause.CR0);
        c.updatePaging();
        c.updateMode();
    }

    private static void writeCr4(Cpu c, long v) {
        if ((v & ~CR4_SUPPORTED) != 0) throw c.gp(0);
        if ((c.efer & Msrs.EFER_LMA) != 0 && (v & CR4_PAE) == 0) throw c.gp(0);
        long changed = c.cr4 ^ v;
        // PCIDE needs IA-32e mode and PCID 0 to be turned on; LA57 cannot change in IA-32e mode (SDM MOV CR).
        if ((changed & v & CR4_PCIDE) != 0 && ((c.efer & Msrs.EFER_LMA) == 0 || (c.cr3 & 0xFFF) != 0)) throw c.gp(0);
        if ((changed & CR4_LA57) != 0 && (c.efer & Msrs.EFER_LMA) != 0) throw c.gp(0);
        c.cr4 = v;
        if ((changed & (CR4_PGE | CR4_PAE | CR4_PSE | CR4_SMEP | CR4_PCIDE | CR4_LA57)) != 0) {
            Invalidation.pagingControlChanged(c, dev.vmm.mmu.TlbStats.FlushCause.CR4);
        }
        c.updatePaging();
    }

    static void writeEfer(Cpu c, long v) {
        long allowed = Msrs.EFER_SCE | Msrs.EFER_LME | Msrs.EFER_NXE;
        if ((v & ~(allowed | Msrs.EFER_LMA)) != 0) throw c.gp(0);
        // LME may not change while paging is on; LMA is read-only (it follows CR0.PG).
        if ((c.cr0 & CR0_PG) != 0 && ((v ^ c.efer) & Msrs.EFER_LME) != 0) throw c.gp(0);
        c.efer = (v & allowed) | (c.efer & Msrs.EFER_LMA);
        c.updatePaging();
    }
}
