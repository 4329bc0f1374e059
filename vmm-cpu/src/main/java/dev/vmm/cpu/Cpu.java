package dev.vmm.cpu;

import dev.vmm.mmu.Access;
import dev.vmm.mmu.PageWalker;
import dev.vmm.mmu.PagingMode;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.Tlb;
import dev.vmm.mmu.WalkResult;

/**
 * One x86-64 logical processor (vCPU): architectural state, the memory path (segment -> linear -> TLB or
 * page walk -> physical), the decoded-instruction cache and the fetch-decode-execute loop.
 *
 * <p>Instruction semantics live in the Exec* classes; exception and interrupt delivery in
 * {@link Interrupts}; descriptor loading in {@link Segments}; control registers and MSRs in
 * {@link SystemRegs}.
 *
 * <p>Thread safety: a vCPU is run by one host thread at a time. {@link #requestStop()} and code-page
 * invalidation may be called from other threads.
 */
public final class Cpu implements Decoder.Fetch {
    // ---- general-purpose state (SDM vol. 1, 3.4) ----
    /** RAX..R15. */
    public final long[] r = new long[16];
    /** RIP of the instruction being executed (or about to be). */
    public long rip;
    /** RIP after the current instruction; branches set it. */
    long nextRip;
    /** RFLAGS other than the six arithmetic flags (bit 1 included). */
    long flagsRest = 2;
    // lazy arithmetic flags (see Flags)
    int lfOp;
    long lfRes, lfA, lfB, lfAux;

    // ---- segments: selector and the hidden descriptor cache ----
    public final int[] segSel = new int[6];
    public final long[] segBase = new long[6];
    public final long[] segLimit = new long[6];
    /** Descriptor attributes: bits 40-55 of the descriptor shifted down (type, S, DPL, P, AVL, L, D/B, G). */
    public final int[] segAttr = new int[6];
    /** Bases used to form linear addresses: 0 for ES/CS/SS/DS in 64-bit mode. */
    final long[] segBaseEff = new long[6];

    // ---- system state (SDM vol. 3, 2.1) ----
    public long cr0 = 0x6000_0010L, cr2, cr3, cr4, cr8, efer;
    public long gdtrBase, idtrBase;
    public int gdtrLimit = 0xFFFF, idtrLimit = 0x3FF;
    public int ldtrSel, trSel;
    public long ldtrBase, trBase, ldtrLimit, trLimit;
    public int trAttr, ldtrAttr;
    public final long[] dr = new long[8];
    public int cpl;
    /** 16, 32 or 64: default operand/address size of the code segment. */
    public int codeMode = 16;
    final Msrs msrs = new Msrs();
    /** TSC = tscOffset + instructions retired: a virtual time base, reproducible run to run. */
    public long tscOffset;

    // ---- execution status ----
    public long instructions;
    public boolean halted;
    /** Interrupt shadow: interrupts are not taken before the instruction after STI / MOV SS. */
    boolean inhibitInterrupts;
    /** Set when a triple fault shuts the processor down. */
    public boolean shutdown;
    public String shutdownReason;
    private volatile boolean stopRequested;
    final int apicId;

    // ---- memory path ----
    public final PhysicalMemory mem;
    final PageWalker walker;
    public final Tlb tlb = new Tlb();
    final WalkResult walk = new WalkResult();
    boolean paging;
    int pagingMode;
    final int[] deny = new int[Access.KINDS];
    public IoPorts io;
    final CpuFault fault = new CpuFault();
    final DecodedCache code;
    /** Interrupt controller hook: returns a pending vector when IF allows, or -1. */
    public InterruptSource interrupts = InterruptSource.NONE;
    /** The hypervisor VMCALL and #PF go to first, or null (bare hardware). */
    public Hypervisor hypervisor;
    /** The local APIC's MSRs, or null (no APIC: IA32_APIC_BASE is kept in {@link Msrs}). */
    public ApicMsrs apicMsrs;
    /** Logical processors in the package, as CPUID leaves 1 and 0xB report them. */
    public int packageCpus = 1;
    /** An NMI was delivered and no IRET has run since (SDM vol. 3, 6.7.1). */
    boolean nmiBlocked;

    public Cpu(int apicId, PhysicalMemory mem, IoPorts io) {
        this.apicId = apicId;
        this.mem = mem;
        this.walker = new PageWalker(mem);
        this.io = io;
        this.code = new DecodedCache(mem);
        Segments.resetReal(this);
        updatePaging();
    }

    // ---- run loop ----------------------------------------------------------------------------

