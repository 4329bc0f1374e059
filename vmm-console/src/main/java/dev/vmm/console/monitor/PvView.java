package dev.vmm.console.monitor;

import dev.vmm.core.hv.PvMemory;
import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.pmap.amd64.PmapCensus;
import dev.vmm.core.vm.VmMapEntry;
import dev.vmm.core.vm.VmObject;
import dev.vmm.core.vm.VmPage;
import dev.vmm.core.vm.VmParam;
import dev.vmm.core.vm.VmSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The VM layer as the monitor shows it ({@code info vmspace/map/object/page/pmap}): finding the pv
 * memory, an address space by handle, the objects reachable from the maps, and FreeBSD's names for
 * protections, inheritance, page queues and aflags. Callers hold the VM lock ({@link #locked}).
 */
final class PvView {
    private PvView() { }

    /** The machine's pv memory, or a clear error when it was not started with --pv. */
    static PvMemory pv(Session s) {
        PvMemory pv = s.vm.pvMemory();
        if (pv == null) throw new MonitorError("this machine is not in pv mode, so it has no VM layer to show (start it with --pv, e.g. vmm monitor --pv pvtest)");
        return pv;
    }

    /** Runs {@code body} with the guest paused and the VM lock held. */
    static void locked(Session s, ShellCommand cmd, Runnable body) {
        PvMemory pv = pv(s);
        s.inspect(() -> { synchronized (pv.vm()) { body.run(); } });
    }

    /** The space with handle {@code h}; without one, the space active on cpu0, else the first. */
    static Map.Entry<Long, VmSpace> space(PvMemory pv, Long h) {
        SortedMap<Long, VmSpace> all = pv.spaces();
        if (all.isEmpty()) throw new MonitorError("no pv address spaces yet (the guest has not made one with the vmspace-create hypercall)");
        if (h != null) {
            VmSpace sp = all.get(h);
            if (sp == null) throw new MonitorError("no pv address space " + h + " (live: " + String.join(", ", all.keySet().stream().map(String::valueOf).toList()) + ")");
            return Map.entry(h, sp);
        }
        VmSpace cur = pv.current(0);
        for (var e : all.entrySet()) if (e.getValue() == cur) return e;
        return all.entrySet().iterator().next();
    }

    static long handleOf(PvMemory pv, Pmap p) {
        for (var e : pv.spaces().entrySet()) if (e.getValue().pmap() == p) return e.getKey();
        return -1;
    }

    /** Every object reachable from a live space's map entries, down their shadow chains, by id. */
    static SortedMap<Integer, VmObject> objects(PvMemory pv) {
        SortedMap<Integer, VmObject> out = new TreeMap<>();
        for (VmSpace sp : pv.spaces().values()) {
            for (VmMapEntry e : sp.map.entries()) {
                for (VmObject o = e.object; o != null; o = o.backingObject) out.put(o.id, o);
            }
        }
        return out;
    }

    /** Where an object is used: {@code space 1 [0x1000-0x2000]} for each map entry whose chain holds it. */
    static List<String> users(PvMemory pv, VmObject target) {
        List<String> out = new ArrayList<>();
        for (var s : pv.spaces().entrySet()) {
            for (VmMapEntry e : s.getValue().map.entries()) {
                int depth = 0;
                for (VmObject o = e.object; o != null; o = o.backingObject, depth++) {
                    if (o == target) {
                        out.add(String.format("space %d [%#x-%#x]%s", s.getKey(), e.start, e.end, depth == 0 ? "" : " (depth " + depth + ")"));
                        break;
                    }
                }
            }
        }
        return out;
    }

    static String prot(int p) {
        return ((p & VmParam.VM_PROT_READ) != 0 ? "r" : "-") + ((p & VmParam.VM_PROT_WRITE) != 0 ? "w" : "-")
            + ((p & VmParam.VM_PROT_EXECUTE) != 0 ? "x" : "-");
    }

    static String inherit(int i) {
        return switch (i) {
            case VmParam.VM_INHERIT_SHARE -> "share";
            case VmParam.VM_INHERIT_COPY -> "copy";
            case VmParam.VM_INHERIT_NONE -> "none";
            default -> "?" + i;
        };
    }

    static String queue(int q) {
        return switch (q) {
            case VmPage.PQ_NONE -> "none";
            case VmPage.PQ_INACTIVE -> "inactive";
            case VmPage.PQ_ACTIVE -> "active";
            case VmPage.PQ_LAUNDRY -> "laundry";
            default -> "?" + q;
        };
    }

    static List<String> aflags(int f) {
        List<String> l = new ArrayList<>();
        if ((f & VmPage.PGA_WRITEABLE) != 0) l.add("PGA_WRITEABLE");
        if ((f & VmPage.PGA_REFERENCED) != 0) l.add("PGA_REFERENCED");
        if ((f & VmPage.PGA_EXECUTABLE) != 0) l.add("PGA_EXECUTABLE");
        return l;
    }

    static String pmapName(PvMemory pv, Pmap p) {
        long h = handleOf(pv, p);
        return (p.isKernel() ? "kernel_pmap " : "pmap ") + PmapCensus.id(p) + (h > 0 ? " (space " + h + ")" : "");
    }

    /** The vCPUs in a pm_active mask: {@code cpu0,cpu2}, or {@code -}. */
    static String cpus(long mask) {
        if (mask == 0) return "-";
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 64; i++) if ((mask & (1L << i)) != 0) l.add("cpu" + i);
        return String.join(",", l);
    }

    static String size(int shift) { return shift == 12 ? "4K" : shift == 21 ? "2M" : shift == 30 ? "1G" : "2^" + shift; }
}
