package dev.vmm.console.monitor;

import dev.vmm.core.MachineConfig;
import dev.vmm.images.ImageCatalog;
import org.jline.terminal.Terminal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.vmm.console.monitor.PvMonitorTest.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code trace on pmap|shootdown} on images/pvtest in pv mode, run to the breakpoint before it destroys its
 * spaces. What the trace prints is checked against pvtest.S (mmap, mprotect of the code page to r-x, 64
 * data pages written in ring 3, fork, copy on write both ways) and against the page walks
 * {@link PvMonitorTest#walkTheSpacesDirectly} makes of each space's CR3 on an identical, deterministic run.
 */
class PvTraceTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void walk() throws Exception { PvMonitorTest.walkTheSpacesDirectly(); }

    String session(MachineConfig config, String image, String... typed) throws Exception {
        byte[] in = (String.join("\n", typed) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Terminal t = MonitorLauncher.terminal(new ByteArrayInputStream(in), out, false)) {
            MonitorLauncher.run(t, tmp.resolve("history"), config, image, ImageCatalog.find(image).orElseThrow(), List.of(), true);
        }
        String o = out.toString(StandardCharsets.UTF_8);
        assertFalse(o.contains("Exception") || o.contains("\tat ") || o.contains("internal error"), "no stack traces: " + o);
        return o;
    }

    String pvtest(String... typed) throws Exception {
        String[] all = new String[typed.length + 3];
        all[0] = "trace limit 100000";
        System.arraycopy(typed, 0, all, 1, typed.length - 1);
        all[typed.length] = "break " + Numbers.hex(BEFORE_DESTROY);
        all[typed.length + 1] = "cont --wait";
        all[typed.length + 2] = typed[typed.length - 1];
        String o = session(CONFIG, "pvtest", all);
        assertTrue(o.contains("stopped: cpu0: breakpoint at 0xffffffff801002a1"), o);
        return o;
    }

    /** The pmap number of pv space {@code handle}, as {@code info vmspace} shows it. */
    static String pmapOf(String o, int handle) {
        Matcher m = Pattern.compile("space " + handle + ": pmap (\\d+) cr3").matcher(o);
        assertTrue(m.find(), o);
        return m.group(1);
    }

    /** The last pmap_enter of {@code va} into pmap {@code pmap}: its page. */
    static long lastEnteredPa(String o, String pmap, long va) {
        Matcher m = Pattern.compile("pmap: pmap_enter#\\d+ pmap " + pmap + " va " + Numbers.hex(va) + " pa (0x[0-9a-f]+) prot [rwx-]{3} access [^\n]*-> KERN_SUCCESS").matcher(o);
        long pa = -1;
        while (m.find()) pa = Long.decode(m.group(1));
        return pa;
    }

    @Test
    void pmapTraceShowsEveryEnterWithThePagesThePageTablesHold() throws Exception {
        String o = pvtest("trace on pmap", "info vmspace");
        assertTrue(o.contains("tracing: pmap (limit 100000 lines)"), o);
        String parent = pmapOf(o, 1), child = pmapOf(o, 2);
        // the last page entered at each address is the one the walk of the space's page tables finds
        assertEquals(parentData, lastEnteredPa(o, parent, UDATA), "parent data page: " + o);
        assertEquals(childData, lastEnteredPa(o, child, UDATA), "child data page after copy on write");
        assertEquals(parentCode, lastEnteredPa(o, parent, UCODE), "parent code page");
        // the child writes its data first (0x2222), so its copy-on-write fault is a write access
        assertTrue(o.matches("(?s).*pmap: pmap_enter#\\d+ pmap " + child + " va 0x10000000 pa " + Numbers.hex(childData)
            + " prot rw- access -w- psind 0 \\(4K\\) -> KERN_SUCCESS\n.*"), o);
        // pvtest.S step 3: mprotect(UCODE, 4096, r-x) on the parent
        assertTrue(o.contains("pmap: pmap_protect#") && o.matches("(?s).*pmap_protect#\\d+ pmap " + parent + " va 0x400000-0x401000 prot r-x\n.*"), o);
        // activations load each space's CR3
        assertTrue(o.contains("pmap: pmap_activate pmap " + parent + " cr3 " + Numbers.hex(parentCr3)), o);
        assertTrue(o.contains("pmap: pmap_activate pmap " + child + " cr3 " + Numbers.hex(childCr3)), o);
        // every data page of both spaces was entered: 64 distinct va per pmap
        for (String p : List.of(parent, child)) {
            Matcher m = Pattern.compile("pmap_enter#\\d+ pmap " + p + " va (0x1[0-9a-f]{7}) ").matcher(o);
            java.util.Set<String> vas = new java.util.HashSet<>();
            while (m.find()) vas.add(m.group(1));
            assertEquals(64, vas.size(), "pmap " + p + ": " + vas);
        }
        assertFalse(Pattern.compile("(?m)^cpu\\d+ shootdown ").matcher(o).find(), "shootdown is not on: " + o);
        // the numbers agree with info page's pv list for the same page
        String q = session(CONFIG, "pvtest", "break " + Numbers.hex(BEFORE_DESTROY), "cont --wait", "info page " + Numbers.hex(parentData), "quit");
        assertTrue(q.matches("(?s).*pv list: 1 mapping\n    pmap " + parent + " \\(space 1\\) +va 0x10000000 4K.*"), q);
    }

    @Test
    void shootdownTraceShowsInitiatorOnlyInvalidationsOnOneVcpu() throws Exception {
        String o = pvtest("trace on shootdown pmap", "info vmspace");
        String parent = pmapOf(o, 1);
        // mprotect of the active parent's code page: pmap_protect invalidates its one page on cpu0 (pm_active), nobody else
        Matcher m = Pattern.compile("cpu0 shootdown range pmap " + parent + " va 0x400000-0x401000 \\(1 page\\) in (pmap_protect#\\d+): "
            + "targets cpu0, remote none \\(initiator only\\)\n").matcher(o);
        assertTrue(m.find(), o);
        String call = m.group(1);
        // the shootdown comes from inside the call the pmap trace reports right after it, under the same number
        assertTrue(o.indexOf("pmap: " + call + " pmap " + parent + " va 0x400000-0x401000 prot r-x") > m.start(), o);
        // fork write-protects the parent's 64 data pages while the parent runs on cpu0: one range shootdown
        assertTrue(o.matches("(?s).*cpu0 shootdown range pmap " + parent + " va 0x10000000-0x10040000 \\(64 pages\\) in pmap_protect#\\d+: "
            + "targets cpu0, remote none \\(initiator only\\)\n.*"), o);
        assertFalse(o.contains("acknowledged within"), "one vCPU: no remote target, so no latency: " + o);
    }

    @Test
    void pmapTraceNeedsPvModeAndTheLineLimitStopsIt() throws Exception {
        String o = session(new MachineConfig(64L << 20, "", List.of(), 1), "hello", "trace on pmap", "trace on faults shootdown", "trace", "trace on all", "trace off", "quit");
        assertEquals(2, o.split("error: trace on pmap/shootdown: this machine is not in pv mode", -1).length - 1, o);
        assertTrue(o.contains("tracing: none (limit 1000 lines)"), "nothing was turned on: " + o);
        assertTrue(o.contains("tracing: faults, tlb, insn (limit"), "'all' without pv mode: the CPU kinds only: " + o);

        String p = session(CONFIG, "pvtest", "trace limit 5", "trace on pmap shootdown", "cont --wait", "trace", "quit");
        assertTrue(p.contains("trace: 5 lines printed, every trace is off now"), p);
        assertEquals(5, Pattern.compile("(?m)^(pmap: pmap_|cpu\\d+ shootdown )").matcher(p).results().count(), p);
        assertTrue(p.contains("tracing: none"), p);
        assertTrue(p.contains("pvtest: all passed"), "the guest runs on untraced: " + p);
    }
}
