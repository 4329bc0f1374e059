package dev.vmm.console.monitor;

import dev.vmm.core.hv.PvMemory;
import dev.vmm.core.pmap.amd64.PmapCensus;
import dev.vmm.core.vm.VmMapEntry;
import dev.vmm.core.vm.VmSpace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code info map [SPACE]}: a pv address space's vm_map entries. */
@Command(name = "map", description = "pv mode: the vm_map entries of an address space (default: the one active on cpu0): range, protection/max, inheritance, wiring, object.")
final class InfoMapCommand extends JsonInfoCommand {
    @Parameters(arity = "0..1", paramLabel = "SPACE", description = "Address-space handle (see info vmspace).")
    Long space;

    @Override
    void execute() {
        PvView.locked(s, this, () -> {
            PvMemory pv = PvView.pv(s);
            var sp = PvView.space(pv, space);
            VmSpace v = sp.getValue();
            List<VmMapEntry> entries = v.map.entries();
            if (json) {
                List<Object> rows = new ArrayList<>();
                for (VmMapEntry e : entries) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("start", e.start);
                    m.put("end", e.end);
                    m.put("protection", PvView.prot(e.protection));
                    m.put("max_protection", PvView.prot(e.maxProtection));
                    m.put("inheritance", PvView.inherit(e.inheritance));
                    m.put("wired_count", e.wiredCount);
                    m.put("needs_copy", e.needsCopy());
                    m.put("object", e.object == null ? null : e.object.id);
                    m.put("offset", e.offset);
                    m.put("object_resident", e.object == null ? 0 : e.object.residentCount());
                    rows.add(m);
                }
                Map<String, Object> all = new LinkedHashMap<>();
                all.put("space", sp.getKey());
                all.put("pmap", PmapCensus.id(v.pmap()));
                all.put("entries", rows);
                println(Json.of(all));
                return;
            }
            println(String.format("space %d (pmap %d, cr3 %#x): %d map entries", sp.getKey(), PmapCensus.id(v.pmap()), v.pmap().cr3(), entries.size()));
            if (!entries.isEmpty()) println("  start            end              prot/max inherit wired object");
            for (VmMapEntry e : entries) {
                String obj = e.object == null ? "none (anonymous, made at the first fault)"
                    : String.format("obj %d @pindex %d, %d resident%s", e.object.id, e.offset, e.object.residentCount(),
                        e.object.backingObject == null ? "" : ", shadows obj " + e.object.backingObject.id);
                println(String.format("  %016x-%016x %s/%s  %-7s %5d %s%s", e.start, e.end, PvView.prot(e.protection),
                    PvView.prot(e.maxProtection), PvView.inherit(e.inheritance), e.wiredCount, obj, e.needsCopy() ? " needs_copy" : ""));
            }
        });
    }
}
