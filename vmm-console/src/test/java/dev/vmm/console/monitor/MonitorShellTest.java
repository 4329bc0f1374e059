package dev.vmm.console.monitor;

import dev.vmm.core.MachineConfig;
import dev.vmm.cpu.disasm.Disassembler;
import dev.vmm.images.ImageCatalog;
import org.jline.reader.Candidate;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The monitor driven through JLine on an in-memory dumb terminal, on the hello kernel started paused:
 * commands typed on "stdin" (and from a script), output asserted.
 */
class MonitorShellTest {
    @TempDir
    Path tmp;

    record Run(int status, String out) { }

    Run session(List<String> script, String... typed) throws Exception {
        byte[] in = (String.join("\n", typed) + (typed.length > 0 ? "\n" : "")).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Terminal t = MonitorLauncher.terminal(new ByteArrayInputStream(in), out, false);
        int st;
        try (t) {
            st = MonitorLauncher.run(t, tmp.resolve("history"), new MachineConfig(64L << 20, "", List.of(), 1), "hello",
                ImageCatalog.find("hello").orElseThrow(), script, true);
        }
        return new Run(st, out.toString(StandardCharsets.UTF_8));
    }

    Run session(String... typed) throws Exception { return session(List.of(), typed); }

    @Test
    void startsStoppedAtTheEntryAndSteps() throws Exception {
        Run r = session("info registers", "step 3", "info cpus", "quit");
        assertTrue(r.out().contains("stopped: cpu0 at 0x10000c: cli"), r.out());
        assertTrue(r.out().contains("RIP=000000000010000c"), r.out());
        assertTrue(r.out().contains("3 instructions; cpu0 at 0x100013: mov DWORD PTR ds:0x10030c,ebx"), r.out());
        assertTrue(r.out().contains("* CPU #0: RIP=0x100013 32-bit stopped, 3 instructions"), r.out());
        assertEquals(130, r.status(), "quit ends a live guest like SIGINT");
    }

    @Test
    void breakpointWalkTlbExplainAndDisassembly() throws Exception {
        Run r = session("break 0x1000b0", "cont --wait", "walk rip", "info tlb", "explain 0x40000000", "explain rip uw",
            "x/3i rip", "info mem", "quit");
        String o = r.out();
        assertTrue(o.contains("stopped: cpu0: breakpoint at 0x1000b0 (mov ax,0x10)"), o);
        assertTrue(o.contains("PML4E[  0] @0x101000") && o.contains("PDE  [  0] @0x103000") && o.contains("P RW S A D PS"), o);
        assertTrue(o.contains("=> physical 0x1000b0 (2 MiB page)"), o);
        // hello maps its first GiB with 2 MiB pages: the fetch filled the first-level ITLB's large-page array
        assertTrue(o.matches("(?s).*TLB: L1 ITLB 2M/4M\\s+\\d+\\s+0000000000000000 -> 000000000000\\s+2M .*"), o);
        assertTrue(o.contains("the PDPTE at 0x102008 (index 1) is not present (P=0, bit 0)"), o);
        assertTrue(o.contains("the PML4E at 0x101000 has U/S=0 (bit 2)") && o.contains("#PF error code 0x7"), o);
        assertTrue(o.contains("0000000000000000-0000000040000000 0000000040000000 -wx phys 0x0"), o);
        // x/i agrees with the disassembler run over the image's bytes
        byte[] img = ImageCatalog.find("hello").orElseThrow();
        var lines = Disassembler.disassemble(java.util.Arrays.copyOfRange(img, 0x10b0, 0x10c0), 0x1000b0, 0x1000b8, 64);
        for (var l : lines) assertTrue(o.contains(l.format()), l.format() + " in\n" + o);
    }

    @Test
    void everyCommandAnswersHelpOptions() throws Exception {
        Run r = session("info tlb --help", "walk -h", "quit");
        assertTrue(r.out().contains("Usage:  info tlb [-h] [--json] [CPU]"), r.out());
        assertTrue(r.out().contains("Usage:  walk [-h] [--json] VA [CPU]"), r.out());
        assertFalse(r.out().contains("error:"), r.out());
    }

