package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code walk VA [CPU]}: the page walk level by level, and the TLB entry if one is cached. */
@Command(name = "walk", description = "Walk a vCPU's page tables for a linear address, level by level; show the TLB entry if cached.")
final class WalkCommand extends JsonInfoCommand {
    @Parameters(index = "0", paramLabel = "VA", description = "Linear address (or a register, e.g. rip).")
    String va;

    @Parameters(index = "1", arity = "0..1", paramLabel = "CPU", description = "vCPU number (default 0).")
    Integer cpu;

    @Override
    void execute() {
        s.inspect(() -> {
            Cpu c = s.cpu(cpu);
            long lin = Numbers.parse(va, c);
            if (!GuestView.paging(c)) {
                println(String.format("cpu%d has paging off (CR0.PG=0): linear %#x is physical %#x", c.apicId(), lin, lin & 0xFFFF_FFFFL));
                return;
            }
            PageWalkView w = new PageWalkView(c, lin, dev.vmm.mmu.Access.SYS_READ, false);
            TlbView.Entry t = TlbView.lookup(c, lin);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cpu", c.apicId());
                m.put("linear", lin);
                m.put("cr3", c.cr3);
                m.put("levels", w.json());
                m.put("physical", w.result.ok() ? w.result.frame | (lin & 0xFFF) : null);
                m.put("tlb", t == null ? null : TlbView.json(t));
                println(Json.of(m));
                return;
            }
            for (String line : w.lines()) println(line);
            println(t == null ? "  TLB: not cached in cpu" + c.apicId() : "  TLB:" + TlbView.line(t).substring(1));
        });
    }
}
