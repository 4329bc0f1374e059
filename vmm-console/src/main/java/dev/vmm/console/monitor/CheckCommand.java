package dev.vmm.console.monitor;

import dev.vmm.core.hv.PvMemory;
import dev.vmm.cpu.Cpu;
import dev.vmm.mmu.TlbChecker;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code check}: runs the invariant checkers now. The pmap's (pv mode): page tables, pv lists, pm_stats
 * and wirings agree. The TLBs': no entry a vCPU could use now (its PCID or global) grants more than the
 * page tables do. And the TLB checker's log of stale uses so far (with --check-tlb).
 */
@Command(name = "check", description = "Run the pmap invariant checker (pv mode) and check every TLB entry against the page tables now; show the TLB checker's violations (--check-tlb).")
final class CheckCommand extends JsonInfoCommand {
    /** Violations printed in the text form. */
    static final int SHOW = 10;

    @Override
    void execute() {
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        s.inspect(() -> {
            PvMemory pv = s.vm.pvMemory();
            if (pv == null) {
                out.put("pmap", "not in pv mode");
            } else {
                synchronized (pv.vm()) {
                    try {
                        pv.vm().pmap().checkInvariants();
                        out.put("pmap", "ok");
                    } catch (AssertionError e) {
                        out.put("pmap", e.getMessage());
                        problems.add(e.getMessage());
                    }
                }
            }
            List<Object> tlbs = new ArrayList<>();
            for (Cpu c : s.vm.cpus()) {
                List<TlbView.Entry> all = TlbView.entries(c);
                List<String> stale = new ArrayList<>();
                for (TlbView.Entry e : all) {
                    if (e.stale() == null || (!e.global() && e.pcid() != c.tlb.pcid())) continue;
                    String p = String.format("cpu%d %s slot %d: %#x -> %#x %s", c.apicId(), e.array(), e.slot(), e.linear(), e.frame(), e.stale());
                    stale.add(p);
                    problems.add(p);
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cpu", c.apicId());
                m.put("entries", all.size());
                m.put("stale", stale);
                tlbs.add(m);
            }
            out.put("tlb", tlbs);
            TlbChecker chk = s.vm.tlbChecker();
            if (chk == null) {
                out.put("tlb_checker", null);
            } else {
                List<String> v = new ArrayList<>();
                for (TlbChecker.Violation x : chk.violations()) v.add(x.format());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("violations", chk.violationCount());
                m.put("uses", chk.counts()[0]);
                m.put("rechecks", chk.counts()[1]);
                m.put("page_table_writes", chk.pageTableWrites());
                m.put("first", v);
                out.put("tlb_checker", m);
                if (chk.violationCount() > 0) problems.add(chk.violationCount() + " TLB checker violations");
            }
        });
        out.put("ok", problems.isEmpty());
        if (json) { println(Json.of(out)); return; }
        println("pmap invariants: " + out.get("pmap"));
        for (Object o : (List<?>) out.get("tlb")) {
            Map<?, ?> m = (Map<?, ?>) o;
            List<?> st = (List<?>) m.get("stale");
            println(String.format("cpu%s TLB: %s entries, %s", m.get("cpu"), m.get("entries"),
                st.isEmpty() ? "none grants more than the page tables" : st.size() + " STALE:"));
            for (Object x : st) println("  " + x);
        }
        if (out.get("tlb_checker") instanceof Map<?, ?> m) {
            println(String.format("TLB checker: %s violations (%s TLB uses, %s re-walks, %s page-table writes)",
                m.get("violations"), m.get("uses"), m.get("rechecks"), m.get("page_table_writes")));
            List<?> first = (List<?>) m.get("first");
            for (Object x : first.subList(0, Math.min(SHOW, first.size()))) println("  " + x);
        } else {
            println("TLB checker: off (start the machine with --check-tlb to log stale uses as they happen)");
        }
        println(problems.isEmpty() ? "check: ok" : "check: " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s"));
    }
}
