package dev.vmm.cpu;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Compare-and-branch fusion ({@link Fusion}) must be invisible: the same registers, flags, RIP and
 * instruction count as executing the two instructions one at a time, and a run budget is honoured to
 * the instruction even when it ends between the pair.
 */
class FusionTest {
    // mov ecx, 100 ; xor eax, eax ; L: add eax, 3 ; dec ecx ; jnz L ; cmp eax, 300 ; je +1 ; hlt ; nop ; hlt
    private static final byte[] LOOP = HexFormat.of().parseHex("B964000000" + "31C0" + "83C003" + "FFC9" + "75F9"
        + "3D2C010000" + "7401" + "F4" + "90" + "F4");
    private static final long DEC = TestCpu.CODE + 10, JNZ = TestCpu.CODE + 12;

    private final TestCpu t = new TestCpu(64, 0);

    private void load() {
        t.reset();
        t.loadCode(LOOP);
        t.cpu.instructions = 0;
    }

    /** The reference: one instruction per step() (fusion is off outside the run loop). */
    private long[] stepped() {
        load();
        while (!t.cpu.halted) t.cpu.step();
        return new long[] {t.cpu.r[0], t.cpu.r[1], t.cpu.rip, t.cpu.instructions, t.cpu.rflags()};
    }

    @Test
    void aFusedRunEndsInTheSameStateAsSteppingOneByOne() {
        long[] ref = stepped();
        assertEquals(300, ref[0]);
        assertEquals(2 + 3 * 100 + 2 + 2, ref[3], "mov, xor, 100 x (add, dec, jnz), cmp, je (taken), nop, hlt");
        load();
        assertEquals(Cpu.Exit.HALTED, t.cpu.run(10_000));
        assertArrayEquals(ref, new long[] {t.cpu.r[0], t.cpu.r[1], t.cpu.rip, t.cpu.instructions, t.cpu.rflags()});
        assertNotNull(findLinkedDec(), "the DEC was linked to its JNZ, so fusion really ran");
    }

    @Test
    void aBudgetEndingBetweenTheFlagSetterAndItsJccStopsThere() {
        load();
        t.cpu.run(2 + 3 * 10);                     // warm up: links DEC -> JNZ
        long before = t.cpu.instructions;
        assertEquals(DEC - 3, t.cpu.rip, "back at the ADD after 10 iterations");
        assertEquals(Cpu.Exit.BUDGET, t.cpu.run(2)); // ADD, DEC: the budget ends before the JNZ
        assertEquals(before + 2, t.cpu.instructions);
        assertEquals(JNZ, t.cpu.rip, "stopped at the JNZ, not past it");
        assertEquals(Cpu.Exit.BUDGET, t.cpu.run(1));
        assertEquals(DEC - 3, t.cpu.rip, "the JNZ alone went back to the ADD");
    }

    /** The JNZ the cached DEC is linked to, or null. */
    private Insn findLinkedDec() {
        load();
        t.cpu.run(2 + 3 * 3);
        Insn oneByte = new Insn();
        oneByte.len = 1;
        t.cpu.rip = DEC - 1;                        // the cache's "instruction after" a 1-byte one at DEC - 1
        Insn dec = t.cpu.code.following(t.cpu, oneByte);
        return dec != null && dec.nextJcc != null && dec.nextJcc.op == Op.JCC ? dec.nextJcc : null;
    }
}
