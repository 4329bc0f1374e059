package dev.vmm.cpu;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Running code block by block ({@link BasicBlock}, what {@link Cpu#run} does) must be invisible: after
 * any budget, in any code mode, the registers, flags, RIP and instruction count are those of executing
 * the same instructions one {@link Cpu#step} at a time; a fault inside a block is raised at its own
 * instruction; code written by an instruction of a block runs as written.
 */
class BasicBlockTest {
    // mov ecx, 100 ; xor eax, eax ; L: add eax, 3 ; dec ecx ; jnz L ; cmp eax, 300 ; je +1 ; hlt ; nop ; hlt
    // (the same bytes in 64- and 32-bit code; 64-bit DEC is FF C9 there, 32-bit uses 49 below)
    private static final String LOOP64 = "B964000000" + "31C0" + "83C003" + "FFC9" + "75F9"
        + "3D2C010000" + "7401" + "F4" + "90" + "F4";
    private static final String LOOP32 = "B964000000" + "31C0" + "83C003" + "49" + "75FA"
        + "3D2C010000" + "7401" + "F4" + "90" + "F4";
    // 16-bit: mov cx, 100 ; xor ax, ax ; L: add ax, 3 ; dec cx ; jnz L ; cmp ax, 300 ; je +1 ; hlt ; nop ; hlt
    private static final String LOOP16 = "B96400" + "31C0" + "83C003" + "49" + "75FA"
        + "3D2C01" + "7401" + "F4" + "90" + "F4";
    private static final long LOOP_LENGTH = 2 + 3 * 100 + 2 + 2; // mov, xor, 100 x (add, dec, jnz), cmp, je, nop... hlt

    private static long[] state(Cpu c) {
        return new long[] {c.r[0], c.r[1], c.rip, c.instructions, c.rflags(), c.halted ? 1 : 0};
    }

    private static void load(TestCpu t, String hex) {
        t.reset();
        t.loadCode(HexFormat.of().parseHex(hex));
        t.cpu.instructions = 0;
        if (t.mode == 16) setCsBase(t.cpu, TestCpu.CODE, 0); // IP is 16 bits wide: CS:0 is the code
    }

    private static void setCsBase(Cpu c, long base, long ip) {
        c.segBase[Seg.CS] = base;
        c.segBaseEff[Seg.CS] = base;
        c.rip = ip;
    }

    /** The reference: the state after {@code k} single steps (or at HLT). */
    private static long[] stepped(TestCpu t, String hex, long k) {
        load(t, hex);
        for (long i = 0; i < k && !t.cpu.halted; i++) t.cpu.step();
        return state(t.cpu);
    }

    private static void everyBudgetMatchesStepping(int mode, String hex) {
        TestCpu t = new TestCpu(mode, 0);
        long[] end = stepped(t, hex, Long.MAX_VALUE);
        assertEquals(300, end[0] & 0xFFFF, "the loop adds 3 a hundred times");
        assertEquals(LOOP_LENGTH, end[3]);
        for (long k = 0; k <= LOOP_LENGTH + 1; k++) {
            long[] ref = stepped(t, hex, k);
            load(t, hex);
            t.cpu.run(k);
            assertArrayEquals(ref, state(t.cpu), mode + "-bit code, budget " + k);
        }
        // and in slices that end in the middle of blocks, over blocks already built
        load(t, hex);
        while (!t.cpu.halted) t.cpu.run(7);
        assertArrayEquals(end, state(t.cpu), mode + "-bit code in slices of 7");
    }

    @Test
    void everyBudgetEndsInTheStateOfSteppingIn64BitCode() { everyBudgetMatchesStepping(64, LOOP64); }

    @Test
    void everyBudgetEndsInTheStateOfSteppingIn32BitCode() { everyBudgetMatchesStepping(32, LOOP32); }

    @Test
    void everyBudgetEndsInTheStateOfSteppingIn16BitCode() { everyBudgetMatchesStepping(16, LOOP16); }

    @Test
    void sixteenBitCodeWhoseIpWrapsInsideAPageFollowsTheWrap() {
        TestCpu t = new TestCpu(16, 0);
        t.reset();
        long base = TestCpu.CODE + 0x800 - 0xFFFC;           // CS:FFFC is in the middle of a page
        t.mem.writeBytes(base + 0xFFFC, HexFormat.of().parseHex("40404040" + "40F4")); // inc ax x4 | (not reached) inc ax; hlt
        t.mem.writeBytes(base, HexFormat.of().parseHex("F4"));                       // CS:0000: hlt
        t.cpu.codePageWritten((base + 0xFFFC) >>> 12);
        t.cpu.codePageWritten(base >>> 12);
        setCsBase(t.cpu, base, 0xFFFC);
        t.cpu.r[0] = 0;
        t.cpu.instructions = 0;
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(100));
        assertEquals(4, t.cpu.r[0], "four INCs, then IP wrapped to 0 and the HLT there ran");
        assertEquals(1, t.cpu.rip, "halted after CS:0000");
        assertEquals(5, t.cpu.instructions);
    }

    @Test
    void anInterruptThatBecomesPendingIsTakenAtTheNextBlockBoundaryEvenWhileBlocksChain() {
        TestCpu t = new TestCpu(64, 0);
        load(t, LOOP64); // its blocks chain: add, dec, jnz jumps back within the page
        t.cpu.setRflags(t.cpu.rflags() | Flags.IF);
        long[] seen = {-1};
        t.cpu.interrupts = new InterruptSource() {
            @Override public boolean pending() { return t.cpu.instructions >= 50; }
            @Override public int acknowledge() { return 0x20; }
        };
        t.cpu.eventTrace = new CpuTrace() {
            @Override
            public void delivery(Cpu c, int vector, int errorCode, long rip, boolean software, boolean external) {
                if (seen[0] < 0 && external) seen[0] = c.instructions;
            }
        };
        t.cpu.run(500);
        assertTrue(seen[0] >= 50 && seen[0] <= 50 + 3,
            "taken within one block (add, dec, jnz) of becoming pending, not at the end of the run loop's chunk: " + seen[0]);
    }

    /** The rule "nothing allocates per executed instruction", checked with the JVM's per-thread allocation counter. */
    @Test
    void executingAllocatesNothingPerInstruction() {
        TestCpu t = new TestCpu(64, 0);
        // mov ecx, 1000000 ; L: mov [rdi+8], rcx ; mov rax, [rdi+8] ; imul rax, rcx ; shr rax, 3 ; call f ;
        // dec ecx ; jnz L ; hlt ; f: add rax, 1 ; ret   -- 9 instructions per iteration
        load(t, "B940420F00" + "48894F08" + "488B4708" + "480FAFC1" + "48C1E803" + "E805000000" + "FFC9" + "75E7" + "F4"
            + "4883C001" + "C3");
        t.cpu.r[7] = TestCpu.WINDOW;
        t.cpu.r[4] = TestCpu.STACK_TOP;
        t.cpu.run(2_000_000); // blocks built, handlers compiled
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertEquals(Cpu.Exit.BUDGET, t.cpu.run(5_000_000));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated while running 5,000,000 instructions");
    }

    @Test
    void anInstructionThatRewritesTheNextOneInItsBlockRunsTheNewBytes() {
        TestCpu t = new TestCpu(64, 0);
        t.mem.setCodeWriteListener(t.cpu::codePageWritten); // as Machine wires it
        // mov byte [rip+1], 0x22 ; mov eax, 0x11 ; hlt  -- the store changes the MOV's immediate to 0x22
        load(t, "C6050100000022" + "B811000000" + "F4");
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(100));
        assertEquals(0x22, t.cpu.r[0], "the rewritten MOV ran, not its decoding from before the store");
        assertEquals(3, t.cpu.instructions);
        // the second time round the block is rebuilt from the new bytes
        t.cpu.rip = TestCpu.CODE + 7;
        t.cpu.halted = false;
        t.cpu.run(100);
        assertEquals(0x22, t.cpu.r[0]);
    }

    @Test
    void aFaultInsideABlockIsRaisedAtItsInstructionWithTheCountBeforeIt() {
        TestCpu t = new TestCpu(64, 0);
        // mov eax, 1 ; mov ebx, [0x800000] (not mapped: #PF) ; mov eax, 2 ; hlt
        load(t, "B801000000" + "8B1C2500008000" + "B802000000" + "F4");
        long[] seen = new long[4];
        t.cpu.eventTrace = new CpuTrace() {
            @Override
            public void delivery(Cpu c, int vector, int errorCode, long rip, boolean software, boolean external) {
                if (seen[0] != 0) return; // the first delivery (what follows in this test's empty IDT is no matter)
                seen[0] = vector; seen[1] = rip; seen[2] = c.instructions; seen[3] = c.r[0];
            }
        };
        t.cpu.run(100);
        assertEquals(Interrupts.PF, seen[0]);
        assertEquals(TestCpu.CODE + 5, seen[1], "RIP of the load, not of the block's start or end");
        assertEquals(1, seen[2], "only the first MOV retired");
        assertEquals(1, seen[3], "and the MOV after the load did not run");
    }

    @Test
    void blocksEndAtInstructionsThatChangeInterruptDeliveryOrControlFlow() {
        TestCpu t = new TestCpu(64, 0);
        // nop ; nop ; sti ; nop ; jmp $ ... : the block is [nop, nop, sti]
        load(t, "9090FB90EBFE");
        assertEquals(Cpu.Exit.BUDGET, t.cpu.run(3));
        Insn first = t.cpu.code.lookup(TestCpu.CODE, 64);
        assertEquals(3, first.runLen, "nop, nop, sti");
        assertEquals(Op.FLAGOP, first.next.next.op);
        assertNull(first.next.next.next);
        assertEquals(TestCpu.CODE + 3, t.cpu.rip);
        assertEquals(Cpu.Exit.BUDGET, t.cpu.run(2)); // the NOP in STI's shadow, then the JMP
        assertEquals(TestCpu.CODE + 4, t.cpu.rip);
        assertEquals(0, t.cpu.code.lookup(TestCpu.CODE + 4 - 1, 64).runLen, "the instruction after STI ran alone");
        assertEquals(1, t.cpu.code.lookup(TestCpu.CODE + 4, 64).runLen, "a JMP ends its block");
    }
    /** Runs {@code hex} with every budget up to its end and compares each state with single-stepping. */
    private static long[] everyBudget(TestCpu t, String hex, long stackTop) {
        long[] end;
        load(t, hex);
        t.cpu.r[4] = stackTop;
        for (long i = 0; !t.cpu.halted; i++) t.cpu.step();
        end = state(t.cpu);
        for (long k = 0; k <= end[3] + 1; k++) {
            load(t, hex);
            t.cpu.r[4] = stackTop;
            for (long i = 0; i < k && !t.cpu.halted; i++) t.cpu.step();
            long[] ref = state(t.cpu);
            load(t, hex);
            t.cpu.r[4] = stackTop;
            t.cpu.run(k);
            assertArrayEquals(ref, state(t.cpu), "budget " + k);
        }
        return end;
    }

    @Test
    void aReturnToThreeCallSitesInOnePageFollowsEachOne() {
        // xor eax, eax ; call f ; call f ; call f ; add eax, 0x10 ; hlt ; f: add eax, 1 ; ret
        // f's RET goes on to three blocks in turn: more than the two it remembers
        TestCpu t = new TestCpu(64, 0);
        String hex = "31C0" + "E80B000000" + "E806000000" + "E801000000" + "83C010" + "F4" + "83C001" + "C3";
        long[] end = everyBudget(t, hex, TestCpu.STACK_TOP);
        assertEquals(0x13, end[0], "three calls, then the add after the last");
        assertEquals(1, end[5], "halted");
        // and the same code run again over its built blocks and links
        t.cpu.rip = TestCpu.CODE;
        t.cpu.halted = false;
        t.cpu.r[0] = 0;
        t.cpu.run(100);
        assertEquals(0x13, t.cpu.r[0]);
    }

    @Test
    void aBlockBuiltUpToAnotherJoinsItsTailPastTheLongestBlock() {
        // 40 NOPs and HLT: entered first at the 20th NOP, then at the first
        TestCpu t = new TestCpu(64, 0);
        String hex = "90".repeat(40) + "F4";
        load(t, hex);
        t.cpu.rip = TestCpu.CODE + 20;
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(100));
        assertEquals(21, t.cpu.instructions);
        Insn mid = t.cpu.code.lookup(TestCpu.CODE + 20, 64);
        assertEquals(21, mid.runLen, "20 NOPs and the HLT");
        t.cpu.rip = TestCpu.CODE;
        t.cpu.halted = false;
        t.cpu.instructions = 0;
        assertEquals(Cpu.Exit.BUDGET, t.cpu.run(30));
        assertEquals(TestCpu.CODE + 30, t.cpu.rip, "the budget ended inside the joined block");
        Insn first = t.cpu.code.lookup(TestCpu.CODE, 64);
        assertEquals(41, first.runLen, "20 new NOPs joined to the 21 instructions already in a block");
        Insn x = first;
        for (int i = 0; i < 20; i++) x = x.next;
        assertSame(mid, x, "the tail is shared, not decoded again");
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(100));
        assertEquals(41, t.cpu.instructions);
    }

    @Test
    void aBlockRewrittenAfterItWasLinkedRunsItsNewBytes() {
        TestCpu t = new TestCpu(64, 0);
        t.mem.setCodeWriteListener(t.cpu::codePageWritten);
        // xor eax, eax ; L: inc eax ; cmp eax, 3 ; jne T ; mov byte [rip+0], 0xF4 ; T: jmp L
        // T runs twice through the JNE's link, then the store turns it into HLT
        load(t, "31C0" + "FFC0" + "83F803" + "7507" + "C60500000000F4" + "EBF0");
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(100));
        assertEquals(3, t.cpu.r[0], "the HLT written over the JMP ran, not the JMP remembered by the link");
        assertEquals(TestCpu.CODE + 0x11, t.cpu.rip, "halted after T");
    }

    @Test
    void callsIntoAnotherCodePageAndBackMatchSteppingAtEveryBudget() {
        // xor eax, eax ; mov ecx, 3 ; L: call f (next page) ; dec ecx ; jnz L ; hlt ... f: add eax, 1 ; ret
        // the recent code pages let the call and the return find their pages without a translation
        TestCpu t = new TestCpu(64, 0);
        String hex = "31C0" + "B903000000" + "E8F40F0000" + "FFC9" + "75F7" + "F4" + "00".repeat(0x1000 - 17) + "83C001C3";
        long[] end = everyBudget(t, hex, TestCpu.STACK_TOP);
        assertEquals(3, end[0], "f ran three times");
        assertEquals(1, end[5]);
    }

    @Test
    void aRemappedCodePageIsTranslatedAgainAfterInvlpg() {
        // linear 0x400000-0x5FFFFF is first mapped to physical 0 (where 0x180000 holds mov eax, 1 ; ret),
        // then the guest maps it to physical 0x200000 (where 0x380000 holds mov eax, 2 ; ret) and INVLPGs:
        //   call 0x580000 ; mov ebx, eax ; mov qword [PD + 16], 0x200083 ; invlpg [0x580000] ; call 0x580000 ; hlt
        TestCpu t = new TestCpu(64, 0);
        load(t, "E8FBFF4700" + "89C3" + "48C704251030000083002000" + "0F013C2500005800" + "E8E0FF4700" + "F4");
        t.mem.write64(0x3010, 0x83); // PD[2]: a 2 MiB page at physical 0
        t.mem.writeBytes(0x180000, HexFormat.of().parseHex("B801000000C3"));
        t.mem.writeBytes(0x380000, HexFormat.of().parseHex("B802000000C3"));
        t.cpu.codePageWritten(0x180000 >>> 12);
        t.cpu.codePageWritten(0x380000 >>> 12);
        t.cpu.r[4] = TestCpu.STACK_TOP;
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(100));
        assertEquals(1, t.cpu.r[3], "the first call ran the code at physical 0x180000");
        assertEquals(2, t.cpu.r[0], "after INVLPG the same linear page runs the code at physical 0x380000");
    }

    @Test
    void aRecentCodePageRewrittenFromAnotherPageRunsItsNewBytes() {
        // xor eax, eax ; call f ; mov byte [f + 2], 2 ; call f ; hlt ... f (next page): add eax, 1 ; ret
        // the second call reaches f's page through the recent pages: it must run "add eax, 2"
        TestCpu t = new TestCpu(64, 0);
        t.mem.setCodeWriteListener(t.cpu::codePageWritten);
        load(t, "31C0" + "E8F90F0000" + "C605F40F000002" + "E8ED0F0000" + "F4" + "00".repeat(0x1000 - 20) + "83C001C3");
        t.cpu.r[4] = TestCpu.STACK_TOP;
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(100));
        assertEquals(3, t.cpu.r[0], "1 from the first call, 2 from the rewritten one");
    }
}
