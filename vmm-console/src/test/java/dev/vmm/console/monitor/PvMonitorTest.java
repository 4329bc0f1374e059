package dev.vmm.console.monitor;

import dev.vmm.core.Machine;
import dev.vmm.core.MachineConfig;
import dev.vmm.cpu.Cpu;
import dev.vmm.images.ImageCatalog;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.PageWalker;
import dev.vmm.mmu.PagingMode;
import dev.vmm.mmu.WalkResult;
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

import static org.junit.jupiter.api.Assertions.*;

/**
 * The VM-layer commands on images/pvtest stopped before it destroys its address spaces (after fork and
 * copy on write both ways). What they show is checked against pvtest.S (handles 1 = parent, 2 = child,
 * the child active last; code at 0x400000, 64 data pages at 0x10000000 holding value ^ 64 in the
 * first: 0x3333 in the parent, 0x2222 in the child; a 16 KiB stack never touched) and against page walks
 * of each space's CR3 done here with {@link PageWalker} on a second, identical (deterministic) run.
 */
class PvMonitorTest {
    /** pvtest's "mov eax, HC_DESTROY" of step 7 (KERNBASE + 0x1002a1, from objdump of the unstripped build). */
    static final long BEFORE_DESTROY = 0xffffffff801002a1L;
    static final long UCODE = 0x400000, UDATA = 0x10000000;
    static final MachineConfig CONFIG = new MachineConfig(64L << 20, "", List.of(), 1).withPv(true);

    @TempDir
    Path tmp;

    /** Facts from the direct run: data and code frames per space, and the child's PTE address for UDATA. */
    static long parentData, childData, parentCode, childCode, childDataPte, parentCr3, childCr3;
    static int parentMapped, childMapped;

    @BeforeAll
    static void walkTheSpacesDirectly() throws Exception {
        parentMapped = childMapped = 0;   // PvTraceTest runs this too, in the same JVM
        try (Machine vm = new Machine(CONFIG, null, null)) {
            vm.loadMultiboot("pvtest", ImageCatalog.find("pvtest").orElseThrow());
            vm.addBreakpoint(BEFORE_DESTROY);
            Thread t = Thread.ofPlatform().daemon().start(vm::run);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!vm.isPaused() && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(vm.isPaused(), "pvtest reached the breakpoint");
            Cpu c = vm.cpus().get(0);
            assertEquals(BEFORE_DESTROY, c.rip);
            parentCr3 = vm.pvMemory().space(1).pmap().cr3();
            childCr3 = c.cr3 & ~0xFFFL;   // the child is active on cpu0: CR3 as the vCPU holds it
            PageWalker w = new PageWalker(vm.memory());
            int mode = PagingMode.of(c.cr0, c.cr4, c.efer);
            WalkResult r = new WalkResult();
            assertTrue(w.walk(parentCr3, mode, UDATA, Access.READ, true, false, r));
            parentData = r.frame;
            assertTrue(w.walk(childCr3, mode, UDATA, Access.READ, true, false, r));
            childData = r.frame;
            childDataPte = r.leafEntryAddr;
            assertTrue(w.walk(parentCr3, mode, UCODE, Access.EXEC, true, false, r));
            parentCode = r.frame;
            assertTrue(w.walk(childCr3, mode, UCODE, Access.EXEC, true, false, r));
            childCode = r.frame;
            for (long va = 0; va < 0x8000_0000L; va += 4096) {   // every user page below 2 GiB (pvtest's range)
                if (w.walk(parentCr3, mode, va, Access.SYS_READ, false, false, r)) parentMapped++;
                if (w.walk(childCr3, mode, va, Access.SYS_READ, false, false, r)) childMapped++;
            }
            assertEquals(0x3333 ^ 64, vm.memory().read64(parentData), "pvtest's parent wrote 0x3333 ^ 64 to its first data page");
            assertEquals(0x2222 ^ 64, vm.memory().read64(childData));
            vm.stop();
            t.join(5000);
        }
    }

