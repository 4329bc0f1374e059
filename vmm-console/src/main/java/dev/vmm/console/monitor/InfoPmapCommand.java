package dev.vmm.console.monitor;

import dev.vmm.core.hv.PvMemory;
import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.pmap.amd64.AmdPmapModule;
import dev.vmm.core.pmap.amd64.PmapCensus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code info pmap [SPACE]}: pm_stats, pm_active and the mappings by page size. */
@Command(name = "pmap", description = "pv mode: each address space's pmap (or one): cr3, pm_stats, pm_active, mappings by page size (superpages), and the pmap counters.")
final class InfoPmapCommand extends JsonInfoCommand {
    @Parameters(arity = "0..1", paramLabel = "SPACE", description = "Address-space handle (default: all).")
    Long space;

    @Override
    void execute() {
        PvView.locked(s, this, () -> {
            PvMemory pv = PvView.pv(s);
            List<Long> handles = space != null ? List.of(PvView.space(pv, space).getKey()) : new ArrayList<>(pv.spaces().keySet());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (long h : handles) {
                Pmap p = pv.space(h).pmap();
                PmapCensus.Census c = PmapCensus.census(p);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("space", h);
                m.put("pmap", PmapCensus.id(p));
                m.put("cr3", p.cr3());
                m.put("resident_count", p.residentCount());
                m.put("wired_count", p.wiredCount());
                m.put("active", p.active());
                m.put("mappings_4k", c.pages4k());
                m.put("superpages_2m", c.superpages2m());
                m.put("superpages_1g", c.superpages1g());
                m.put("table_pages", c.tablePages());
                rows.add(m);
            }
            AmdPmapModule mod = (AmdPmapModule) pv.vm().pmap();
            long[] pvu = PmapCensus.pvUsage(mod);
            if (json) {
                Map<String, Object> all = new LinkedHashMap<>();
                all.put("pmaps", rows);
                all.put("counters", mod.counters.toString());
                all.put("pv_chunks", pvu[0]);
                all.put("pv_entries", pvu[1]);
                all.put("pv_reclaimed", pvu[2]);
                println(Json.of(all));
                return;
            }
            if (rows.isEmpty()) println("no pv address spaces, so no user pmaps");
            for (Map<String, Object> m : rows) {
                println(String.format("pmap %s (space %s): cr3 %#x, pm_stats resident_count %s wired_count %s, pm_active %s",
                    m.get("pmap"), m.get("space"), (Long) m.get("cr3"), m.get("resident_count"), m.get("wired_count"), PvView.cpus((Long) m.get("active"))));
                println(String.format("  mappings: %s x 4K, %s x 2M superpages, %s x 1G; %s page-table pages below the PML4",
                    m.get("mappings_4k"), m.get("superpages_2m"), m.get("superpages_1g"), m.get("table_pages")));
            }
            println("vm.pmap: " + mod.counters);
            println(String.format("pv: %d chunk pages, %d entries in use, %d mappings reclaimed", pvu[0], pvu[1], pvu[2]));
        });
    }
}