    /** Why {@link #run} returned. */
    public enum Exit { BUDGET, HALTED, SHUTDOWN, STOP_REQUESTED }

    /** Executes up to {@code budget} instructions. */
    public Exit run(long budget) {
        long end = instructions + budget;
        while (true) {
            if (shutdown) return Exit.SHUTDOWN;
            if (stopRequested) { stopRequested = false; return Exit.STOP_REQUESTED; }
            if (halted) {
                if (!Interrupts.checkExternal(this)) return Exit.HALTED;
            }
            if (instructions >= end) return Exit.BUDGET;
            try {
                loop(end);
            } catch (CpuFault f) {
                Interrupts.exception(this, f.vector, f.errorCode);
            }
        }
    }

    /**
     * The hot loop. Stop requests are looked at every {@link #CHECK_EVERY} instructions (a volatile read
     * per instruction would cost more than the rest of a simple instruction); HLT, faults and shutdown
     * leave at once.
     */
    private void loop(long end) {
        while (instructions < end && !stopRequested && !halted) {
            long chunkEnd = Math.min(end, instructions + CHECK_EVERY);
            while (instructions < chunkEnd) {
                if ((flagsRest & Flags.IF) != 0 && !inhibitInterrupts && interrupts.pending()) {
                    Interrupts.checkExternal(this);
                }
                inhibitInterrupts = false;
                Insn d = fetch();
                long n = rip + d.len;
                nextRip = codeMode == 64 ? n : n & sizeMask(codeMode >>> 3);
                Exec.execute(this, d);
                rip = nextRip;
                instructions++;
                if (halted | shutdown) return;
            }
        }
    }

    private static final int CHECK_EVERY = 1024;

    /** Asks the vCPU to return from {@link #run} at the next instruction boundary (any thread). */
    public void requestStop() { stopRequested = true; }

    // ---- instruction fetch -------------------------------------------------------------------

    private long fetchLin, fetchPa, fetchPa2;

    private Insn fetch() {
        long lin = codeMode == 64 ? rip : (segBase[Seg.CS] + rip) & 0xFFFF_FFFFL;
        Insn d = code.lookup(lin, codeMode);
        if (d != null) return d;
        fetchLin = lin;
        fetchPa = translate(lin, Access.EXEC);
        fetchPa2 = -1;
        return code.decode(this, lin, fetchPa, codeMode);
    }

    /** {@link Decoder.Fetch}: byte i of the instruction at fetchLin. */
    @Override
    public int byteAt(int i) {
        long off = (fetchLin & 0xFFF) + i;
        if (off < 4096) return mem.read8(fetchPa + i);
        if (fetchPa2 < 0) {
            long next = (fetchLin + 4096) & ~0xFFFL;
            if (codeMode != 64) next &= 0xFFFF_FFFFL;
            fetchPa2 = translate(next, Access.EXEC);
            code.crossesPage = true;
        }
        return mem.read8(fetchPa2 + off - 4096);
    }

    // ---- faults ------------------------------------------------------------------------------

    /** Prepares the vCPU's fault for {@code throw}: {@code throw cpu.raise(13, 0)}. */
    public CpuFault raise(int vector, int errorCode) {
        fault.vector = vector;
        fault.errorCode = errorCode;
        return fault;
    }

    public CpuFault ud() { return raise(Interrupts.UD, -1); }

    public CpuFault gp(int err) { return raise(Interrupts.GP, err); }

    // ---- registers ---------------------------------------------------------------------------

    /** Mask of an operand size in bytes (1, 2, 4, 8), without a branch. */
    static long sizeMask(int size) { return -1L >>> (64 - (size << 3)); }

    public long reg(int n, int size) {
        if (n < Insn.AH_BASE) return r[n] & sizeMask(size);
        return (r[n - Insn.AH_BASE] >>> 8) & 0xFF;
    }

    /** Writes a register by size: 32-bit writes zero the upper half, 8/16-bit writes merge. */
    public void setReg(int n, int size, long v) {
        if (size >= 4) {
            r[n] = v & sizeMask(size);
        } else if (n < Insn.AH_BASE) {
            long m = sizeMask(size);
            r[n] = (r[n] & ~m) | (v & m);
        } else {
            n -= Insn.AH_BASE;
            r[n] = (r[n] & ~0xFF00L) | ((v & 0xFF) << 8);
        }
    }

    public long rflags() { return flagsRest | Flags.arith(this); }

