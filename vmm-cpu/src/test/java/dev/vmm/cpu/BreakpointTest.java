package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * DR0-DR3 breakpoints at the instruction level (SDM vol. 3, 17.2.4-17.2.5, 17.3.1): data breakpoints
 * without paging (the untranslated memory path must see them too), LEN alignment, write-only versus
 * read/write kinds, execute breakpoints and RF, and disarming restoring the fast paths.
 */
class BreakpointTest {
    private final TestCpu t = new TestCpu(32, 0);

    /** mov $dr0,%eax ; mov %eax,%dr0 ; mov $dr7,%eax ; mov %eax,%dr7 ; then {@code hex}. */
    private int run(long dr0, long dr7, String hex) {
        String arm = String.format("B8%08X 0F23C0 B8%08X 0F23F8", Integer.reverseBytes((int) dr0), Integer.reverseBytes((int) dr7));
        byte[] code = HexFormat.of().parseHex((arm + hex).replace(" ", ""));
        t.reset();
        t.cpu.dr[6] = Debug.DR6_INIT;
        t.loadCode(code);
        t.cpu.r[4] = TestCpu.STACK_TOP;
        return t.runUntil(TestCpu.CODE + code.length, 20);
    }

    private static final long ARM_LEN = 16; // the four arming instructions

    @Test
    void dataWriteBreakpointWithoutPagingTrapsAfterTheWrite() {
        assertFalse(t.cpu.pagingEnabled());
        long dr7 = 0x1 | (1 << 16) | (1 << 18); // L0, write, 2 bytes
        assertEquals(Interrupts.DB, run(0x200011, dr7, "A311002000 90")); // mov %eax,0x200011 ; nop
        assertEquals(TestCpu.CODE + ARM_LEN + 5, t.cpu.rip, "a trap: RIP after the write");
        assertEquals(1, t.cpu.dr[6] & 0xF, "DR6.B0");
        // the range is 0x200010-0x200011 (DR0 aligned down to LEN): 0x200012 is outside, reads do not count
        assertEquals(-1, run(0x200011, dr7, "A312002000 A110002000"));
    }

    @Test
    void readWriteBreakpointSeesReads() {
        long dr7 = 0x2 | (3 << 16) | (3 << 18); // G0, read/write, 4 bytes
        assertEquals(Interrupts.DB, run(0x200020, dr7, "A023002000 90")); // mov 0x200023,%al
        assertEquals(TestCpu.CODE + ARM_LEN + 5, t.cpu.rip);
        assertEquals(-1, run(0x200020, dr7, "A024002000")); // 0x200024: outside
    }

    @Test
    void executeBreakpointFaultsUnlessRfIsSet() {
        long target = TestCpu.CODE + ARM_LEN + 1;
        assertEquals(Interrupts.DB, run(target, 0x1, "90 90 90"));
        assertEquals(target, t.cpu.rip, "a fault: RIP at the breakpoint");
        t.cpu.setRflags(t.cpu.rflags() | Flags.RF); // what the handler's IRET would load
        assertEquals(-1, t.runUntil(TestCpu.CODE + ARM_LEN + 3, 5), "RF=1: the instruction runs");
        assertEquals(0, t.cpu.rflags() & Flags.RF, "RF cleared when the instruction completed");
    }

    @Test
    void repeatedStringTrapsAfterTheIterationThatHit() {
        // mov $0x200000,%edi ; mov $16,%ecx ; rep stosb ; nop
        long dr7 = 0x1 | (1 << 16); // L0, write, 1 byte
        assertEquals(Interrupts.DB, run(0x200005, dr7, "BF00002000 B910000000 F3AA 90"));
        long rep = TestCpu.CODE + ARM_LEN + 10;
        assertEquals(rep, t.cpu.rip, "iterations remain: RIP at the REP STOSB");
        assertEquals(10, t.cpu.r[1], "six iterations done");
        assertEquals(0x200006, t.cpu.r[7]);
        assertEquals(-1, t.runUntil(rep + 3, 5), "the rest runs on (no more hits)");
        assertEquals(0, t.cpu.r[1]);
    }

    @Test
    void executeBreakpointOnARepeatedStringFiresOnce() {
        long rep = TestCpu.CODE + ARM_LEN + 10;
        // 5000 iterations: more than one restart chunk
        assertEquals(Interrupts.DB, run(rep, 0x1, "BF00002000 B988130000 F3AA 90"));
        assertEquals(rep, t.cpu.rip);
        t.cpu.setRflags(t.cpu.rflags() | Flags.RF);
        assertEquals(-1, t.runUntil(rep + 3, 10), "RF holds across the restarts of the same instruction");
        assertEquals(0, t.cpu.r[1]);
    }

    @Test
    void ioBreakpointsNeedCr4DeAndTrapAfterTheInstruction() {
        long dr7 = 0x1 | (2 << 16) | (1 << 18); // L0, I/O, 2 bytes: ports 0x3f8-0x3f9
        // mov $0x3f9,%dx ; out %al,(%dx) ; nop
        assertEquals(-1, run(0x3F8, dr7, "66BAF903 EE 90"), "CR4.DE=0: no I/O breakpoints");
        t.reset();
        t.cpu.cr4 |= SystemRegs.CR4_DE;
        byte[] code = HexFormat.of().parseHex(String.format("B8F8030000 0F23C0 B8%08X 0F23F8 66BAF903 EE 90",
            Integer.reverseBytes((int) dr7)).replace(" ", ""));
        t.loadCode(code);
        assertEquals(Interrupts.DB, t.runUntil(TestCpu.CODE + code.length, 10));
        assertEquals(TestCpu.CODE + ARM_LEN + 5, t.cpu.rip, "a trap after the OUT");
        assertEquals(1, t.cpu.dr[6] & 0xF);
    }

    @Test
    void disarmingRestoresTheFastPaths() {
        assertEquals(-1, run(0x200000, 0x1 | (1 << 16), "90"));
        assertTrue(t.cpu.debugArmed && t.cpu.watchData);
        byte[] off = HexFormat.of().parseHex("31C00F23F8"); // xor %eax,%eax ; mov %eax,%dr7
        t.loadCode(off);
        assertEquals(-1, t.runUntil(TestCpu.CODE + off.length, 3));
        assertFalse(t.cpu.debugArmed || t.cpu.watchData);
    }
}
