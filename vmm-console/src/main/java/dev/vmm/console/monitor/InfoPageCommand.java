package dev.vmm.console.monitor;

import dev.vmm.core.hv.PvMemory;
import dev.vmm.core.pmap.amd64.PmapCensus;
import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmPhys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code info page PADDR}: a vm_page's state and its pv list (every mapping of it). */
@Command(name = "page", description = "pv mode: the vm_page of a physical address: object, queue, wiring, busy, dirty, aflags, and its pv list (every pmap and va mapping it).")
final class InfoPageCommand extends JsonInfoCommand {
    @Parameters(paramLabel = "PADDR", description = "Physical address (any byte of the page).")
    String paddr;

    @Override
    void execute() {
        PvView.locked(s, this, () -> {
            PvMemory pv = PvView.pv(s);
            long pa = Numbers.parse(paddr, s.cpu(null));
            VmPhys phys = pv.vm().phys();
            VmPage m = phys.page(pa);
            if (m == null) {
                long base = phys.pageAt(0).phys;
                throw new MonitorError(String.format("physical %#x has no vm_page: the VM layer manages the pv pool [%#x, %#x); RAM below it is the guest kernel's own",
                    pa, base, base + ((long) phys.pageCount() << 12)));
            }
            List<PmapCensus.Mapping> maps = PmapCensus.mappings(pv.vm().pmap(), m);
            String kind = m.isFree() ? "free" : m.object != null ? "object page" : m.managed ? "managed" : "unmanaged (page table, pv chunk or kernel page)";
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("phys", m.phys);
                o.put("state", kind);
                o.put("free", m.isFree());
                o.put("object", m.object == null ? null : m.object.id);
                o.put("pindex", m.pindex);
                o.put("managed", m.managed);
                o.put("aflags", PvView.aflags(m.aflags));
                o.put("dirty", m.dirty);
                o.put("valid", m.valid);
                o.put("busy", m.busy);
                o.put("wire_count", m.wireCount);
                o.put("ref_count", m.refCount);
                o.put("queue", PvView.queue(m.queue));
                o.put("act_count", m.actCount);
                List<Object> pvl = new ArrayList<>();
                for (PmapCensus.Mapping x : maps) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("pmap", PmapCensus.id(x.pmap()));
                    e.put("space", PvView.handleOf(pv, x.pmap()));
                    e.put("va", x.va());
                    e.put("size", PvView.size(x.pageShift()));
                    e.put("writeable", x.writeable());
                    e.put("wired", x.wired());
                    e.put("accessed", x.accessed());
                    e.put("modified", x.modified());
                    pvl.add(e);
                }
                o.put("pv", pvl);
                println(Json.of(o));
                return;
            }
            println(String.format("vm_page %#x: %s%s", m.phys, kind,
                m.object == null ? (m.object == null && !m.isFree() && !m.managed && m.wireCount > 0 && m.pindex >= 1 && m.pindex <= 4
                    ? String.format(" (as a page table: level %d, %d valid entries)", m.pindex, m.refCount) : "")
                    : String.format(", obj %d pindex %d", m.object.id, m.pindex)));
            List<String> af = PvView.aflags(m.aflags);
            println(String.format("  queue %s (act_count %d), wire_count %d, busy %s, dirty %#x%s, valid %#x, aflags %s",
                PvView.queue(m.queue), m.actCount, m.wireCount, m.busy ? "yes" : "no", m.dirty,
                m.dirty == VmPage.VM_PAGE_BITS_ALL ? " (all)" : "", m.valid, af.isEmpty() ? "none" : String.join("|", af)));
            if (!m.managed) { println("  unmanaged: no pv list"); return; }
            println("  pv list: " + maps.size() + (maps.size() == 1 ? " mapping" : " mappings"));
            for (PmapCensus.Mapping x : maps) {
                println(String.format("    %-22s va %#x %s %s%s%s%s", PvView.pmapName(pv, x.pmap()), x.va(), PvView.size(x.pageShift()),
                    x.writeable() ? "rw" : "r-", x.wired() ? " wired" : "", x.accessed() ? " A" : "", x.modified() ? " D" : ""));
            }
        });
    }
}
