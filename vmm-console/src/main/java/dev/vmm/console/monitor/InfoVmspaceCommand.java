package dev.vmm.console.monitor;

import dev.vmm.core.hv.PvMemory;
import dev.vmm.core.pmap.amd64.PmapCensus;
import dev.vmm.core.vm.VmMapEntry;
import dev.vmm.core.vm.VmPhys;
import dev.vmm.core.vm.VmSpace;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code info vmspace}: the pv address spaces (struct vmspace), their pmaps and counts. */
@Command(name = "vmspace", description = "pv mode: the address spaces the guest made by hypercall, their pmaps, pm_stats and where they are active.")
final class InfoVmspaceCommand extends JsonInfoCommand {

    @Override
    void execute() {
        PvView.locked(s, this, () -> {
            PvMemory pv = PvView.pv(s);
            List<Object> rows = new ArrayList<>();
            for (var e : pv.spaces().entrySet()) {
                VmSpace sp = e.getValue();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("space", e.getKey());
                m.put("pmap", PmapCensus.id(sp.pmap()));
                m.put("cr3", sp.pmap().cr3());
                List<VmMapEntry> ents = sp.map.entries();
                long bytes = 0;
                for (VmMapEntry me : ents) bytes += me.end - me.start;
                m.put("map_entries", ents.size());
                m.put("mapped_bytes", bytes);
                m.put("resident", sp.pmap().residentCount());
                m.put("wired", sp.pmap().wiredCount());
                m.put("active", PvView.cpus(sp.pmap().active()));
                List<Integer> current = new ArrayList<>();
                for (var c : s.vm.cpus()) if (pv.current(c.apicId()) == sp) current.add(c.apicId());
                m.put("current_on", current);
                rows.add(m);
            }
            VmPhys phys = pv.vm().phys();
            long poolBase = phys.pageAt(0).phys, poolEnd = poolBase + ((long) phys.pageCount() << 12);
            if (json) {
                Map<String, Object> all = new LinkedHashMap<>();
                all.put("spaces", rows);
                all.put("hypercalls", pv.hypercalls);
                all.put("faults_resolved", pv.faultsResolved);
                all.put("faults_to_guest", pv.faultsToGuest);
                all.put("pool_base", poolBase);
                all.put("pool_end", poolEnd);
                all.put("pool_free_pages", phys.freeCount());
                all.put("pool_pages", phys.pageCount());
                all.put("vm_counters", pv.vm().counters.toString());
                println(Json.of(all));
                return;
            }
            println(String.format("pv address spaces: %d; hypercalls %d, #PF resolved by vm_fault %d, passed to the guest %d",
                rows.size(), pv.hypercalls, pv.faultsResolved, pv.faultsToGuest));
            for (Object o : rows) {
                Map<?, ?> m = (Map<?, ?>) o;
                List<?> cur = (List<?>) m.get("current_on");
                println(String.format("  space %s: pmap %s cr3 %#x, %s map entries (%s KiB), pm_stats resident %s wired %s, pm_active %s%s",
                    m.get("space"), m.get("pmap"), (Long) m.get("cr3"), m.get("map_entries"), (Long) m.get("mapped_bytes") >> 10,
                    m.get("resident"), m.get("wired"), m.get("active"),
                    cur.isEmpty() ? "" : ", current on " + String.join(",", cur.stream().map(c -> "cpu" + c).toList())));
            }
            println(String.format("page pool [%#x, %#x): %d of %d pages free, %d active, %d inactive",
                poolBase, poolEnd, phys.freeCount(), phys.pageCount(), pv.vm().activeCount(), pv.vm().inactiveCount()));
            println("vm: " + pv.vm().counters);
        });
    }
}
