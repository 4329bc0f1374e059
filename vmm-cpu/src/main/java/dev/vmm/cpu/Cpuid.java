package dev.vmm.cpu;

/**
 * CPUID (SDM CPUID): a coherent Intel-compatible CPU that enumerates only what this interpreter
 * implements, with the hypervisor-present bit and a hypervisor leaf at 0x40000000 carrying vmm's
 * signature, as KVM and other hypervisors do.
 */
final class Cpuid {
    private Cpuid() { }

    static final int MAX_BASIC = 0x18, MAX_EXT = 0x8000_0008;
    /** Family 6, model 0x55 class core; stepping 4 (family/model/stepping in leaf 1 EAX). */
    static final int SIGNATURE = 0x0005_0654;
    // leaf 1 EDX: VME, DE, PSE, TSC, MSR, PAE, CX8, APIC (9), PGE, CMOV, PAT, PSE36, CLFSH, FXSR (24), SSE (25),
    // SSE2 (26). Not FPU (only x87 state management is implemented, no arithmetic), not MMX, not SEP.
    static final int LEAF1_EDX = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8)
        | (1 << 9) | (1 << 13) | (1 << 15) | (1 << 16) | (1 << 17) | (1 << 19) | (1 << 24) | (1 << 25) | (1 << 26);
    // leaf 1 ECX: CMPXCHG16B (13), PCID (17), x2APIC (21), MOVBE (22), POPCNT (23), TSC-deadline (24), hypervisor (31)
    static final int LEAF1_ECX = (1 << 13) | (1 << 17) | (1 << 21) | (1 << 22) | (1 << 23) | (1 << 24) | (1 << 31);
    // 0x80000001 EDX: SYSCALL, NX, 1 GiB pages, RDTSCP, LM; ECX: LAHF/SAHF in 64-bit mode, LZCNT (ABM, 5)
    static final int EXT1_EDX = (1 << 11) | (1 << 20) | (1 << 26) | (1 << 27) | (1 << 29);
    static final int EXT1_ECX = 1 | (1 << 5);

    static void execute(Cpu c) {
        int leaf = (int) c.r[0], sub = (int) c.r[1];
        int a = 0, b = 0, cx = 0, d = 0;
        switch (leaf) {
            case 0 -> { a = MAX_BASIC; b = str("Genu"); d = str("ineI"); cx = str("ntel"); }
            case 1 -> {
                a = SIGNATURE;
                // initial APIC ID, logical processors in the package, CLFLUSH line 64
                b = (c.apicId << 24) | (Math.min(c.packageCpus, 255) << 16) | (8 << 8);
                cx = LEAF1_ECX;
                d = LEAF1_EDX | (c.packageCpus > 1 ? 1 << 28 : 0); // HTT: the EBX count is valid
            }
            // cache and TLB descriptors: 0xFF "no cache information here, see leaf 4", 0xFE "TLBs in leaf 0x18"
            case 2 -> a = 0x00FE_FF01;
            case 4 -> { } // deterministic cache parameters: type 0, no caches are modelled
            case 0x18 -> { tlbLeaf(c, sub); return; }
            case 0xB -> { // extended topology: one thread per core, packageCpus cores (SDM CPUID leaf 0BH)
                int coreShift = 32 - Integer.numberOfLeadingZeros(Math.max(c.packageCpus - 1, 0));
                if (sub == 0) { a = 0; b = 1; cx = (1 << 8); }
                else if (sub == 1) { a = coreShift; b = c.packageCpus; cx = (2 << 8) | 1; }
                else cx = sub & 0xFF;
                d = c.apicId; // the x2APIC ID, whatever the sub-leaf
            }
            // SMEP (7), INVPCID (10), FCS/FDS deprecated (13: FXSAVE and FNSTENV store them as 0), ADX (19), SMAP (20);
            // ECX: LA57 (16). Not BMI1: TZCNT is there, ANDN and the other VEX forms are not.
            case 7 -> { if (sub == 0) { a = 0; b = (1 << 7) | (1 << 10) | (1 << 13) | (1 << 19) | (1 << 20); cx = 1 << 16; } }
            case 0x4000_0000 -> { a = 0x4000_0000; b = str("vmmV"); cx = str("MMvm"); d = str("mVMM"); }
            case 0x8000_0000 -> a = MAX_EXT;
            case 0x8000_0001 -> { cx = EXT1_ECX; d = EXT1_EDX; }
            case 0x8000_0002, 0x8000_0003, 0x8000_0004 -> {
                String brand = "vmm virtual x86-64 CPU (interpreter)            ";
                int off = (leaf - 0x8000_0002) * 16;
                a = str(brand.substring(off, off + 4));
                b = str(brand.substring(off + 4, off + 8));
                cx = str(brand.substring(off + 8, off + 12));
                d = str(brand.substring(off + 12, off + 16));
            }
            case 0x8000_0008 -> a = dev.vmm.mmu.PageWalker.MAXPHYADDR | (48 << 8);
            default -> { }
        }
        c.r[0] = a & 0xFFFF_FFFFL;
        c.r[3] = b & 0xFFFF_FFFFL;
        c.r[1] = cx & 0xFFFF_FFFFL;
        c.r[2] = d & 0xFFFF_FFFFL;
    }

    /**
     * Leaf 0x18, deterministic address translation parameters (SDM CPUID 18H): one sub-leaf per array of
     * this vCPU's TLB model, so a guest reads the geometry it really runs on. EBX: page sizes (bit 0 4K,
     * 1 2M, 2 4M, 3 1G) and ways (31:16); ECX: sets; EDX: type (1 data, 2 instruction, 3 unified),
     * level (7:5), fully associative (8). Sub-leaf 0's EAX is the highest sub-leaf.
     */
    private static void tlbLeaf(Cpu c, int sub) {
        java.util.List<dev.vmm.mmu.TlbArray> arrays = c.tlb.arrays();
        long[] r = c.r;
        r[0] = sub == 0 ? arrays.size() - 1 : 0;
        r[3] = 0; r[1] = 0; r[2] = 0;
        if (sub < 0 || sub >= arrays.size()) return;
        dev.vmm.mmu.TlbArray t = arrays.get(sub);
        int sizes = 0;
        for (int shift : t.pageShifts()) {
            sizes |= switch (shift) { case 12 -> 1; case 21 -> 2; case 22 -> 4; case 30 -> 8; default -> 0; };
        }
        int type = t.level() == 2 ? 3 : t.instruction() ? 2 : 1;
        r[3] = sizes | ((long) t.ways() << 16);                              // EBX
        r[1] = t.sets();                                                     // ECX
        r[2] = type | (t.level() << 5) | (t.sets() == 1 ? 1 << 8 : 0);       // EDX
    }

    private static int str(String s) {
        return s.charAt(0) | s.charAt(1) << 8 | s.charAt(2) << 16 | s.charAt(3) << 24;
    }
}
