package dev.vmm.core.apic;

import dev.vmm.cpu.ApicMsrs;
import dev.vmm.cpu.Cpu;
import dev.vmm.cpu.InterruptSource;

import java.util.function.LongSupplier;

/**
 * One vCPU's local APIC (SDM vol. 3, chapter 11) in xAPIC mode (registers in a 4 KiB page at
 * IA32_APIC_BASE) and x2APIC mode (MSRs 0x800-0x8FF): ID, version, TPR/PPR, EOI, ISR/IRR/TMR with
 * priority classes, the spurious-vector register, the LVT, the error status register, the ICR (sent
 * through {@link ApicBus}) and the timer in one-shot, periodic and TSC-deadline modes.
 *
 * <p>Time is the vCPU's TSC ({@code clock}); the timer counts at the TSC rate divided by the divide
 * configuration. The scheduler asks {@link #nextTimerEvent()} how far the vCPU may run and calls
 * {@link #updateTimer(long)} at slice ends, so the timer fires at an exact instruction count.
 *
 * <p>Events a vCPU must take between instructions and that are not vectored interrupts (INIT, start-up,
 * NMI) are latched here and applied by the thread that runs the vCPU ({@link #serviceEvents()}).
 *
 * <p>LINT0 is wired to the 8259s' INT ({@link #connectLint0}): programmed for ExtINT and unmasked, or
 * with the APIC disabled in IA32_APIC_BASE (the processor then sees the INTR pin directly), a request
 * of the 8259s is an interrupt of this vCPU whose vector the INTA cycle takes from them, past the
 * APIC's IRR, ISR and priorities. The bootstrap processor's LINT0 starts as ExtINT, as the BIOS leaves
 * it in virtual wire mode (QEMU's APIC does the same), so a kernel that only programs the 8259s gets
 * its interrupts; APs start with it masked.
 *
 * <p>Thread safety: state changes are synchronized; {@link #pending()} reads one volatile field, so the
 * interpreter's per-instruction poll costs a plain load on x86.
 */
public final class LocalApic implements InterruptSource, ApicMsrs {
    public static final int VERSION = 0x14, LVT_COUNT = 7;
    /** LVT indices, in register order from 0x2F0 (CMCI) and 0x320 (timer) on. */
    public static final int LVT_CMCI = 0, LVT_TIMER = 1, LVT_THERMAL = 2, LVT_PERF = 3, LVT_LINT0 = 4, LVT_LINT1 = 5, LVT_ERROR = 6;
    static final int MASKED = 1 << 16;
    /** LVT delivery mode ExtINT (bits 8-10 = 111b). */
    static final int EXTINT = 7 << 8;
    static final long BASE_BSP = 1 << 8, BASE_EXTD = 1 << 10, BASE_EN = 1 << 11;
    static final int TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2;

    private final Cpu cpu;
    private final ApicBus bus;
    private final LongSupplier clock;
    private final int initialId;

    private long baseMsr;
    private int id, tpr, ldr, dfr, svr, esr, esrPending, icrLo, icrHi, divideConf, initialCount;
    private final int[] lvt = new int[LVT_COUNT];
    private final int[] irr = new int[8], isr = new int[8], tmr = new int[8];
    /** One-shot/periodic: TSC at which the count reaches 0; TSC-deadline: the armed deadline; MAX when idle. */
    private long timerDeadline = Long.MAX_VALUE, periodTicks, tscDeadline;
    private volatile boolean interruptReady;
    /** The 8259s on LINT0, or null; and whether their INT was asserted when last looked at. */
    private ExtIntSource lint0;
    private boolean lint0Level;
    private volatile boolean waitingForSipi;
    private volatile int events;
    private int sipiVector;
    private Runnable kick = () -> { };
    private Runnable vmmRequestHandler = () -> { };
    private boolean ownThread;
    private long timerInterrupts;

    static final int EV_INIT = 1, EV_SIPI = 2, EV_NMI = 4, EV_VMM = 8;

    LocalApic(Cpu cpu, ApicBus bus, LongSupplier clock, boolean bsp) {
        this.cpu = cpu;
        this.bus = bus;
        this.clock = clock;
        this.initialId = cpu.apicId();
        systemReset(bsp);
        cpu.interrupts = this;
        cpu.apicMsrs = this;
    }

    /**
     * System reset (RESET#, not INIT) of a machine already running: as at power-on (see
     * {@link #systemReset}); the bus learns the base again.
     */
    public void reset() {
        synchronized (this) { systemReset((baseMsr & BASE_BSP) != 0); }
        bus.mapBase(base());
    }