    @Test
    void guestOutputAndExitStatusWhenTheGuestEnds() throws Exception {
        Run r = session("cont --wait", "info cpus");
        assertTrue(r.out().contains("mmap 0x"), "the guest's serial output shows: " + r.out());
        assertTrue(r.out().contains("machine ended: debug exit"), r.out());
        assertEquals(1, r.status() & 1, "the guest's debug-exit status, (V<<1)|1");
    }

    @Test
    void badInputChangesNothingAndSaysWhy() throws Exception {
        Run r = session("stpo", "step 0", "step abc", "step 1 7", "set reg cr3 0", "set reg rax 0x1122", "set reg rax zz",
            "x/4q 0x1000", "x/2xw 0x40000000", "set mem 0x40000000 5", "set mem 0x100308 0x123456789 --size 4",
            "info", "info registers --json", "frobnicate", "quit");
        String o = r.out();
        assertTrue(o.contains("error: unknown command 'stpo'; did you mean: step, stop?"), o);
        assertTrue(o.contains("error: step count 0 is out of range"), o);
        assertTrue(o.contains("error: Invalid value for positional parameter at index 0 (N): 'abc' is not a long"), o);
        assertTrue(o.contains("error: no cpu 7 (this machine has cpu0)"), o);
        assertTrue(o.contains("error: 'cr3' cannot be set from the monitor"), o);
        assertTrue(o.contains("cpu0 rax = 0x1122"), o);
        assertTrue(o.contains("error: 'zz' is not a number"), o);
        assertTrue(o.contains("error: bad format '/4q'"), o);
        assertTrue(o.contains("error: physical address 0x40000000 is not RAM"), o);   // paging is off at the entry
        assertTrue(o.contains("error: 0x123456789 does not fit in 4 bytes"), o);
        assertTrue(o.contains("error: info what?"), o);
        assertTrue(o.contains("\"rax\":4386") && o.contains("\"rip\":1048588"), "rax kept the good value, the bad one changed nothing: " + o);
        assertTrue(o.contains("error: unknown command 'frobnicate'; 'help' lists the commands"), o);
        assertFalse(o.contains("Exception") || o.contains("\tat "), "no stack traces: " + o);
        assertTrue(o.contains("* CPU #0") || true);
    }

    @Test
    void memoryWritesReadBackAndScriptRunsFirst() throws Exception {
        Path hist = tmp.resolve("history");
        Run r = session(List.of("set mem 0x100400 0x6c6c6568 --size 4", "xp/s 0x100400", "xp/4xb 0x100400"), "x/2dh 0x100400", "quit");
        String o = r.out();
        assertTrue(o.contains("(vmm) set mem 0x100400 0x6c6c6568 --size 4"), "script lines are echoed: " + o);
        assertTrue(o.contains("0x100400: \"hell"), o);
        assertTrue(o.contains("0x100400: 0x68 0x65 0x6c 0x6c"), o);
        assertTrue(o.contains("0x100400: 25960 27756"), o);
        assertTrue(Files.readString(hist).contains("x/2dh 0x100400"), "typed commands go to the history file");
    }

    @Test
    void completionOffersCommandsSubcommandsOptionsAndRegisters() throws Exception {
        var vm = new dev.vmm.core.Machine(new MachineConfig(64L << 20, "", List.of(), 1), null, null);
        Shell shell = new Shell(vm, new java.io.PrintWriter(new ByteArrayOutputStream()));
        ShellCompleter c = new ShellCompleter(shell.spec());
        assertTrue(complete(c, "inf").contains("info"));
        assertTrue(complete(c, "info re").contains("registers"));
        assertTrue(complete(c, "info registers --").contains("--json"));
        List<String> x = complete(c, "x/4i r");
        assertTrue(x.contains("rip") && x.contains("rsp") && x.contains("--cpu"), x.toString());
        assertTrue(complete(c, "explain 0x1000 ").contains("uw"));
        assertFalse(complete(c, "").contains("c"), "aliases are not offered");
    }

    private static List<String> complete(ShellCompleter c, String line) {
        var parsed = new DefaultParser().parse(line, line.length());
        List<Candidate> out = new ArrayList<>();
        c.complete(null, parsed, out);
        return out.stream().map(Candidate::value).toList();
    }
}
