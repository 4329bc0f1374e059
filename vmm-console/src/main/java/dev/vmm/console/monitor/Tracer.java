package dev.vmm.console.monitor;

import dev.vmm.core.Machine;
import dev.vmm.cpu.Cpu;
import dev.vmm.cpu.CpuTrace;
import dev.vmm.cpu.Interrupts;
import dev.vmm.cpu.Seg;
import dev.vmm.mmu.TlbListener;
import dev.vmm.mmu.TlbStats;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The monitor's {@code trace}: installs the vCPUs' hooks for the kinds that are on (none installed when
 * all are off, so the guest pays nothing) and prints each event as one line above the prompt. A budget of
 * lines keeps a flood (an interrupt storm, an instruction trace left on) from burying the shell: when it
 * runs out every trace goes off with a message, and each vCPU drops its hooks at its next event.
 */
final class Tracer implements CpuTrace {
    enum Kind {
        FAULTS, TLB, INSN, PMAP, SHOOTDOWN;

        /** Whether the kind traces the VMM's pmap (pv mode only). */
        boolean pv() { return this == PMAP || this == SHOOTDOWN; }
    }

    static final long DEFAULT_LIMIT = 1000;

    private final Machine vm;
    private final Consumer<String> out;
    private final Set<Kind> on = EnumSet.noneOf(Kind.class);
    private volatile boolean faults, tlb, insn;
    private final AtomicLong left = new AtomicLong();
    private volatile long limit = DEFAULT_LIMIT;
    /** The pmap module's listener (pv mode), made at the first 'trace on pmap|shootdown'. */
    private PmapTracer pmapTracer;

    Tracer(Machine vm, Consumer<String> out) {
        this.vm = vm;
        this.out = out;
    }

    synchronized Set<Kind> kinds() { return on.isEmpty() ? EnumSet.noneOf(Kind.class) : EnumSet.copyOf(on); }

    long limit() { return limit; }

    /** Turns {@code k} on or off; {@code newLimit} > 0 sets the line budget (and refills it). */
    synchronized void set(Kind k, boolean enable, long newLimit) {
        if (k.pv() && enable && pmapTracer == null) pmapTracer = PmapTracer.of(this, vm.pvMemory());
        if (newLimit > 0) limit = newLimit;
        if (enable) { on.add(k); left.set(limit); } else on.remove(k);
        apply();
    }

    /** Sets the line budget and refills it. */
    void setLimit(long n) {
        limit = n;
        left.set(n);
    }

    synchronized void allOff() {
        on.clear();
        apply();
    }

    private void apply() {
        faults = on.contains(Kind.FAULTS);
        tlb = on.contains(Kind.TLB);
        insn = on.contains(Kind.INSN);
        vm.setTraces(insn ? this : null, faults ? this : null, tlb ? this::tlbListener : null);
        if (pmapTracer != null) pmapTracer.apply(on.contains(Kind.PMAP), on.contains(Kind.SHOOTDOWN));
    }

    /** Whether the machine has a pmap to trace (pv mode). */
    boolean pv() { return vm.pvMemory() != null; }

    /** Prints one event line if the budget allows; the line that exhausts it turns every trace off. */
    boolean emit(String line) {
        long n = left.decrementAndGet();
        if (n < 0) return false;
        out.accept(line);
        if (n == 0) {
            out.accept("trace: " + limit + " lines printed, every trace is off now ('trace on KIND' again, 'trace limit N' for more)");
            PmapTracer p;
            synchronized (this) { on.clear(); faults = tlb = insn = false; p = pmapTracer; }
            if (p != null) { p.pmap = false; p.shootdown = false; }   // its listener leaves the pmap at its next event
            vm.setTraces(null, null, null);   // the vCPUs drop the hooks now (below) and the machine at its next pause
        }
        return true;
    }

    @Override
    public void instruction(Cpu c) {
        if (!insn) { c.insnTrace = null; return; }
        long lin = c.linearRip();
        String text;
        try {
            var l = Disasm.at(c, lin, true, 1);
            text = l.isEmpty() ? "(not readable)" : l.get(0).text();
        } catch (MonitorError e) {
            text = "(" + e.getMessage() + ")";
        }
        emit(String.format("cpu%d insn %#x: %s", c.apicId(), c.rip, text));
    }

    @Override
    public void delivery(Cpu c, int vector, int errorCode, long rip, boolean software, boolean external) {
        if (!faults) { c.eventTrace = null; return; }
        StringBuilder b = new StringBuilder();
        b.append(String.format("cpu%d ", c.apicId()));
        if (software) b.append(String.format("INT %#x (software)", vector));
        else if (external) b.append(vector == Interrupts.NMI ? "NMI (vector 2)" : String.format("interrupt vector %d (%#x)", vector, vector));
        else b.append(String.format("%s (vector %d)", Interrupts.name(vector), vector));
        if (errorCode >= 0) b.append(String.format(" error code %#x", errorCode));
        if (vector == Interrupts.PF && !software && !external) b.append(String.format(" CR2 %#x", c.cr2));
        b.append(String.format(" at RIP %#x (CS %#x)", rip, c.segSel[Seg.CS]));
        emit(b.toString());
    }

    private TlbListener tlbListener(int apicId) {
        Cpu c = vm.cpus().get(apicId);
        return new TlbListener() {
            @Override
            public void filled(long lin, boolean fetch, long frame, int pageShift, boolean global) {
                if (!tlb) { c.tlb.setListener(null); return; }
                emit(String.format("cpu%d tlb fill %s %#x -> %#x (%s%s)", apicId, fetch ? "itlb" : "dtlb", lin & ~0xFFFL, frame,
                    pageSize(pageShift), global ? ", global" : ""));
            }

            @Override
            public void flushed(TlbStats.FlushCause cause, long lin, int pcid) {
                if (!tlb) { c.tlb.setListener(null); return; }
                emit(String.format("cpu%d tlb flush: %s%s%s", apicId, cause.label, lin >= 0 || lin < -1 ? String.format(" %#x", lin) : "",
                    pcid >= 0 ? " pcid " + pcid : " all pcids"));
            }
        };
    }

    private static String pageSize(int shift) {
        return switch (shift) { case 12 -> "4K"; case 21 -> "2M"; case 22 -> "4M"; case 30 -> "1G"; default -> "2^" + shift; };
    }

    static List<String> kindNames() { return List.of("faults", "tlb", "insn", "pmap", "shootdown"); }
}
