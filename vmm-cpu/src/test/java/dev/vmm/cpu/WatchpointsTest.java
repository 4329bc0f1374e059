package dev.vmm.cpu;

import dev.vmm.mmu.Tlb;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Data watchpoints and the trace hooks at the vCPU level (64-bit, CPL 0, identity-mapped): a watch hit
 * is a trap after the accessing instruction (SDM vol. 3, 17.3.1.2: data breakpoints are reported after
 * the instruction completes, with RIP at the next one); ranges match by overlap with the operand; with no
 * watchpoint the fast lookup serves data pages, with one it serves none.
 */
class WatchpointsTest {
    private static final long DATA = 0x200100;
    // mov DWORD PTR ds:0x200100,0x11223344 ; mov eax,DWORD PTR ds:0x200100 ; rep stosb (rcx=16, rdi=0x200200) ; hlt
    private static final String CODE = "C7042500012000 44332211" + "8B042500012000" + "F3AA" + "F4";
    private static final long STORE = TestCpu.CODE, LOAD = STORE + 11, STOS = LOAD + 7, HLT = STOS + 2;

    private final TestCpu t = new TestCpu(64, 0);

    private void load() {
        t.reset();
        t.mem.zero(TestCpu.WINDOW, TestCpu.WINDOW_SIZE);
        t.loadCode(java.util.HexFormat.of().parseHex(CODE.replace(" ", "")));
        t.cpu.r[4] = TestCpu.STACK_TOP;
        t.cpu.r[1] = 16;
        t.cpu.r[7] = 0x200200;
    }

    private Watchpoints watch(long addr, long len, int kinds, boolean phys) {
        Watchpoints w = new Watchpoints(List.of(new Watchpoints.Watch(1, addr, len, kinds, phys)));
        t.cpu.setWatches(w);
        return w;
    }

