package dev.vmm.console;

import dev.vmm.core.Machine;
import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.TlbChecker;

import java.util.List;
import java.util.Locale;

/** The TLB lines of `vmm run`: per-vCPU statistics ({@code --stats}) and the checker's findings ({@code --check-tlb}). */
final class TlbReport {
    private TlbReport() { }

    static void collect(Machine vm, boolean stats, List<String> out) {
        if (stats) {
            for (Cpu c : vm.cpus()) {
                out.add("tlb cpu" + c.apicId() + ":");
                out.addAll(c.tlb.formatStats());
            }
        }
        TlbChecker checker = vm.tlbChecker();
        if (checker == null) return;
        for (TlbChecker.Violation v : checker.violations()) out.add(v.format());
        long n = checker.violationCount();
        long[] counts = checker.counts();
        out.add(String.format(Locale.ROOT, "tlb-check: %d violation(s)%s; %d TLB hits checked, %d re-walked; %d page-table entries changed; invalidations: %d by address, %d by PCID, %d of all",
            n, n > checker.violations().size() ? " (first " + checker.violations().size() + " shown)" : "", counts[0], counts[1],
            checker.pageTableWrites(), checker.invalidations(TlbChecker.Scope.ADDRESS), checker.invalidations(TlbChecker.Scope.PCID),
            checker.invalidations(TlbChecker.Scope.ALL)));
    }
}
