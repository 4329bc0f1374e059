package dev.vmm.console.monitor;

import dev.vmm.core.MachineConfig;
import dev.vmm.images.ImageCatalog;
import org.jline.terminal.Terminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code watch}, {@code delete}, {@code info break} and {@code trace} driven through JLine's in-memory
 * terminal on images/pagetest, whose source (images/pagetest/pagetest.S) says what it reads and writes at
 * TEST_VA = 0x40000000 and which page faults it takes on purpose.
 */
class WatchTraceTest {
    @TempDir
    Path tmp;

    String session(String... typed) throws Exception {
        byte[] in = (String.join("\n", typed) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Terminal t = MonitorLauncher.terminal(new ByteArrayInputStream(in), out, false);
        try (t) {
            MonitorLauncher.run(t, tmp.resolve("history"), new MachineConfig(64L << 20, "", List.of(), 1), "pagetest",
                ImageCatalog.find("pagetest").orElseThrow(), List.of(), true);
        }
        String o = out.toString(StandardCharsets.UTF_8);
        assertFalse(o.contains("Exception") || o.contains("\tat ") || o.contains("internal error"), "no stack traces: " + o);
        return o;
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    @Test
    void linearWatchpointsStopAfterTheReadAndTheWriteTheSourceMakes() throws Exception {
        String o = session("watch r 0x40000000 4", "watch w 0x40001008 4", "info break", "cont --wait",
            "delete -w 1", "info break", "cont --wait", "delete", "cont --wait");
        assertTrue(o.contains("watchpoint 1: r linear 0x40000000 len 4") && o.contains("watchpoint 2: w linear 0x40001008 len 4"), o);
        // case map: "movl TEST_VA, %eax" reads MARK_A through the new mapping; the report names that instruction
        assertTrue(o.matches("(?s).*stopped: cpu0: watchpoint 1: r linear 0x40000000 len 4 hit by the instruction at 0x[0-9a-f]+: "
            + "read of 4 bytes, value 0xa1a1a1a1 at linear 0x40000000 \\(physical 0x[0-9a-f]+\\); "
            + "the instruction: mov eax,DWORD PTR ds:0x40000000; next: .*"), o);
        // case wp-fault: "movl $MARK_C, TEST_VA + 0x1008" faults once, the handler allows it, the write completes
        // (the stop is a trap after it, as an x86 data breakpoint): old 0 (zeroed frame_a), new MARK_C
        assertTrue(o.matches("(?s).*stopped: cpu0: watchpoint 2: w linear 0x40001008 len 4 hit by the instruction at 0x[0-9a-f]+: "
            + "write of 4 bytes, old 0x0 new 0xc3c3c3c3 at linear 0x40001008 \\(physical 0x[0-9a-f]+\\); "
            + "the instruction: mov DWORD PTR ds:0x40001008,0xc3c3c3c3; next: .*"), o);
        assertEquals(1, count(o, "watchpoint 1: r linear 0x40000000 len 4 hit"), "deleted before the remap case reads it again: " + o);
        assertTrue(o.contains("deleted watchpoint 1"), o);
        assertTrue(o.contains("deleted 0 breakpoints and 1 watchpoint"), o);
        // the guest is unharmed by being watched: every case passes and it ends through its debug exit
        assertTrue(o.contains("pagetest: failures 0x0000000000000000") && o.contains("machine ended: debug exit"), o);
        assertFalse(o.contains("FAIL"), o);
    }

    @Test
    void physicalWatchpointCatchesEveryAliasAndRepStringIterations() throws Exception {
        // first find frame_a: the physical address case map's read lands on
        String first = session("watch r 0x40000000 4", "cont --wait", "quit");
        Matcher m = Pattern.compile("value 0xa1a1a1a1 at linear 0x40000000 \\(physical (0x[0-9a-f]+)\\)").matcher(first);
        assertTrue(m.find(), first);
        long frameA = Long.decode(m.group(1));
        String pa = "0x" + Long.toHexString(frameA + 8);
        String o = session("watch -p w " + pa + " 4", "cont --wait", "cont --wait", "quit");
        assertTrue(o.contains("watchpoint 1: w physical " + pa + " len 4"), o);
        // the boot code's "rep stosl" zeroes every table and test frame with paging off: one of its iterations hits
        assertTrue(o.contains("hit by the instruction at 0x") && o.contains("write of 4 bytes, old 0x0 new 0x0 at linear " + pa
            + " (physical " + pa + "); the instruction: rep stos DWORD PTR es:[edi],eax"), o);
        // then the write of MARK_C through TEST_VA + 0x1008, another linear alias of the same frame
        assertTrue(o.contains("write of 4 bytes, old 0x0 new 0xc3c3c3c3 at linear 0x40001008 (physical " + pa + ")"), o);
    }

    @Test
    void traceFaultsShowsThePageFaultsTheSourceTakesOnPurpose() throws Exception {
        String o = session("trace on faults", "cont --wait");
        // case unmap-fault: "movl TEST_VA + 4, %eax" on a non-present page: #PF, error code 0, CR2 = TEST_VA + 4
        assertTrue(o.matches("(?s).*cpu0 #PF \\(vector 14\\) error code 0x0 CR2 0x40000004 at RIP 0x[0-9a-f]+ \\(CS 0x8\\)\n.*"), o);
        // case wp-fault: a write to a read-only page with CR0.WP=1: error code P|W = 3, CR2 = TEST_VA + 0x1008
        assertTrue(o.matches("(?s).*cpu0 #PF \\(vector 14\\) error code 0x3 CR2 0x40001008 at RIP 0x[0-9a-f]+ \\(CS 0x8\\)\n.*"), o);
        assertEquals(2, count(o, "(vector "), "no other exception or interrupt: pagetest runs with interrupts off: " + o);
        assertTrue(o.indexOf("CR2 0x40000004") < o.indexOf("PASS unmap-fault") && o.indexOf("CR2 0x40001008") < o.indexOf("PASS wp-fault"), o);
        assertTrue(o.contains("pagetest: failures 0x0000000000000000"), o);
    }

    @Test
    void traceFaultRipIsTheFaultingInstruction() throws Exception {
        String o = session("trace on faults", "watch w 0x40001008 4", "cont --wait", "quit");
        Matcher f = Pattern.compile("error code 0x3 CR2 0x40001008 at RIP (0x[0-9a-f]+)").matcher(o);
        Matcher w = Pattern.compile("watchpoint 1: w linear 0x40001008 len 4 hit by the instruction at (0x[0-9a-f]+)").matcher(o);
        assertTrue(f.find() && w.find(), o);
        assertEquals(w.group(1), f.group(1), "the #PF is raised by the store that, restarted, completes and hits the watch");
    }

    @Test
    void traceTlbShowsFillsAndTheInvlpgsOfTheSource() throws Exception {
        String o = session("trace limit 5000", "trace on tlb", "cont --wait");
        // case map fills TEST_VA's 4 KiB translation; remap-invlpg's INVLPG drops it and the next read fills another frame
        assertTrue(o.matches("(?s).*cpu0 tlb fill dtlb 0x40000000 -> 0x[0-9a-f]+ \\(4K\\)\n.*"), o);
        assertTrue(o.contains("cpu0 tlb flush: INVLPG 0x40000000 pcid 0"), o);
        assertTrue(o.contains("cpu0 tlb flush: #PF on the address 0x40000004"), o);
        assertTrue(o.contains("cpu0 tlb flush: MOV CR3 pcid 1") && o.contains("cpu0 tlb flush: MOV CR3 pcid 2"), "case pcid: " + o);
        assertTrue(o.contains("pagetest: failures 0x0000000000000000"), o);
    }

    @Test
    void traceInsnIsRateLimitedAndThenOff() throws Exception {
        String o = session("trace limit 10", "trace on insn", "step 3", "cont --wait", "trace");
        assertTrue(o.contains("cpu0 insn 0x10000c: cli\ncpu0 insn 0x10000d: cld\n"), o);
        assertEquals(10, count(o, "cpu0 insn 0x"), o);
        assertTrue(o.contains("trace: 10 lines printed, every trace is off now"), o);
        assertTrue(o.contains("pagetest: failures 0x0000000000000000"), "the guest ran on at full speed: " + o);
        assertTrue(o.contains("tracing: none (limit 10 lines)"), o);
    }

    @Test
    void badWatchAndTraceInputSaysWhyAndChangesNothing() throws Exception {
        String o = session("watch x 0x1000 4", "watch 0x1000 0", "watch 0x1000", "watch zz 4", "delete -w 3", "delete 0x5 -w 1",
            "trace on", "trace on frobs", "trace sideways", "trace limit 0", "info break", "quit");
        assertTrue(o.contains("error: bad watch kind 'x': one of r, w, rw"), o);
        assertTrue(o.contains("error: watch length 0 is out of range"), o);
        assertTrue(o.contains("([r|w|rw] ADDR LEN) requires at least 2 values"), o);
        assertTrue(o.contains("error: 'zz' is not a number"), o);
        assertTrue(o.contains("error: no watchpoint 3 (info break lists them)"), o);
        assertTrue(o.contains("error: give ADDR (a breakpoint) or -w N (a watchpoint), not both"), o);
        assertTrue(o.contains("error: trace on what? faults, tlb, insn, pmap, shootdown or all"), o);
        assertTrue(o.contains("error: unknown trace 'frobs': one of faults, tlb, insn, pmap, shootdown, all"), o);
        assertTrue(o.contains("error: trace sideways?"), o);
        assertTrue(o.contains("error: trace limit 0 is out of range"), o);
        assertTrue(o.contains("no breakpoints or watchpoints"), o);
    }
}
