package dev.vmm.core.hv;

import dev.vmm.core.pmap.TlbInvalidator;
import dev.vmm.cpu.Cpu;

import java.util.List;

/** The pmap's TLB port over real vCPUs: INVLPG, TLB flush and CR3 loads on the vCPU with that id. */
public final class CpuTlbPort implements TlbInvalidator {
    private final List<Cpu> cpus;

    public CpuTlbPort(List<Cpu> cpus) { this.cpus = List.copyOf(cpus); }

    @Override public int cpuCount() { return cpus.size(); }

    @Override public void invalidatePage(int cpu, long va) { cpus.get(cpu).invalidatePage(va); }

    @Override public void invalidateAll(int cpu, boolean global) { cpus.get(cpu).invalidateTlb(global); }

    @Override public void loadCr3(int cpu, long cr3) {
        Cpu c = cpus.get(cpu);
        c.cr3 = cr3;
        c.invalidateTlb(false); // MOV CR3 without PCID: non-global entries go
    }
}
