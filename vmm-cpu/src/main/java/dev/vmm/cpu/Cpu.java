package dev.vmm.cpu;

import dev.vmm.mmu.Access;
import dev.vmm.mmu.PageWalker;
import dev.vmm.mmu.PagingMode;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.Tlb;
import dev.vmm.mmu.TlbChecker;
import dev.vmm.mmu.TlbConfig;
import dev.vmm.mmu.TlbStats;
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
    /** XMM0-15, two longs each (low quadword first); slots 32-33 hold the source operand of the SSE instruction executing. */
    public final long[] xmm = new long[34];
    /** SSE control and status (SDM vol. 1, 10.2.3); power-on value 1F80H. */
    public int mxcsr = 0x1F80;
    /** x87 state. */
    public final Fpu fpu = new Fpu();
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
    /**
     * Per segment: accesses through it are checked against its limit and type ({@link SegmentLimits}).
     * False in 64-bit mode and for flat segments (base 0, 4 GiB expand-up), so the usual cases pay one
     * load and branch outside 64-bit mode and nothing in it.
     */
    final boolean[] segChecked = new boolean[6];
    /**
     * Outside 64-bit mode a data segment register holds a segment that may not be written (read-only
     * data, or a readable code segment): then every segment is checked, and {@link #roLin} is the linear
     * address of the last access formed through a non-writable segment (-1 if the last was writable), which
     * a write must not go to (#GP(0)); writes leave the fast TLB lookup meanwhile. False in the usual case.
     */
    boolean roData;
    long roLin = -1;

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
    volatile boolean stopRequested;
    final int apicId;

    // ---- memory path ----
    public final PhysicalMemory mem;
    final PageWalker walker;
    public final Tlb tlb;
    /** The TLB checker, or null (then the memory path pays nothing for it). */
    TlbChecker.Agent checker;
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
    /**
     * The linear address of the #PF being raised. It reaches CR2 only when the #PF is delivered to the
     * guest (SDM vol. 3, 4.7): a fault the hypervisor resolves leaves the guest's CR2 untouched.
     */
    long faultLinear;
    /** The local APIC's MSRs, or null (no APIC: IA32_APIC_BASE is kept in {@link Msrs}). */
    public ApicMsrs apicMsrs;
    /** Logical processors in the package, as CPUID leaves 1 and 0xB report them. */
    public int packageCpus = 1;
    /** An NMI was delivered and no IRET has run since (SDM vol. 3, 6.7.1). */
    boolean nmiBlocked;

    // ---- debug-register breakpoints (Breakpoints): all false while DR7 enables none ----
    /** DR7 enables a breakpoint: {@link #run} checks each instruction. */
    boolean debugArmed;
    /** DR7 enables a data breakpoint: data accesses take the slow memory path. */
    boolean watchData;
    /** DR6.B0-B3 bits of data breakpoints hit by the instruction executing. */
    int dataHits;
    /** IRET loaded RFLAGS (RF included) during the instruction executing. */
    boolean iretLoadedRf;
    /** A repeated string instruction stopped between iterations to run again: RF stays as it is. */
    boolean stringRestart;
    /** IRET loaded RF=1 with no breakpoint armed: one instruction runs on the checked path, which clears RF. */
    boolean rfStep;
    /** Paging is off and no data breakpoint is armed: linear addresses are physical, no lookup at all. */
    private boolean untranslated;

    public Cpu(int apicId, PhysicalMemory mem, IoPorts io) { this(apicId, mem, io, TlbConfig.intel()); }

    public Cpu(int apicId, PhysicalMemory mem, IoPorts io, TlbConfig tlbConfig) {
        this.apicId = apicId;
        this.tlb = new Tlb(tlbConfig);
        this.mem = mem;
        this.walker = new PageWalker(mem);
        this.io = io;
        this.code = new DecodedCache(mem);
        tlb.setFetchInvalidatedListener(code::forgetCurrentPage);
        Segments.resetReal(this);
        updatePaging();
        dr[6] = Debug.DR6_INIT;
        dr[7] = Debug.DR7_INIT;
    }

    // ---- run loop ----------------------------------------------------------------------------

    /** Why {@link #run} returned. */
    public enum Exit { BUDGET, HALTED, SHUTDOWN, STOP_REQUESTED, BREAKPOINT }

    // ---- debugger hook (the monitor's breakpoints) --------------------------------------------
    /**
     * Linear addresses to stop before, or null. Null (the usual case) leaves {@link #run} on its fast
     * loop; otherwise it checks before every instruction and returns {@link Exit#BREAKPOINT} with
     * RIP at the breakpoint. Set only while the vCPU is not running.
     */
    public long[] breakpoints;
    /** Data watchpoints, or null (the usual case: nothing is checked). Set with {@link #setWatches}. */
    Watchpoints watches;
    /** Called before every instruction, or null (then the run loop keeps its fast path). Set while not running. */
    public CpuTrace insnTrace;
    /** Told of every exception and interrupt delivery, or null. */
    public CpuTrace eventTrace;

    /**
     * Sets this vCPU's watchpoints (null: none) while it is not running. While any are set the fast
     * lookup is off, so every data access is seen by the slow path that checks them.
     */
    public void setWatches(Watchpoints w) {
        watches = w;
        updateTranslationPath();
    }

    public Watchpoints watches() { return watches; }

    /** A linear address whose breakpoint is passed once, to resume from it (-1 for none); cleared at the next check. */
    public long resumeFrom = -1;

    /** Linear address of the next instruction. */
    public long linearRip() { return codeMode == 64 ? rip : (segBase[Seg.CS] + rip) & 0xFFFF_FFFFL; }

    /** Executes up to {@code budget} instructions (see {@link RunLoop}). */
    public Exit run(long budget) { return RunLoop.run(this, budget); }

    /** Asks the vCPU to return from {@link #run} at the next instruction boundary (any thread). */
    public void requestStop() { stopRequested = true; }

    /** Executes one instruction and lets a guest fault escape as {@link CpuFault} (tests and single-stepping). */
    void step() { RunLoop.step(this); }

    // ---- instruction fetch -------------------------------------------------------------------

    private long fetchLin, fetchPa, fetchPa2;

    Insn fetch() {
        long lin = codeMode == 64 ? rip : (segBase[Seg.CS] + rip) & 0xFFFF_FFFFL;
        Insn d = code.lookup(lin, codeMode);
        if (d != null) return d;
        return decodeAt(lin, translate(lin, Access.EXEC), codeMode);
    }

    /** Decodes (or finds decoded) the instruction at linear {@code lin}, physical {@code pa}. */
    Insn decodeAt(long lin, long pa, int mode) {
        fetchLin = lin;
        fetchPa = pa;
        fetchPa2 = -1;
        return code.decode(this, lin, pa, mode);
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
        if (size >= 4) r[n] = v & sizeMask(size); // kept small so HotSpot inlines it everywhere
        else setNarrowReg(n, size, v);
    }

    private void setNarrowReg(int n, int size, long v) {
        if (n < Insn.AH_BASE) {
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
        if (codeMode == 64) return a;
        if (segChecked[seg]) SegmentLimits.check(this, seg, offset);
        return a & 0xFFFF_FFFFL;
    }

    /**
     * Translates a linear address for an access of kind {@code acc}; raises #PF or #GP. The fast lookup
     * (a mirror of first-level DTLB entries, see {@link Tlb}) is read inline; everything else is
     * {@link #translateSlow}.
     */
    public long translate(long lin, int acc) {
        if (untranslated) return lin & 0xFFFF_FFFFL;
        if (!paging && watches != null) return watched(lin, acc, lin & 0xFFFF_FFFFL);
        int i = ((int) (lin >>> 12) & Tlb.FAST_MASK) * Tlb.FAST_STRIDE;
        long[] f = tlb.fast;
        if (f[i + Tlb.FAST_TAG] == lin >>> 12 && (f[i + Tlb.FAST_PERM] & deny[acc]) == 0) {
            f[i + Tlb.FAST_HITS]++;
            return f[i + Tlb.FAST_FRAME] | (lin & 0xFFF);
        }
        return translateSlow(lin, acc);
    }

    /**
     * The modelled TLB lookup, then a walk on a miss. A hit that the rights deny is walked again rather
     * than faulted from the TLB: a write through an entry whose dirty bit is clear must set D, and a
     * processor re-walks before it delivers #PF; the #PF then drops the address's entries (SDM 4.10.4.1).
     */
    private long translateSlow(long lin, int acc) {
        if (watchData) Breakpoints.dataAccess(this, lin, acc);
        if (roData && acc == Access.WRITE && lin == roLin) throw gp(0); // a write through a non-writable segment
        if (!paging) return lin & 0xFFFF_FFFFL;
        boolean fetch = acc == Access.EXEC;
        boolean user = cpl == 3 && acc < Access.SYS_READ;
        boolean acOk = (flagsRest & Flags.AC) != 0 && !user && acc <= Access.WRITE;
        int id = tlb.lookup(lin, fetch);
        if (id >= 0) {
            int denied = tlb.perm(id) & deny[acc];
            if (denied == Tlb.USER && acOk) denied = 0; // SMAP with RFLAGS.AC=1
            if (denied == 0) {
                if (checker != null) checker.use(lin, id, acc, user, pagingMode | (acOk ? PagingMode.AC : 0));
                long pa = tlb.frame(id, lin) | (lin & 0xFFF);
                return watches == null ? pa : watched(lin, acc, pa);
            }
        }
        if ((pagingMode & PagingMode.LMA) != 0) {
            int bits = (pagingMode & PagingMode.LA57) != 0 ? 57 : 48;
            if ((lin << (64 - bits)) >> (64 - bits) != lin) throw nonCanonical(lin, acc);
        }
        TlbStats st = tlb.stats();
        st.walks++;
        boolean ok = walker.walk(cr3, pagingMode | (acOk ? PagingMode.AC : 0), lin, acc, user, true, walk,
            tlb.pagingStructureCache(), tlb.pcid());
        st.adUpdates += walk.adUpdates;
        if ((pagingMode & PagingMode.LMA) != 0) { if (walk.pscLevel != 0) st.pscHits++; else st.pscMisses++; }
        if (!ok) {
            st.walkFaults++;
            tlb.pageFault(lin);
            faultLinear = lin; // CR2 is written only when the #PF is delivered (Interrupts)
            throw raise(Interrupts.PF, walk.errorCode);
        }
        int nid = tlb.fill(lin, fetch, walk);
        if (checker != null) checker.filled(lin, nid, walk);
        long pa = walk.frame | (lin & 0xFFF);
        return watches == null ? pa : watched(lin, acc, pa);
    }

    private long watched(long lin, int acc, long pa) {
        watches.access(this, lin, acc, pa);
        return pa;
    }

    /** #SS(0) when the instruction's stack access made a non-canonical address, else #GP(0) (SDM vol. 3, 6.15). */
    private CpuFault nonCanonical(long lin, int acc) {
        if (acc == Access.READ || acc == Access.WRITE) {
            Insn d = code.lookup(linearRip(), codeMode);
            if (d != null && SegmentLimits.stackAccess(this, d, lin)) return raise(Interrupts.SS, 0);
        }
        return gp(0);
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
        updateTranslationPath();
        pagingMode = PagingMode.of(cr0, cr4, efer);
        for (int acc = 0; acc < Access.KINDS; acc++) {
            deny[acc] = Tlb.denyMask(acc, cpl == 3 && acc < Access.SYS_READ, pagingMode);
        }
        code.forgetCurrentPage();
    }

    /** The PCID of the current address space: CR3[11:0] when CR4.PCIDE=1, else 0 (SDM 4.10.1). */
    int currentPcid() { return (cr4 & SystemRegs.CR4_PCIDE) != 0 ? (int) (cr3 & 0xFFF) : 0; }

    // ---- invalidation API (INVLPG, INVPCID, the pmap's shootdown handler): bodies in Invalidation ----

    /** INVPCID types (SDM INVPCID). */
    public static final int INVPCID_ADDRESS = 0, INVPCID_CONTEXT = 1, INVPCID_ALL_GLOBAL = 2, INVPCID_ALL = 3;

    /** INVLPG {@code lin}: its translations in the current PCID, global ones too, and the PSC entries of the PCID. */
    public void invlpg(long lin) { Invalidation.invlpg(this, lin); }

    /** INVPCID with the instruction's checks (#GP(0) as the SDM lists them). */
    public void invpcid(int type, long pcid, long lin) { Invalidation.invpcid(this, type, pcid, lin); }

    /**
     * Host-side invalidation (a pmap's shootdown handler, the monitor): {@code includingGlobal} drops
     * everything, else every non-global translation of the current PCID, as MOV CR3 would.
     */
    public void flushTlb(boolean includingGlobal) { Invalidation.flushTlb(this, includingGlobal); }

    /** Turns the TLB checker on for this vCPU (before it runs): the fast lookup goes off so every use is seen. */
    public void attachChecker(TlbChecker c) {
        checker = c == null ? null : c.register(this::checkerContext, code::forgetCurrentPage);
        updateTranslationPath();
    }

    /**
     * Data breakpoints (DR7) or monitor watchpoints were armed or disarmed: every data access must (or
     * need no longer) reach the slow path, so the TLB's fast lookup and the no-paging shortcut are off.
     */
    void updateTranslationPath() {
        boolean slow = watchData || roData || watches != null;
        untranslated = !paging && !slow;
        tlb.setFastLookup(checker == null && !slow);
    }

    private final TlbChecker.Context checkerCtx = new TlbChecker.Context();

    private TlbChecker.Context checkerContext() {
        TlbChecker.Context x = checkerCtx;
        x.cpu = apicId;
        x.rip = rip;
        x.instructions = instructions;
        x.cr3 = cr3;
        x.tlb = tlb;
        return x;
    }

    /** Side-effect-free walk for the monitor: no A/D updates, no TLB or paging-structure-cache change. */
    public boolean probe(long lin, int acc, boolean user, WalkResult out) {
        if (!paging) { out.errorCode = -1; out.frame = lin & 0xFFFF_F000L; out.pageShift = 12; out.levels = 0; return true; }
        return walker.walk(cr3, pagingMode, lin, acc, user, false, out);
    }

    public boolean pagingEnabled() { return paging; }

    public int pagingMode() { return pagingMode; }

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
        rfStep = false;
        Breakpoints.update(this);
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
        boolean ro = codeMode != 64 && SegmentLimits.readOnlyDataLoaded(this);
        for (int s = 0; s < 6; s++) {
            segBaseEff[s] = codeMode == 64 && s < Seg.FS ? 0 : segBase[s];
            segChecked[s] = codeMode != 64 && (ro || !SegmentLimits.flat(segBase[s], segLimit[s], segAttr[s]));
        }
        if (ro != roData) { roData = ro; roLin = -1; updateTranslationPath(); }
    }

    public int apicId() { return apicId; }

    public Msrs msrs() { return msrs; }
}