    /**
     * Power-on or RESET#: enabled at the default base, the register state of {@link #powerOn}, the BSP's
     * LINT0 in ExtINT mode (the virtual wire the BIOS leaves), an AP waiting for a start-up IPI, nothing
     * latched.
     */
    private synchronized void systemReset(boolean bsp) {
        baseMsr = ApicBus.DEFAULT_BASE | BASE_EN | (bsp ? BASE_BSP : 0);
        waitingForSipi = !bsp;
        events = 0;
        powerOn();
        if (bsp) lvt[LVT_LINT0] = EXTINT;
        recompute();
    }

    /** Wires LINT0 to the 8259s' INT. */
    public void connectLint0(ExtIntSource pic) {
        synchronized (this) { lint0 = pic; }
        lint0Changed();
    }

    /**
     * The 8259s' INT may have changed (they call this outside their lock). Their level is read and
     * applied under their lock, so a stale level can never overwrite a newer one; the order is always
     * 8259s' lock, then this one (an APIC calls INTA outside its own).
     */
    public void lint0Changed() {
        ExtIntSource pic;
        synchronized (this) { pic = lint0; }
        if (pic == null) return;
        boolean ready;
        synchronized (pic) {
            boolean level = pic.intr();
            synchronized (this) {
                lint0Level = level;
                recompute();
                ready = extIntReady();
            }
        }
        if (ready) kick.run();
    }

    /** Whether LINT0 passes an 8259 request to the processor now: ExtINT and unmasked, or the APIC off. */
    public synchronized boolean lint0Open() {
        return !hardwareEnabled() || (lvt[LVT_LINT0] & (MASKED | EXTINT)) == EXTINT;
    }

    private boolean extIntReady() { return lint0Level && lint0Open(); }

    /** The register state after power-on, INIT or a disable/enable cycle (SDM vol. 3, 11.4.7.1). */
    private synchronized void powerOn() {
        id = x2apic() ? initialId : initialId << 24;
        tpr = 0; ldr = 0; dfr = 0xFFFF_FFFF; svr = 0xFF; esr = 0; esrPending = 0; icrLo = 0; icrHi = 0;
        divideConf = 0; initialCount = 0; timerDeadline = Long.MAX_VALUE; tscDeadline = 0; periodTicks = 0;
        java.util.Arrays.fill(lvt, MASKED);
        java.util.Arrays.fill(irr, 0);
        java.util.Arrays.fill(isr, 0);
        java.util.Arrays.fill(tmr, 0);
        recompute();
    }

    public Cpu cpu() { return cpu; }

    public int id() { return x2apic() ? id : id >>> 24 & 0xFF; }

    public long base() { return baseMsr & 0xF_FFFF_F000L; }

    public boolean hardwareEnabled() { return (baseMsr & BASE_EN) != 0; }

    public boolean x2apic() { return (baseMsr & BASE_EXTD) != 0; }

    boolean softwareEnabled() { return (svr & 0x100) != 0; }

    public boolean waitingForSipi() { return waitingForSipi; }

    /** Timer interrupts this APIC has raised (statistics, tests). */
    public synchronized long timerInterrupts() { return timerInterrupts; }

    /** How the scheduler wakes the thread running this vCPU after an event arrives. */
    public void setKick(Runnable kick) { this.kick = kick; }

    // ---- interrupt acceptance and priority (SDM vol. 3, 11.8) ----------------------------------

    /** A fixed or lowest-priority interrupt message arrives: sets IRR (and TMR for level triggered). */
    synchronized void accept(int vector, boolean level) {
        if (!hardwareEnabled()) return;
        if (vector < 16) { error(1 << 6); return; } // received illegal vector
        set(irr, vector, true);
        set(tmr, vector, level);
        recompute();
        kick.run();
    }

    private static void set(int[] bits, int v, boolean on) {
        if (on) bits[v >>> 5] |= 1 << (v & 31); else bits[v >>> 5] &= ~(1 << (v & 31));
    }

    private static boolean get(int[] bits, int v) { return (bits[v >>> 5] & (1 << (v & 31))) != 0; }

    private static int highest(int[] bits) {
        for (int w = 7; w >= 0; w--) if (bits[w] != 0) return w * 32 + 31 - Integer.numberOfLeadingZeros(bits[w]);
        return -1;
    }

