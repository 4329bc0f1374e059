package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.TlbStats;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;

/** {@code info tlb [CPU]}: the TLB's real contents. */
@Command(name = "tlb", description = "A vCPU's TLB entries as they are, each checked against the page tables (STALE when they differ).")
final class InfoTlbCommand extends CpuInfoCommand {

    @Override
    void execute() {
        s.inspect(() -> {
            Cpu c = s.cpu(cpu);
            List<TlbView.Entry> entries = TlbView.entries(c);
            if (json) {
                List<Object> rows = new ArrayList<>();
                for (TlbView.Entry e : entries) rows.add(TlbView.json(e));
                println(Json.of(rows));
                return;
            }
            println(String.format("cpu%d TLB: %d entries valid, PCID %d (fills %d, walks %d, flushes %d, invlpg %d)", c.apicId(),
                entries.size(), c.tlb.pcid(), c.tlb.stats().fills, c.tlb.stats().walks, TlbView.flushes(c),
                c.tlb.stats().flushes(TlbStats.FlushCause.INVLPG)));
            if (!entries.isEmpty()) println("  array          slot  linear page         frame         size G pcid uwx  restrictions");
            for (TlbView.Entry e : entries) println(TlbView.line(e));
        });
    }
}
