package dev.vmm.console.monitor;

import dev.vmm.core.hv.PvMemory;
import dev.vmm.core.vm.VmObject;
import dev.vmm.core.vm.VmPage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code info object ID}: a vm_object, its resident pages and its shadow chain. */
@Command(name = "object", description = "pv mode: a vm_object (type, size, references, resident pages, shadow chain, who maps it).")
final class InfoObjectCommand extends JsonInfoCommand {
    /** Resident pages listed in the text form; --json lists all. */
    static final int SHOW_PAGES = 16;

    @Parameters(paramLabel = "ID", description = "Object number (see info map).")
    int id;

    @Override
    void execute() {
        PvView.locked(s, this, () -> {
            PvMemory pv = PvView.pv(s);
            var all = PvView.objects(pv);
            VmObject o = all.get(id);
            if (o == null) {
                throw new MonitorError("no live vm_object " + id + " in any pv address space" + (all.isEmpty() ? "" : " (objects: "
                    + String.join(", ", all.keySet().stream().limit(20).map(String::valueOf).toList()) + (all.size() > 20 ? ", ..." : "") + ")"));
            }
            List<VmPage> pages = o.pagesIn(0, Long.MAX_VALUE);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("object", o.id);
                m.put("type", "OBJT_DEFAULT");
                m.put("size", o.size);
                m.put("ref_count", o.refCount);
                m.put("shadow_count", o.shadowCount);
                m.put("resident", o.residentCount());
                m.put("backing_object", o.backingObject == null ? null : o.backingObject.id);
                m.put("backing_offset", o.backingOffset);
                List<Object> ids = new ArrayList<>();
                for (VmObject b = o.backingObject; b != null; b = b.backingObject) ids.add(b.id);
                m.put("shadow_chain", ids);
                List<Object> pl = new ArrayList<>();
                for (VmPage p : pages) pl.add(Map.of("pindex", p.pindex, "phys", p.phys));
                m.put("pages", pl);
                m.put("mapped_by", PvView.users(pv, o));
                println(Json.of(m));
                return;
            }
            println(String.format("vm_object %d: OBJT_DEFAULT (anonymous), size %d pages, ref_count %d, shadow_count %d, resident %d",
                o.id, o.size, o.refCount, o.shadowCount, o.residentCount()));
            StringBuilder sb = new StringBuilder("  shadow chain: obj " + o.id);
            long off = o.backingOffset;
            for (VmObject b = o.backingObject; b != null; off = b.backingOffset, b = b.backingObject) {
                sb.append(String.format(" -> obj %d (offset %d, %d resident)", b.id, off, b.residentCount()));
            }
            if (o.backingObject == null) sb.append(" (no backing object: unread pages are zero-fill)");
            println(sb.toString());
            List<String> users = PvView.users(pv, o);
            println("  mapped by: " + (users.isEmpty() ? "no map entry directly (reached only as a backing object)" : String.join(", ", users)));
            if (!pages.isEmpty()) {
                List<String> l = new ArrayList<>();
                for (VmPage p : pages.subList(0, Math.min(SHOW_PAGES, pages.size()))) l.add(p.pindex + "->" + Numbers.hex(p.phys));
                println("  resident pages (pindex->phys): " + String.join(" ", l) + (pages.size() > SHOW_PAGES ? " ... (" + (pages.size() - SHOW_PAGES) + " more; --json lists all)" : ""));
            }
        });
    }
}