    /** Loads RFLAGS wholesale (no privilege filtering: callers apply POPF/IRET rules first). */
    public void setRflags(long v) {
        flagsRest = (v & ~Flags.ARITH & 0x3F_7FD5L) | 2;
        lfOp = Flags.EAGER;
        lfAux = v & Flags.ARITH;
    }

    // ---- memory path -------------------------------------------------------------------------

    /** Effective address of a memory operand (SDM vol. 1, 3.7.5), truncated to the address size. */
    long ea(Insn d) {
        long a = d.disp;
        if (d.base >= 0) a += d.base == Insn.RIP_BASE ? nextRip : r[d.base];
        if (d.index >= 0) a += r[d.index] << d.scale;
        return d.asize == 8 ? a : (d.asize == 4 ? a & 0xFFFF_FFFFL : a & 0xFFFF);
    }

    /** Linear address of a memory operand. */
    long lin(Insn d) { return linear(d.seg, ea(d)); }

    long linear(int seg, long offset) {
        long a = segBaseEff[seg] + offset;
        return codeMode == 64 ? a : a & 0xFFFF_FFFFL;
    }

    /** Translates a linear address for an access of kind {@code acc}; raises #PF or #GP. */
    public long translate(long lin, int acc) {
        if (!paging) return lin & 0xFFFF_FFFFL;
        int i = Tlb.slot(lin);
        if (tlb.tag[i] == lin >>> 12 && (tlb.perm[i] & deny[acc]) == 0) return tlb.frame[i] | (lin & 0xFFF);
        return translateSlow(lin, acc);
    }

    private long translateSlow(long lin, int acc) {
        if ((pagingMode & PagingMode.LMA) != 0) {
            int bits = (pagingMode & PagingMode.LA57) != 0 ? 57 : 48;
            if ((lin << (64 - bits)) >> (64 - bits) != lin) throw gp(0);
        }
        boolean user = cpl == 3 && acc < Access.SYS_READ;
        if (!walker.walk(cr3, pagingMode, lin, acc, user, true, walk)) {
            cr2 = lin;
            throw raise(Interrupts.PF, walk.errorCode);
        }
        tlb.fill(lin, walk);
        return walk.frame | (lin & 0xFFF);
    }

    public int read8(long lin) { return mem.read8(translate(lin, Access.READ)); }

    public long read(long lin, int size) { return read(lin, size, Access.READ); }

    long read(long lin, int size, int acc) {
        if ((lin & 0xFFF) + size <= 0x1000) return mem.read(translate(lin, acc), size);
        long pa1 = translate(lin, acc), pa2 = translate(pageUp(lin), acc);
        int n1 = (int) (0x1000 - (lin & 0xFFF));
        long v = 0;
        for (int k = 0; k < size; k++) {
            long b = k < n1 ? mem.read8(pa1 + k) : mem.read8(pa2 + k - n1);
            v |= b << (8 * k);
        }
        return v;
    }

    public void write(long lin, int size, long v) { write(lin, size, v, Access.WRITE); }

    void write(long lin, int size, long v, int acc) {
        if ((lin & 0xFFF) + size <= 0x1000) { mem.write(translate(lin, acc), size, v); return; }
        long pa1 = translate(lin, acc), pa2 = translate(pageUp(lin), acc); // both checked before any byte is written
        int n1 = (int) (0x1000 - (lin & 0xFFF));
        for (int k = 0; k < size; k++) {
            if (k < n1) mem.write8(pa1 + k, (int) (v >>> (8 * k)));
            else mem.write8(pa2 + k - n1, (int) (v >>> (8 * k)));
        }
    }

    /** Physical address for a read-modify-write operand that stays within one page, or -1. */
    long rmwAddress(long lin, int size) {
        if ((lin & 0xFFF) + size > 0x1000) { translate(pageUp(lin), Access.WRITE); translate(lin, Access.WRITE); return -1; }
        return translate(lin, Access.WRITE);
    }

    private long pageUp(long lin) {
        long n = (lin + 0x1000) & ~0xFFFL;
        return codeMode == 64 ? n : n & 0xFFFF_FFFFL;
    }

    // ---- paging control ----------------------------------------------------------------------

    /** Recomputes what the memory path depends on after CR0/CR3/CR4/EFER/CPL change. */
    void updatePaging() {
        paging = (cr0 & 0x8000_0000L) != 0 && (cr0 & 1) != 0;
        pagingMode = PagingMode.of(cr0, cr4, efer);
        for (int acc = 0; acc < Access.KINDS; acc++) {
            deny[acc] = Tlb.denyMask(acc, cpl == 3 && acc < Access.SYS_READ, pagingMode);
        }
        code.forgetCurrentPage();
    }

