package dev.vmm.core.hv;

import dev.vmm.core.apic.LocalApic;
import dev.vmm.core.pmap.TlbInvalidator;
import dev.vmm.cpu.Cpu;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * The pmap's TLB port over real vCPUs: INVLPG, TLB flush and CR3 loads on the vCPU with that id, and,
 * given their local APICs, the shootdown IPI ({@link LocalApic#postVmmRequest}): the target's own thread
 * serves it at its next instruction boundary under the parallel scheduler; under the deterministic one
 * (one host thread for every vCPU, so every target is stopped at an instruction boundary while another
 * vCPU runs the pmap) the APIC serves it at once. Without APICs (single-vCPU tests, benchmarks) the pmap
 * invalidates the vCPUs directly.
 */
public final class CpuTlbPort implements TlbInvalidator {
    private final List<Cpu> cpus;
    private final List<LocalApic> apics;

    /** vCPUs without local APICs, run by the caller's thread: the pmap invalidates them directly. */
    public CpuTlbPort(List<Cpu> cpus) { this(cpus, List.of()); }

    /** @param apics the vCPUs' local APICs, by vCPU id: shootdowns go to them as IPIs */
    public CpuTlbPort(List<Cpu> cpus, List<LocalApic> apics) {
        if (!apics.isEmpty() && apics.size() != cpus.size()) throw new IllegalArgumentException("one local APIC per vCPU");
        this.cpus = List.copyOf(cpus);
        this.apics = List.copyOf(apics);
    }

    @Override public int cpuCount() { return cpus.size(); }

    @Override public void invalidatePage(int cpu, long va) { cpus.get(cpu).invlpg(va); }

    @Override public void invalidateAll(int cpu, boolean global) { cpus.get(cpu).flushTlb(global); }

    @Override public void loadCr3(int cpu, long cr3) {
        Cpu c = cpus.get(cpu);
        c.cr3 = cr3;
        c.flushTlb(false); // MOV CR3 without PCID: non-global entries go
    }

    @Override public boolean targetStopped(int cpu) { return apics.isEmpty(); }

    @Override public void ipi(int cpu) { apics.get(cpu).postVmmRequest(); }

    @Override
    public void connect(IntConsumer service) {
        for (int i = 0; i < apics.size(); i++) {
            int id = i;
            apics.get(i).setVmmRequestHandler(() -> service.accept(id));
        }
    }

    @Override public long instructions(int cpu) { return cpus.get(cpu).instructions; }
}
