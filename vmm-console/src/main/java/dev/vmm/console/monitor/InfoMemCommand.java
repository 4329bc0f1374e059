package dev.vmm.console.monitor;

import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code info mem [CPU]}: the mappings of the page tables CR3 points to. */
@Command(name = "mem", description = "The mappings of a vCPU's page tables (CR3), merged into ranges, with u/w/x rights.")
final class InfoMemCommand extends CpuInfoCommand {

    @Override
    void execute() {
        s.inspect(() -> {
            List<Mappings.Range> ranges = Mappings.of(s.cpu(cpu));
            if (json) {
                List<Object> rows = new ArrayList<>();
                for (Mappings.Range r : ranges) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("start", r.start());
                    m.put("end", r.end());
                    m.put("phys", r.phys());
                    m.put("user", r.user());
                    m.put("write", r.write());
                    m.put("nx", r.nx());
                    rows.add(m);
                }
                println(Json.of(rows));
                return;
            }
            if (ranges.isEmpty()) println("no mappings");
            for (Mappings.Range r : ranges) {
                println(String.format("%016x-%016x %016x %s phys %#x", r.start(), r.end(), r.end() - r.start(), r.flags(), r.phys()));
            }
        });
    }
}