    /** Drops cached translations (and the fetch path's copy of the current code page). */
    void flushTlb(boolean includingGlobal) {
        if (includingGlobal) tlb.flushAll(); else tlb.flushNonGlobal();
        code.forgetCurrentPage();
    }

    /** INVLPG from outside the instruction stream (the pmap's TLB shootdown). */
    public void invalidatePage(long lin) { invlpg(lin); }

    /** A TLB flush from outside the instruction stream (shootdown of a whole address space). */
    public void invalidateTlb(boolean includingGlobal) { flushTlb(includingGlobal); }

    void invlpg(long lin) {
        tlb.invlpg(lin);
        code.forgetCurrentPage();
    }

    /** Called by the machine when a physical page that held code was written. */
    public void codePageWritten(long pfn) { code.invalidate(pfn); }

    /** Sets the state Multiboot requires at the kernel's entry (Multiboot spec 3.2). */
    public void enterMultiboot(long entry, long eax, long ebx) {
        Segments.flatProtected(this);
        r[0] = eax & 0xFFFF_FFFFL;
        r[3] = ebx & 0xFFFF_FFFFL;
        rip = entry;
        setRflags(2);
        halted = false;
        updatePaging();
    }

    // ---- INIT, start-up IPI and NMI (delivered by the local APIC at instruction boundaries) ----

    /**
     * INIT: the register state of SDM vol. 3 table 10-1 (real mode, CS:IP = F000:FFF0, caches and MSRs
     * other than EFER kept). The APIC then holds an application processor in wait-for-SIPI.
     */
    public void initReset() {
        java.util.Arrays.fill(r, 0);
        r[2] = Cpuid.SIGNATURE;
        cr0 = 0x6000_0010L; cr2 = 0; cr3 = 0; cr4 = 0; cr8 = 0; efer = 0;
        gdtrBase = 0; gdtrLimit = 0xFFFF; idtrBase = 0; idtrLimit = 0xFFFF;
        ldtrSel = 0; ldtrBase = 0; ldtrLimit = 0xFFFF; ldtrAttr = 0x82;
        trSel = 0; trBase = 0; trLimit = 0xFFFF; trAttr = 0x8B;
        java.util.Arrays.fill(dr, 0);
        dr[6] = 0xFFFF_0FF0L; dr[7] = 0x400;
        setRflags(2);
        Segments.resetReal(this);
        segSel[Seg.CS] = 0xF000; segBase[Seg.CS] = 0xFFFF_0000L;
        updateMode();
        rip = 0xFFF0;
        halted = false; inhibitInterrupts = false; nmiBlocked = false;
        shutdown = false; shutdownReason = null;
        flushTlb(true);
        updatePaging();
    }

    /** A start-up IPI received in wait-for-SIPI: real mode at CS = vector << 8, IP = 0 (SDM vol. 3, 9.4.4). */
    public void startup(int vector) {
        Segments.resetReal(this);
        segSel[Seg.CS] = (vector & 0xFF) << 8;
        segBase[Seg.CS] = (long) (vector & 0xFF) << 12;
        updateMode();
        rip = 0;
        halted = false;
    }

    /** Whether an NMI handler is running (no IRET since the last NMI): further NMIs wait. */
    public boolean nmiBlocked() { return nmiBlocked; }

    /**
     * Delivers an NMI through IDT vector 2 unless an earlier NMI's handler has not executed IRET yet.
     *
     * @return false when NMIs are blocked: the caller keeps the NMI latched
     */
    public boolean deliverNmi() {
        if (nmiBlocked) return false;
        nmiBlocked = true;
        halted = false;
        Interrupts.deliverNmi(this);
        return true;
    }

    void setCpl(int newCpl) {
        if (newCpl != cpl) { cpl = newCpl; updatePaging(); }
    }

    /** Recomputes {@link #codeMode} and effective segment bases after CS, CR0 or EFER change. */
    void updateMode() {
        boolean pe = (cr0 & 1) != 0;
        boolean lma = (efer & Msrs.EFER_LMA) != 0;
        int attr = segAttr[Seg.CS];
        if (!pe) codeMode = 16;
        else if (lma && (attr & Segments.ATTR_L) != 0) codeMode = 64;
        else codeMode = (attr & Segments.ATTR_DB) != 0 ? 32 : 16;
        for (int s = 0; s < 6; s++) segBaseEff[s] = codeMode == 64 && s < Seg.FS ? 0 : segBase[s];
    }

    public int apicId() { return apicId; }

    public Msrs msrs() { return msrs; }
}