    /** Processor priority: the higher of TPR and the in-service class. */
    synchronized int ppr() {
        int isrv = Math.max(highest(isr), 0);
        return (tpr & 0xF0) >= (isrv & 0xF0) ? tpr & 0xFF : isrv & 0xF0;
    }

    private void recompute() {
        int v = highest(irr);
        interruptReady = v >= 0 && (v & 0xF0) > (ppr() & 0xF0) || extIntReady();
    }

    @Override
    public boolean pending() { return interruptReady; }

    /**
     * INTA: the highest requested vector moves to in-service; else an 8259 request on LINT0 is taken
     * from the 8259s (as QEMU, APIC interrupts first); the spurious vector if none is left.
     */
    @Override
    public int acknowledge() {
        ExtIntSource pic;
        synchronized (this) {
            int v = highest(irr);
            if (v >= 0 && (v & 0xF0) > (ppr() & 0xF0)) {
                set(irr, v, false);
                set(isr, v, true);
                recompute();
                return v;
            }
            if (!extIntReady()) { recompute(); return svr & 0xFF; }
            pic = lint0;
        }
        return pic.inta(); // outside this lock: the 8259s tell every APIC of their new INT level
    }

    /** Retires the highest in-service vector; returns it if the IOAPICs must hear of it (level triggered), else -1. */
    private synchronized int eoi() {
        int v = highest(isr);
        if (v < 0) return -1;
        set(isr, v, false);
        recompute();
        return get(tmr, v) && (svr & 0x1000) == 0 ? v : -1;
    }

    private void error(int bit) {
        esrPending |= bit;
        int e = lvt[LVT_ERROR];
        if ((e & MASKED) == 0) { set(irr, e & 0xFF, true); recompute(); }
    }

    // ---- INIT, SIPI, NMI ------------------------------------------------------------------

    synchronized void post(int event, int vector) {
        if (event == EV_SIPI) {
            // ignored unless waiting (SDM 9.4.4); an INIT not yet applied counts as waiting
            if ((!waitingForSipi && (events & EV_INIT) == 0) || (events & EV_SIPI) != 0) return;
            sipiVector = vector;
        }
        events |= event;
        cpu.requestStop();
        kick.run();
    }

    /**
     * The VMM's own inter-processor request (the pmap's TLB shootdown): latched like an NMI, it makes the
     * vCPU leave its run loop at the next instruction boundary, where {@link #serviceEvents()} runs the
     * handler on the vCPU's thread. It needs no vector and no IDT entry because the VMM, not the guest,
     * owns the request; interrupts being disabled in the guest do not hold it back (so a shootdown
     * cannot wait on a guest spinning with IF=0). Without a thread of its own the vCPU is stopped at an
     * instruction boundary and the handler runs at once on the caller's thread.
     */
    public synchronized void postVmmRequest() {
        if (ownThread) post(EV_VMM, 0);
        else vmmRequestHandler.run(); // no thread runs the vCPU: it is stopped at an instruction boundary
    }

    /**
     * Whether a host thread of its own runs this vCPU (the parallel scheduler, between its start and its
     * exit). Otherwise the caller of {@link #postVmmRequest()} runs the handler itself. Leaving runs a
     * pending request, so none is stranded with a vCPU whose thread has gone.
     */
    public synchronized void setOwnThread(boolean on) {
        ownThread = on;
        if (!on && (events & EV_VMM) != 0) {
            events &= ~EV_VMM;
            vmmRequestHandler.run();
        }
    }

    /** What {@link #postVmmRequest()} runs on the vCPU's thread. */
    public void setVmmRequestHandler(Runnable handler) { this.vmmRequestHandler = handler; }

    /** Whether an INIT, start-up, NMI or VMM request waits for {@link #serviceEvents()}. */
    public boolean eventsPending() { return events != 0; }

    /** Whether {@link #serviceEvents()} would change the vCPU now (a latched NMI behind a blocked one would not). */
    public boolean eventsDeliverable() {
        int ev = events;
        return (ev & (EV_INIT | EV_SIPI | EV_VMM)) != 0 || ((ev & EV_NMI) != 0 && !cpu.nmiBlocked());
    }

