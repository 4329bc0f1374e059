package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * RFLAGS.TF single-step traps and debug-register access rules (SDM vol. 3, 17.2 and 17.3.1.4): the trap
 * comes after the instruction that began with TF set, RIP at the next instruction, DR6.BS set; MOV SS
 * delays it by one instruction; DR4/DR5 alias DR6/DR7 unless CR4.DE.
 */
class SingleStepTest {
    private static final String SET_TF = "9C 48810C2400010000";   // pushf ; orq $0x100,(%rsp)

    private final TestCpu t = new TestCpu(64, 0);

    private int run(String hex, int steps) {
        byte[] code = java.util.HexFormat.of().parseHex(hex.replace(" ", ""));
        t.reset();
        t.cpu.dr[6] = Debug.DR6_INIT;
        t.loadCode(code);
        t.cpu.r[4] = TestCpu.STACK_TOP;
        return t.runUntil(TestCpu.CODE + code.length, steps);
    }

    @Test
    void trapFollowsTheFirstInstructionAfterPopfSetsTf() {
        assertEquals(Interrupts.DB, run(SET_TF + " 9D 90 90", 10));     // popf ; nop ; nop
        assertEquals(TestCpu.CODE + 11, t.cpu.rip, "RIP after the first NOP: POPF itself does not trap");
        assertTrue((t.cpu.dr[6] & Debug.DR6_BS) != 0, "DR6.BS");
    }

    @Test
    void movSsDelaysTheTrapByOneInstruction() {
        // mov %ss,%eax ; popf ; mov %eax,%ss ; nop ; nop
        assertEquals(Interrupts.DB, run(SET_TF + " 8CD0 9D 8ED0 90 90", 10));
        assertEquals(TestCpu.CODE + 15, t.cpu.rip, "trap after the NOP that follows MOV SS, not after MOV SS");
    }

    @Test
    void generalDetectFaultsOnDebugRegisterAccessOnce() {
        t.reset();
        t.cpu.dr[6] = Debug.DR6_INIT;
        t.cpu.dr[7] = Debug.DR7_INIT | Debug.DR7_GD;
        t.loadCode(java.util.HexFormat.of().parseHex("0F21C0")); // mov %dr0,%rax
        assertEquals(Interrupts.DB, t.runUntil(TestCpu.CODE + 3, 2));
        assertEquals(TestCpu.CODE, t.cpu.rip, "a fault: RIP at the MOV");
        assertTrue((t.cpu.dr[6] & Debug.DR6_BD) != 0, "DR6.BD");
        assertEquals(0, t.cpu.dr[7] & Debug.DR7_GD, "GD cleared for the handler");
        assertEquals(-1, t.runUntil(TestCpu.CODE + 3, 2), "the retried MOV runs");
    }

    @Test
    void debugRegisterRules() {
        // mov $1<<32,%rax ; mov %rax,%dr7: upper half reserved
        assertEquals(Interrupts.GP, run("48B80000000001000000 0F23F8", 4));
        // mov %dr4,%rax reads DR6 while CR4.DE is clear
        assertEquals(-1, run("0F21E0", 2));
        assertEquals(Debug.DR6_INIT, t.cpu.r[0]);
        t.reset();
        t.cpu.cr4 |= SystemRegs.CR4_DE;
        t.loadCode(java.util.HexFormat.of().parseHex("0F21E0"));
        assertEquals(Interrupts.UD, t.runUntil(TestCpu.CODE + 3, 2), "DR4 with CR4.DE");
        // mov $0,%eax ; mov %rax,%dr6 ; mov %dr6,%rcx: DR6's fixed bits read as 1
        assertEquals(-1, run("B800000000 0F23F0 0F21F1", 4));
        assertEquals(Debug.DR6_INIT, t.cpu.r[1]);
    }
}