    @Test
    void aWriteStopsAfterTheStoreWithOldAndNewValue() {
        load();
        t.mem.write32(DATA, 0xCAFEF00D);
        Watchpoints w = watch(DATA + 3, 1, Watchpoints.WRITE, false);   // the store's last byte
        assertEquals(Cpu.Exit.BREAKPOINT, t.cpu.run(100));
        assertEquals(LOAD, t.cpu.rip, "a trap: RIP at the next instruction");
        Watchpoints.Hit h = w.takeHit();
        assertEquals(STORE, h.rip());
        assertTrue(h.write());
        assertEquals(4, h.size());
        assertEquals(0xCAFEF00DL, h.oldValue());
        assertEquals(0x11223344L, h.newValue());
        assertEquals(DATA, h.lin());
        assertEquals(DATA, h.pa());
        // the load is no write: the guest runs on to HLT
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(100));
        assertNull(w.takeHit());
    }

    @Test
    void readsMatchByOverlapOnly() {
        load();
        Watchpoints w = watch(DATA + 4, 4, Watchpoints.READ, false);    // just above the 4-byte load: no hit
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(100));
        assertNull(w.lastHit());
        load();
        w = watch(DATA - 3, 4, Watchpoints.READ, false);                 // overlaps its first byte
        assertEquals(Cpu.Exit.BREAKPOINT, t.cpu.run(100));
        assertEquals(STOS, t.cpu.rip);
        assertEquals(LOAD, w.lastHit().rip());
        assertFalse(w.lastHit().write());
        assertEquals(0x11223344L, w.lastHit().newValue());
    }

    @Test
    void everyIterationOfARepStringIsChecked() {
        load();
        Watchpoints w = watch(0x20020B, 1, Watchpoints.WRITE, true);     // byte 11 of the 16 REP STOSB writes
        assertEquals(Cpu.Exit.BREAKPOINT, t.cpu.run(100));
        Watchpoints.Hit h = w.takeHit();
        assertEquals(STOS, h.rip());
        assertEquals(0x20020BL, h.pa());
        assertEquals(0x44L, h.newValue(), "AL, loaded from the store's low byte");
    }

    @Test
    void theFastLookupServesDataOnlyWithoutWatchpoints() {
        load();
        t.cpu.run(100);
        assertTrue(java.util.stream.IntStream.range(0, Tlb.FAST).anyMatch(f -> t.cpu.tlb.fastTag(f) == DATA >>> 12), "no watchpoint: the data page is in the fast lookup");
        load();
        watch(0x1000_0000L, 4, Watchpoints.READ | Watchpoints.WRITE, false);
        t.cpu.run(100);
        assertTrue(java.util.stream.IntStream.range(0, Tlb.FAST).allMatch(f -> t.cpu.tlb.fastTag(f) == -1L), "a watchpoint set: every access takes the slow path");
        t.cpu.setWatches(null);
        load();
        t.cpu.run(100);
        assertTrue(java.util.stream.IntStream.range(0, Tlb.FAST).anyMatch(f -> t.cpu.tlb.fastTag(f) == DATA >>> 12), "deleted: the fast lookup is back");
        assertEquals(Tlb.FAST * Tlb.FAST_STRIDE, t.cpu.tlb.fast.length);
    }

    @Test
    void traceHooksSeeInstructionsAndDeliveries() {
        load();
        List<Long> rips = new ArrayList<>();
        List<String> events = new ArrayList<>();
        t.cpu.insnTrace = new CpuTrace() {
            @Override public void instruction(Cpu c) { rips.add(c.rip); }
        };
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(100));
        assertEquals(List.of(STORE, LOAD, STOS, HLT), rips);
        t.cpu.insnTrace = null;
        // ud2: #UD (vector 6) delivered with no error code, RIP of the UD2
        t.reset();
        t.loadCode(new byte[] {0x0F, 0x0B});
        t.cpu.eventTrace = new CpuTrace() {
            @Override public void delivery(Cpu c, int vector, int err, long rip, boolean soft, boolean ext) {
                events.add(vector + "/" + err + "/" + Long.toHexString(rip) + "/" + soft + "/" + ext);
            }
        };
        t.cpu.run(1);
        assertEquals("6/-1/" + Long.toHexString(TestCpu.CODE) + "/false/false", events.get(0));
    }

    @Test
    void theFrameAnExceptionPushesIsWatchedAndTheHitNamesTheVector() {
        // ud2 at CODE; the #UD handler (a 64-bit interrupt gate at WINDOW + 0x1000) is a HLT at CODE + 2
        t.reset();
        t.loadCode(java.util.HexFormat.of().parseHex("0F0B" + "F4"));
        long idt = TestCpu.WINDOW + 0x1000, handler = TestCpu.CODE + 2;
        t.mem.write64(idt + 6 * 16, (handler & 0xFFFF) | (long) t.cpu.segSel[Seg.CS] << 16 | 0x8E00L << 32 | (handler >>> 16 & 0xFFFF) << 48);
        t.mem.write64(idt + 6 * 16 + 8, handler >>> 32);
        t.cpu.idtrBase = idt;
        t.cpu.idtrLimit = 256 * 16 - 1;
        t.cpu.r[4] = TestCpu.STACK_TOP;
        long ripSlot = TestCpu.STACK_TOP - 40; // SS, RSP, RFLAGS, CS, RIP: RIP is pushed last (SDM 6.14.2)
        Watchpoints w = watch(ripSlot, 8, Watchpoints.WRITE, false);
        assertEquals(Cpu.Exit.BREAKPOINT, t.cpu.run(100));
        assertEquals(handler, t.cpu.rip, "reported after the delivery, before the handler's first instruction");
        Watchpoints.Hit h = w.takeHit();
        assertEquals(6, h.vector(), "#UD");
        assertEquals(TestCpu.CODE, h.rip(), "the faulting instruction");
        assertTrue(h.write());
        assertEquals(8, h.size(), "a 64-bit frame slot");
        assertEquals(TestCpu.CODE, h.newValue(), "a fault pushes the faulting instruction's RIP");
        assertTrue(h.describe().contains("the delivery of vector 6 (#UD) at the instruction at 0x100000"), h.describe());
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(100), "the handler runs on");
    }
}