    /**
     * Applies latched INIT/SIPI/NMI (and runs a VMM request) to the vCPU; called by its thread between slices. INIT resets the
     * vCPU and APIC and enters wait-for-SIPI; SIPI starts it in real mode at vector * 4 KiB; an NMI is
     * kept latched while an earlier one's handler runs.
     */
    public synchronized void serviceEvents() {
        int ev = events;
        if (ev == 0) return;
        events = 0;
        if ((ev & EV_INIT) != 0) {
            cpu.initReset();
            baseMsr = baseMsr & ~BASE_EXTD | BASE_EN; // INIT leaves x2APIC mode (SDM 11.12.5.1)
            powerOn();
            waitingForSipi = true;
            ev &= ~EV_NMI;
        }
        if ((ev & EV_SIPI) != 0 && waitingForSipi) {
            waitingForSipi = false;
            cpu.startup(sipiVector);
        }
        if ((ev & EV_NMI) != 0 && !waitingForSipi && !cpu.deliverNmi()) events |= EV_NMI;
        if ((ev & EV_VMM) != 0) vmmRequestHandler.run();
    }

    // ---- the timer (SDM vol. 3, 11.5.4) --------------------------------------------------------

    private int timerMode() { return lvt[LVT_TIMER] >>> 17 & 3; }

    private int divisor() {
        int d = (divideConf & 3) | (divideConf >>> 1 & 4);
        return d == 7 ? 1 : 2 << d;
    }

    /** TSC at which the timer next fires, or {@link Long#MAX_VALUE}. */
    public synchronized long nextTimerEvent() { return timerDeadline; }

    /** Fires the timer if its deadline has passed; called with the vCPU's current TSC. */
    public synchronized void updateTimer(long now) {
        if (now < timerDeadline) return;
        int l = lvt[LVT_TIMER];
        if ((l & MASKED) == 0 && softwareEnabled()) {
            set(irr, l & 0xFF, true);
            set(tmr, l & 0xFF, false);
            timerInterrupts++;
            recompute();
        }
        if (timerMode() == TIMER_PERIODIC && periodTicks > 0) {
            long late = now - timerDeadline;
            timerDeadline += periodTicks * (1 + late / periodTicks);
        } else {
            timerDeadline = Long.MAX_VALUE;
            if (timerMode() == TIMER_TSC_DEADLINE) tscDeadline = 0;
        }
    }

    private void startCount(int count) {
        initialCount = count;
        if (timerMode() == TIMER_TSC_DEADLINE) return;
        periodTicks = (count & 0xFFFF_FFFFL) * divisor();
        timerDeadline = count == 0 ? Long.MAX_VALUE : clock.getAsLong() + periodTicks;
    }

    private int currentCount() {
        if (timerMode() == TIMER_TSC_DEADLINE || timerDeadline == Long.MAX_VALUE) return 0;
        long left = timerDeadline - clock.getAsLong();
        return left <= 0 ? 0 : (int) ((left + divisor() - 1) / divisor());
    }

    private void writeLvtTimer(int v) {
        int oldMode = timerMode();
        lvt[LVT_TIMER] = lvtValue(v, 0x7_10FF);
        if (timerMode() != oldMode) { timerDeadline = Long.MAX_VALUE; tscDeadline = 0; initialCount = 0; }
    }

    // ---- register file (offsets of the xAPIC page; x2APIC MSR = 0x800 + offset / 16) -----------

    /** Reads a 32-bit register by its xAPIC page offset; -1 (all ones) for a reserved offset. */
    public synchronized long readRegister(int off) {
        return switch (off) {
            case 0x20 -> id & 0xFFFF_FFFFL;
            case 0x30 -> VERSION | ((LVT_COUNT - 1) << 16) | (1 << 24); // EOI-broadcast suppression supported
            case 0x80 -> tpr;
            case 0x90 -> 0; // APR: arbitration priority is not modelled beyond lowest-priority selection
            case 0xA0 -> ppr();
            case 0xB0 -> 0;
            case 0xD0 -> ldr & 0xFFFF_FFFFL;
            case 0xE0 -> dfr & 0xFFFF_FFFFL;
            case 0xF0 -> svr;
            case 0x280 -> esr;
            case 0x2F0 -> lvt[LVT_CMCI];
            case 0x300 -> icrLo & ~(1 << 12); // delivery status: always idle, messages are delivered at once
            case 0x310 -> icrHi & 0xFFFF_FFFFL;
            case 0x320, 0x330, 0x340, 0x350, 0x360, 0x370 -> lvt[LVT_TIMER + (off - 0x320) / 0x10];
            case 0x380 -> initialCount & 0xFFFF_FFFFL;
            case 0x390 -> currentCount() & 0xFFFF_FFFFL;
            case 0x3E0 -> divideConf;
            default -> {
                if (off >= 0x100 && off < 0x180) yield isr[(off - 0x100) >> 4] & 0xFFFF_FFFFL;
                if (off >= 0x180 && off < 0x200) yield tmr[(off - 0x180) >> 4] & 0xFFFF_FFFFL;
                if (off >= 0x200 && off < 0x280) yield irr[(off - 0x200) >> 4] & 0xFFFF_FFFFL;
                yield -1;
            }
        };
    }

