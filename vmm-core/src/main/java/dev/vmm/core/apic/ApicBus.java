package dev.vmm.core.apic;

import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.MmioHandler;
import dev.vmm.mmu.PhysicalMemory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * The APIC bus of a PC: every vCPU's local APIC, the routing of inter-processor interrupts and IOAPIC
 * messages to them (physical and logical destinations, shorthands, lowest-priority arbitration), EOI
 * broadcasts back to the IOAPICs, and the xAPIC register page.
 *
 * <p>The register page is one physical range for all vCPUs, as on hardware, where each core decodes
 * its own APIC's page before the access reaches the bus. Here the range is one {@link MmioHandler} that
 * dispatches to the APIC of the vCPU the current host thread is running ({@link #setCurrent}); the
 * schedulers set it when they switch vCPUs, so the interpreter's memory path is untouched.
 */
public final class ApicBus {
    public static final long DEFAULT_BASE = 0xFEE0_0000L;
    static final int FIXED = 0, LOWEST = 1, SMI = 2, NMI = 4, INIT = 5, STARTUP = 6, EXTINT = 7;

    private final PhysicalMemory mem;
    private final List<LocalApic> apics = new ArrayList<>();
    private final List<Long> mappedBases = new ArrayList<>();
    private final ThreadLocal<LocalApic> current = new ThreadLocal<>();
    private volatile IntConsumer eoiListener = v -> { };
    private int lowestPriorityTurn;

    public ApicBus(PhysicalMemory mem) {
        this.mem = mem;
        mapBase(DEFAULT_BASE);
    }

    /** Gives {@code cpu} a local APIC whose timer runs on {@code clock} (the vCPU's TSC). */
    public LocalApic attach(Cpu cpu, LongSupplier clock) {
        LocalApic a = new LocalApic(cpu, this, clock, apics.isEmpty());
        apics.add(a);
        return a;
    }

    public List<LocalApic> apics() { return List.copyOf(apics); }

    public LocalApic apic(int index) { return apics.get(index); }

    public int size() { return apics.size(); }

    /** Declares which APIC the calling host thread's accesses to the register page reach. */
    public void setCurrent(LocalApic apic) { current.set(apic); }

    public LocalApic current() { return current.get(); }

    /** Level-triggered EOIs go to the IOAPICs (their remote IRR bits). */
    public void setEoiListener(IntConsumer l) { eoiListener = l; }

    void broadcastEoi(int vector) { eoiListener.accept(vector); }

    /** Makes the register page decodable at {@code base} (after an APIC is relocated). */
    void mapBase(long base) { synchronized (mappedBases) { mapBaseLocked(base); } }

    private void mapBaseLocked(long base) {
        if (mappedBases.contains(base) || mem.isRam(base)) return;
        try {
            mem.addMmio(base, 0x1000, new Page(base));
            mappedBases.add(base);
        } catch (IllegalArgumentException e) {
            // overlaps another device: the APIC is not reachable there, as when firmware misprograms it
        }
    }

    private final class Page implements MmioHandler {
        private final long base;

        Page(long base) { this.base = base; }

        @Override
        public long read(long offset, int size) {
            LocalApic a = current.get();
            return a == null || a.base() != base ? -1 : a.mmioRead(offset, size);
        }

        @Override
        public void write(long offset, int size, long value) {
            LocalApic a = current.get();
            if (a != null && a.base() == base) a.mmioWrite(offset, size, value);
        }
    }

    // ---- message delivery ---------------------------------------------------------------------------

    /** An IPI from {@code src}'s ICR (SDM 11.6.1). */
    void sendIpi(LocalApic src, int mode, int vector, boolean logical, long dest, int shorthand, boolean level) {
        List<LocalApic> targets = new ArrayList<>(4);
        for (LocalApic a : apics) {
            boolean hit = switch (shorthand) {
                case 1 -> a == src;
                case 2 -> true;
                case 3 -> a != src;
                default -> a.matches(logical, dest, src.x2apic());
            };
            if (hit && a.hardwareEnabled()) targets.add(a);
        }
        deliver(targets, mode, vector, level && mode == FIXED);
    }

    /** A message from an IOAPIC redirection entry or an MSI. */
    public void sendMessage(int mode, int vector, boolean logical, long dest, boolean levelTriggered) {
        List<LocalApic> targets = new ArrayList<>(4);
        boolean x2 = dest > 0xFF;
        for (LocalApic a : apics) if (a.hardwareEnabled() && a.matches(logical, dest, x2)) targets.add(a);
        deliver(targets, mode, vector, levelTriggered);
    }

    private void deliver(List<LocalApic> targets, int mode, int vector, boolean levelTriggered) {
        if (targets.isEmpty()) return;
        switch (mode) {
            case FIXED -> { for (LocalApic a : targets) a.accept(vector, levelTriggered); }
            case LOWEST -> lowestPriority(targets).accept(vector, levelTriggered);
            case NMI -> { for (LocalApic a : targets) a.post(LocalApic.EV_NMI, 0); }
            case INIT -> { for (LocalApic a : targets) a.post(LocalApic.EV_INIT, 0); }
            case STARTUP -> { for (LocalApic a : targets) a.post(LocalApic.EV_SIPI, vector); }
            default -> { } // SMI and ExtINT: no SMM and no 8259 INTA path through the APIC bus
        }
    }

    /** The target with the lowest task priority; ties rotate, as the focus-free arbitration does. */
    private synchronized LocalApic lowestPriority(List<LocalApic> targets) {
        LocalApic best = null;
        int bestTpr = Integer.MAX_VALUE;
        int n = targets.size();
        for (int k = 0; k < n; k++) {
            LocalApic a = targets.get((k + lowestPriorityTurn) % n);
            int t = a.taskPriority() & 0xF0;
            if (t < bestTpr) { best = a; bestTpr = t; }
        }
        lowestPriorityTurn++;
        return best;
    }
}
