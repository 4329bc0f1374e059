package dev.vmm.cpu;

import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.Pte;

/**
 * A vCPU over a small guest memory, put straight into a mode for instruction-level tests: 64-bit long
 * mode (identity-mapped with 2 MiB pages, user-accessible, CPL 3 like the host process the differential
 * vectors come from), 32-bit flat protected mode (CPL 3), or 16-bit flat protected mode.
 *
 * <p>Memory layout shared with the native harness (src/test/native/hostrun.c): code at {@link #CODE},
 * the data/stack window at {@link #WINDOW} of {@link #WINDOW_SIZE} bytes, page tables at 0x1000-0x3FFF.
 */
final class TestCpu {
    static final long CODE = 0x100000, WINDOW = 0x200000, WINDOW_SIZE = 0x2000, STACK_TOP = 0x201F00;
    static final long MEM_SIZE = 4L << 20;
    private static final long PML4 = 0x1000, PDPT = 0x2000, PD = 0x3000, GDT = 0x4000;
    /**
     * The GDT, laid out so that the user selectors are Linux's (the host harness runs with them):
     * 0x08 code32, 0x10 data, 0x18 code64 (DPL 0); 0x23 code32, 0x2B data, 0x33 code64 (DPL 3).
     */
    private static final long[] DESCRIPTORS = {0, 0x00CF_9B00_0000_FFFFL, 0x00CF_9300_0000_FFFFL, 0x00AF_9B00_0000_FFFFL,
        0x00CF_FB00_0000_FFFFL, 0x00CF_F300_0000_FFFFL, 0x00AF_FB00_0000_FFFFL};

    final PhysicalMemory mem = new PhysicalMemory(MEM_SIZE);
    final Cpu cpu = new Cpu(0, mem, new IoPorts() {
        @Override public int in(int port, int size) { return -1; }
        @Override public void out(int port, int size, int value) { }
    });
    final int mode;

    TestCpu(int mode) { this(mode, 3); }

    final int cpl;

    TestCpu(int mode, int cpl) {
        this.mode = mode;
        this.cpl = cpl;
        reset();
    }

    /**
     * Puts the vCPU (back) into its mode: page tables, control registers, segments, CPL, descriptor-table
     * registers. Guest RAM is never freed, so tests that let random code change the mode reset rather
     * than make a new TestCpu.
     */
    void reset() {
        long user = Pte.P | Pte.RW | Pte.US;
        mem.write64(PML4, PDPT | user);
        mem.write64(PDPT, PD | user);
        for (int i = 0; i < 2; i++) mem.write64(PD + 8L * i, ((long) i << 21) | user | Pte.PS);
        cpu.cr0 = 0x6000_0010L;
        cpu.cr3 = 0;
        cpu.cr4 = SystemRegs.CR4_OSFXSR | SystemRegs.CR4_OSXMMEXCPT; // as Linux runs user code
        java.util.Arrays.fill(cpu.xmm, 0);
        cpu.mxcsr = 0x1F80;
        cpu.fpu.reset();
        cpu.fpu.init();
        cpu.efer = 0;
        for (int i = 0; i < DESCRIPTORS.length; i++) mem.write64(GDT + 8L * i, DESCRIPTORS[i]);
        cpu.gdtrBase = GDT;
        cpu.gdtrLimit = DESCRIPTORS.length * 8 - 1;
        cpu.idtrBase = 0;
        cpu.idtrLimit = 0x3FF;
        cpu.shutdown = false;
        cpu.halted = false;
        Segments.flatProtected(cpu);
        if (mode == 64) {
            cpu.cr4 |= 1 << 5; // PAE
            cpu.cr3 = PML4;
            cpu.efer |= Msrs.EFER_LME | Msrs.EFER_LMA;
            cpu.cr0 |= 0x8000_0000L;
            cpu.segAttr[Seg.CS] |= Segments.ATTR_L;
            cpu.segAttr[Seg.CS] &= ~Segments.ATTR_DB;
        } else if (mode == 16) {
            cpu.segAttr[Seg.CS] &= ~Segments.ATTR_DB;
            cpu.segAttr[Seg.SS] &= ~Segments.ATTR_DB;
        }
        for (int s = 0; s < 6; s++) {
            cpu.segAttr[s] |= cpl << 5 | Segments.TYPE_ACCESSED; // DPL = RPL = CPL
            cpu.segSel[s] = s == Seg.CS ? (mode == 64 ? 0x18 : 0x08) : 0x10;
            if (cpl == 3) cpu.segSel[s] += 0x1B;
        }
        cpu.cpl = cpl;
        cpu.updateMode();
        cpu.updatePaging();
        cpu.flushTlb(true);
    }

    /** Places code at {@link #CODE} and sets RIP there; the decoded cache forgets the old bytes. */
    void loadCode(byte[] code) {
        mem.writeBytes(CODE, code);
        cpu.codePageWritten(CODE >>> 12);
        cpu.rip = CODE;
    }

    /** Refills the window with the harness's fixed pattern. */
    void fillWindow() {
        byte[] w = new byte[(int) WINDOW_SIZE];
        for (int i = 0; i < w.length; i++) w[i] = pattern(i);
        mem.writeBytes(WINDOW, w);
    }

    /** Byte i of the window before a case runs: (i * 151 + 7) mod 256, as hostrun.c fills it. */
    static byte pattern(int i) { return (byte) (i * 151 + 7); }

    /**
     * Steps until RIP reaches {@code end} (the byte after the sequence). Returns -1, or the vector of
     * the guest exception that stopped it (RIP and registers are then those at the fault).
     */
    int runUntil(long end, int maxSteps) {
        for (int i = 0; i < maxSteps && cpu.rip != end; i++) {
            try {
                cpu.step();
            } catch (CpuFault f) {
                return f.vector;
            }
        }
        if (cpu.rip != end) throw new AssertionError("sequence did not finish in " + maxSteps + " steps");
        return -1;
    }
}