    /**
     * Writes a 32-bit register; returns false for a read-only or reserved one. EOI and ICR writes send
     * messages, which happens outside this APIC's lock (another APIC may be sending to this one).
     */
    public boolean writeRegister(int off, int v) {
        if (off == 0xB0) {
            int level = eoi();
            if (level >= 0) bus.broadcastEoi(level);
            return true;
        }
        if (off == 0x300) {
            synchronized (this) { icrLo = v & 0xC_CFFF; }
            sendIpi();
            return true;
        }
        return writeLocked(off, v);
    }

    private synchronized boolean writeLocked(int off, int v) {
        switch (off) {
            case 0x20 -> { if (x2apic()) return false; id = v & 0xFF00_0000; }
            case 0x80 -> { tpr = v & 0xFF; recompute(); }
            case 0xD0 -> { if (x2apic()) return false; ldr = v & 0xFF00_0000; }
            case 0xE0 -> { if (x2apic()) return false; dfr = v | 0x0FFF_FFFF; }
            case 0xF0 -> {
                svr = v & 0x11FF;
                if (!softwareEnabled()) for (int i = 0; i < LVT_COUNT; i++) lvt[i] |= MASKED;
            }
            case 0x280 -> { esr = esrPending; esrPending = 0; }
            case 0x2F0 -> lvt[LVT_CMCI] = lvtValue(v, 0x1_17FF);
            case 0x310 -> { if (x2apic()) return false; icrHi = v & 0xFF00_0000; }
            case 0x320 -> writeLvtTimer(v);
            case 0x330, 0x340 -> lvt[LVT_TIMER + (off - 0x320) / 0x10] = lvtValue(v, 0x1_17FF);
            case 0x350, 0x360 -> lvt[LVT_TIMER + (off - 0x320) / 0x10] = lvtValue(v, 0x1_A7FF);
            case 0x370 -> lvt[LVT_ERROR] = lvtValue(v, 0x1_00FF);
            case 0x380 -> startCount(v);
            case 0x3E0 -> divideConf = v & 0xB;
            default -> { return false; }
        }
        recompute(); // LINT0's mode and mask decide whether an 8259 request is ready
        return true;
    }

    private int lvtValue(int v, int writable) {
        return v & writable | (softwareEnabled() ? 0 : MASKED);
    }

    private void sendIpi() {
        int icrLo, icrHi;
        synchronized (this) { icrLo = this.icrLo; icrHi = this.icrHi; }
        int mode = icrLo >>> 8 & 7, shorthand = icrLo >>> 18 & 3;
        boolean logical = (icrLo & (1 << 11)) != 0, assert_ = (icrLo & (1 << 14)) != 0, level = (icrLo & (1 << 15)) != 0;
        if (mode == 5 && !assert_ && level) return; // INIT level de-assert: only synchronises arbitration IDs
        long dest = x2apic() ? icrHi & 0xFFFF_FFFFL : icrHi >>> 24 & 0xFF;
        bus.sendIpi(this, mode, icrLo & 0xFF, logical, dest, shorthand, level);
    }

    /** Whether a message to {@code dest} in the given addressing mode selects this APIC (SDM 11.6.2). */
    synchronized boolean matches(boolean logical, long dest, boolean x2Format) {
        if (!logical) {
            long all = x2Format ? 0xFFFF_FFFFL : 0xFF;
            return dest == all || dest == id();
        }
        if (x2apic()) {
            if (dest == 0xFFFF_FFFFL) return true;
            return (dest >>> 16) == (ldr >>> 16 & 0xFFFF) && (dest & ldr & 0xFFFF) != 0;
        }
        if (dest == 0xFF) return true;
        int logicalId = ldr >>> 24 & 0xFF;
        if ((dfr >>> 28 & 0xF) == 0xF) return (logicalId & dest) != 0; // flat model
        return (dest >>> 4) == (logicalId >>> 4) && (dest & logicalId & 0xF) != 0; // cluster model
    }