    String session(String... typed) throws Exception {
        byte[] in = (String.join("\n", typed) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Terminal t = MonitorLauncher.terminal(new ByteArrayInputStream(in), out, false);
        try (t) {
            MonitorLauncher.run(t, tmp.resolve("history"), CONFIG, "pvtest", ImageCatalog.find("pvtest").orElseThrow(),
                List.of("break " + Numbers.hex(BEFORE_DESTROY), "cont --wait"), true);
        }
        String o = out.toString(StandardCharsets.UTF_8);
        assertTrue(o.contains("stopped: cpu0: breakpoint at 0xffffffff801002a1"), o);
        assertFalse(o.contains("Exception") || o.contains("internal error"), o);
        return o;
    }

    @Test
    void vmspaceMapAndObjectsFollowPvtest() throws Exception {
        String o = session("info vmspace", "info map 1", "info map", "info map --json", "quit");
        assertTrue(o.contains("pv address spaces: 2;"), o);
        assertTrue(o.matches("(?s).*space 1: pmap \\d+ cr3 " + Numbers.hex(parentCr3) + ", 3 map entries \\(276 KiB\\).*pm_active -\n.*"), o);
        assertTrue(o.matches("(?s).*space 2: pmap \\d+ cr3 " + Numbers.hex(childCr3) + ", .*pm_active cpu0, current on cpu0.*"), o);
        // pvtest.S: code r-x after mprotect, NPAGES data pages rw-, 16 KiB stack rw-; private (copy) mappings
        assertTrue(o.contains("0000000000400000-0000000000401000 r-x/rwx  copy"), o);
        assertTrue(o.contains("0000000010000000-0000000010040000 rw-/rwx  copy"), o);
        assertTrue(o.contains("000000007fff0000-000000007fff4000 rw-/rwx  copy        0 none"), "the stack is never touched: " + o);
        assertTrue(o.contains("space 2 (pmap"), "without a handle: the space active on cpu0: " + o);
        // After fork and writes on both sides each space's data sits in its own shadow of one shared object.
        Matcher m = Pattern.compile("space 1 \\(pmap.*?10040000 rw-/rwx  copy        0 obj (\\d+) @pindex 0, 64 resident, shadows obj (\\d+)", Pattern.DOTALL).matcher(o);
        assertTrue(m.find(), o);
        Matcher m2 = Pattern.compile("space 2 \\(pmap.*?10040000 rw-/rwx  copy        0 obj (\\d+) @pindex 0, 64 resident, shadows obj (\\d+)", Pattern.DOTALL).matcher(o);
        assertTrue(m2.find(), o);
        assertEquals(m.group(2), m2.group(2), "both shadow the pre-fork object");
        assertNotEquals(m.group(1), m2.group(1));
        assertTrue(o.contains("\"start\":4194304,\"end\":4198400,\"protection\":\"r-x\""), o);

        String shared = m.group(2), mine = m.group(1);
        String p = session("info object " + shared, "info object " + mine, "info object 9999", "quit");
        assertTrue(p.contains("vm_object " + shared + ": OBJT_DEFAULT (anonymous), size 64 pages, ref_count 2, shadow_count 2, resident 64"), p);
        assertTrue(p.contains("space 1 [0x10000000-0x10040000] (depth 1), space 2 [0x10000000-0x10040000] (depth 1)"), p);
        assertTrue(p.contains("shadow chain: obj " + mine + " -> obj " + shared + " (offset 0, 64 resident)"), p);
        assertTrue(p.contains("resident pages (pindex->phys): 0->" + Numbers.hex(parentData) + " "), "the parent's page from the walk: " + p);
        assertTrue(p.contains("error: no live vm_object 9999 in any pv address space"), p);
    }

    @Test
    void pageShowsItsPvListAndPmapCountsMatchTheTables() throws Exception {
        String o = session("info page " + Numbers.hex(parentData), "info page " + Numbers.hex(parentCode + 0x123),
            "info page " + Numbers.hex(childData) + " --json", "info pmap", "info pmap 2 --json", "info page 0x1000", "quit");
        assertEquals(parentCode, childCode, "the code page is shared (read-only, never written after fork)");
        assertTrue(o.matches("(?s).*vm_page " + Numbers.hex(parentData) + ": object page, obj \\d+ pindex 0\n"
            + "  queue active .*dirty 0xff \\(all\\).*aflags PGA_WRITEABLE.*\n  pv list: 1 mapping\n"
            + "    pmap \\d+ \\(space 1\\) +va 0x10000000 4K rw A D\n.*"), o);
        assertTrue(o.matches("(?s).*vm_page " + Numbers.hex(parentCode) + ": .*pv list: 2 mappings\n"
            + "    pmap \\d+ \\(space 1\\) +va 0x400000 4K r- A\n    pmap \\d+ \\(space 2\\) +va 0x400000 4K r- A\n.*"), o);
        assertTrue(o.contains("\"pv\":[{\"pmap\":") && o.contains("\"space\":2,\"va\":268435456,\"size\":\"4K\",\"writeable\":true"), o);
        assertTrue(o.contains("mappings: " + parentMapped + " x 4K, 0 x 2M superpages, 0 x 1G"), "leaves = pages the walker finds mapped: " + o);
        assertEquals(65, parentMapped, "1 code + 64 data pages");
        assertTrue(o.contains("\"mappings_4k\":" + childMapped), o);
        assertTrue(o.contains("pv: ") && o.contains(" entries in use"), o);
        assertTrue(o.contains("error: physical 0x1000 has no vm_page: the VM layer manages the pv pool [0x2000000, 0x4000000)"), o);
    }

    @Test
    void checkPassesThenFindsABrokenPteAndTheStaleTlbEntry() throws Exception {
        String o = session("check", "walk 0x10000000", "set mem --phys " + Numbers.hex(childDataPte) + " 0 --size 8", "check",
            "check --json", "quit");
        int second = o.indexOf("(vmm) set mem");
        String before = o.substring(0, second), after = o.substring(second);
        assertTrue(before.contains("pmap invariants: ok") && before.contains("check: ok"), before);
        assertTrue(before.contains("TLB checker: off"), before);
        assertTrue(after.contains("pmap invariants: pmap invariant: "), "the cleared PTE breaks the pmap's books: " + after);
        assertTrue(after.matches("(?s).*STALE:\n  cpu0 L1 DTLB 4K slot \\d+: 0x10000000 -> " + Numbers.hex(childData) + " page tables no longer map it.*"), after);
        assertTrue(after.contains("\"ok\":false"), after);
    }

    @Test
    void vmCommandsNeedPvMode() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] in = "info vmspace\ninfo map\ninfo page 0x1000\ninfo object 1\ninfo pmap\ncheck\nquit\n".getBytes(StandardCharsets.UTF_8);
        try (Terminal t = MonitorLauncher.terminal(new ByteArrayInputStream(in), out, false)) {
            MonitorLauncher.run(t, tmp.resolve("h"), new MachineConfig(64L << 20, "", List.of(), 1), "hello",
                ImageCatalog.find("hello").orElseThrow(), List.of(), true);
        }
        String o = out.toString(StandardCharsets.UTF_8);
        assertEquals(5, o.split("error: this machine is not in pv mode", -1).length - 1, o);
        assertTrue(o.contains("pmap invariants: not in pv mode") && o.contains("check: ok"), o);
    }
}
