package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.TlbStats;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code info stats}: the counters the machine keeps. */
@Command(name = "stats", description = "Counters: instructions and TLB fills, flushes and INVLPGs per vCPU.")
final class InfoStatsCommand extends JsonInfoCommand {

    @Override
    void execute() {
        s.inspect(() -> {
            List<Object> rows = new ArrayList<>();
            for (Cpu c : s.vm.cpus()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cpu", c.apicId());
                m.put("instructions", c.instructions);
                m.put("tlb_fills", c.tlb.stats().fills);
                m.put("tlb_walks", c.tlb.stats().walks);
                m.put("tlb_flushes", TlbView.flushes(c));
                m.put("tlb_invlpgs", c.tlb.stats().flushes(TlbStats.FlushCause.INVLPG));
                m.put("tlb_entries", TlbView.entries(c).size());
                rows.add(m);
            }
            if (json) {
                Map<String, Object> all = new LinkedHashMap<>();
                all.put("instructions", s.vm.instructionsExecuted());
                all.put("cpus", rows);
                println(Json.of(all));
                return;
            }
            println("instructions: " + s.vm.instructionsExecuted());
            for (Object o : rows) {
                Map<?, ?> m = (Map<?, ?>) o;
                println(String.format("cpu%s: instructions %s, tlb fills %s, flushes %s, invlpg %s, entries now %s",
                    m.get("cpu"), m.get("instructions"), m.get("tlb_fills"), m.get("tlb_flushes"), m.get("tlb_invlpgs"), m.get("tlb_entries")));
            }
        });
    }
}