    synchronized int taskPriority() { return tpr; }

    // ---- xAPIC MMIO ------------------------------------------------------------------------------

    /** An access to the APIC page; only aligned 32-bit accesses to 16-byte-aligned registers are defined. */
    long mmioRead(long offset, int size) {
        if (!hardwareEnabled() || x2apic()) return -1;
        long v = readRegister((int) offset & 0xFF0);
        int shift = (int) (offset & 0xF) * 8;
        return shift >= 32 ? 0 : v >>> shift;
    }

    void mmioWrite(long offset, int size, long value) {
        if (!hardwareEnabled() || x2apic() || (offset & 0xF) != 0) return;
        if (!writeRegister((int) offset, (int) value)) synchronized (this) { error(1 << 7); } // illegal register address
    }

    // ---- MSRs: IA32_APIC_BASE, TSC_DEADLINE, x2APIC -----------------------------------------------

    @Override
    public long rdmsr(int index) {
        if (index == dev.vmm.cpu.Msrs.APIC_BASE) return baseMsr;
        if (index == TSC_DEADLINE) { synchronized (this) { return timerMode() == TIMER_TSC_DEADLINE ? tscDeadline : 0; } }
        if (!x2apic()) throw cpu.gp(0);
        int off = (index - X2APIC_FIRST) << 4;
        if (off == 0x300) { synchronized (this) { return (icrLo & 0xFFFF_FFFFL) | (icrHi & 0xFFFF_FFFFL) << 32; } }
        if (off == 0x310 || off == 0xE0 || off == 0x3F0 || off == 0xB0) throw cpu.gp(0);
        long v = readRegister(off);
        if (v == -1) throw cpu.gp(0);
        return v;
    }

    @Override
    public void wrmsr(int index, long v) {
        if (index == dev.vmm.cpu.Msrs.APIC_BASE) { writeBase(v); return; }
        if (index == TSC_DEADLINE) {
            synchronized (this) {
                if (timerMode() != TIMER_TSC_DEADLINE) return;
                tscDeadline = v;
                timerDeadline = v == 0 ? Long.MAX_VALUE : v;
            }
            return;
        }
        if (!x2apic()) throw cpu.gp(0);
        int off = (index - X2APIC_FIRST) << 4;
        if (off == 0x300) {
            synchronized (this) { icrHi = (int) (v >>> 32); icrLo = (int) v & 0xC_CFFF; }
            sendIpi();
            return;
        }
        if (off == 0x3F0) { accept((int) v & 0xFF, false); return; } // SELF IPI
        if (off == 0xB0 && v != 0) throw cpu.gp(0);
        if (off == 0x20 || off == 0xD0 || off == 0x30 || off == 0xA0 || off == 0x390 || (v >>> 32) != 0) throw cpu.gp(0);
        if (!writeRegister(off, (int) v)) throw cpu.gp(0);
    }

    /** IA32_APIC_BASE: enable/disable, x2APIC on (EXTD), relocation (SDM 11.4.4 and 11.12.5). */
    private synchronized void writeBase(long v) {
        if ((v & ~0xF_FFFF_FD00L) != 0) throw cpu.gp(0);
        boolean en = (v & BASE_EN) != 0, extd = (v & BASE_EXTD) != 0;
        if (extd && !en) throw cpu.gp(0);
        if (x2apic() && en && !extd) throw cpu.gp(0); // x2APIC -> xAPIC only through disabled
        boolean wasEnabled = hardwareEnabled(), wasX2 = x2apic();
        baseMsr = (v & ~BASE_BSP) | (baseMsr & BASE_BSP);
        if (!en && wasEnabled) powerOn();
        if (extd && !wasX2) { id = initialId; ldr = ((initialId >>> 4) << 16) | (1 << (initialId & 0xF)); }
        if (!extd && en && !wasEnabled) id = initialId << 24;
        recompute();
        bus.mapBase(base());
    }

    @Override
    public synchronized String toString() {
        return String.format("lapic %d: %s%s base=%#x TPR=%02x PPR=%02x SVR=%03x IRR=%d ISR=%d timer=%s",
            initialId, hardwareEnabled() ? (x2apic() ? "x2APIC" : "xAPIC") : "disabled",
            waitingForSipi ? " wait-for-SIPI" : "", base(), tpr, ppr(), svr, highest(irr), highest(isr),
            timerDeadline == Long.MAX_VALUE ? "idle" : "@" + timerDeadline);
    }
}
