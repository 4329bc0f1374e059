package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.vmm.mmu.Pte;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * INVPCID (66 0F 38 82 /r, SDM vol. 2): a translation cached in the TLB survives a page-table change
 * until INVPCID drops it; the #GP(0) and #UD conditions of the SDM's exception list; CPUID.7.EBX[10].
 */
class InvpcidTest {
    private final TestCpu t = new TestCpu(64, 0);
    private static final long DESC = TestCpu.CODE + 0x800, PD1 = 0x3008, MARK = 0x5A5A_1234L;

    /** Loads code with RSI = the descriptor, RBX = WINDOW, RAX = type; runs it; returns the fault vector or -1. */
    private int run(String hex, long type, long pcid, long lin) {
        byte[] code = HexFormat.of().parseHex(hex.replace(" ", ""));
        t.loadCode(code);
        t.mem.write64(DESC, pcid);
        t.mem.write64(DESC + 8, lin);
        t.cpu.r[6] = DESC;
        t.cpu.r[3] = TestCpu.WINDOW;
        t.cpu.r[0] = type;
        return t.runUntil(TestCpu.CODE + code.length, 10);
    }

    private static final String LOAD_ECX = "8B0B", INVPCID = "66 0F3882 06", LOAD_EDX = "8B13";

    /** Caches WINDOW's translation, then points its 2 MiB page at physical 0 behind the TLB's back. */
    private void cacheThenRemap() {
        t.reset();
        t.mem.write32(TestCpu.WINDOW, (int) MARK);
        assertEquals(-1, run(LOAD_ECX, 0, 0, 0));
        assertEquals(MARK, t.cpu.r[1]);
        t.mem.write64(PD1, Pte.P | Pte.RW | Pte.US | Pte.PS); // 2 MiB page at physical 0 (which reads 0 here)
        assertEquals(-1, run(LOAD_EDX, 0, 0, 0));
        assertEquals(MARK, t.cpu.r[2], "stale: the TLB still maps the old page");
    }

    @Test
    void eachTypeDropsTheStaleTranslation() {
        for (long type = 0; type <= 3; type++) {
            cacheThenRemap();
            assertEquals(-1, run(INVPCID + LOAD_EDX, type, 0, TestCpu.WINDOW), "type " + type);
            assertNotEquals(MARK, t.cpu.r[2], "type " + type + " invalidated the translation");
        }
        cacheThenRemap();
        assertEquals(-1, run(INVPCID + LOAD_EDX, 0, 0, TestCpu.WINDOW + 0x1000)); // another 4 KiB address in the 2 MiB page
        assertNotEquals(MARK, t.cpu.r[2], "type 0 drops the whole 2 MiB page's translation");
        cacheThenRemap();
        assertEquals(-1, run(INVPCID + LOAD_EDX, 0, 0, TestCpu.WINDOW + 0x200000));
        assertEquals(MARK, t.cpu.r[2], "type 0 for another page leaves this one cached");
    }

    @Test
    void generalProtectionConditions() {
        assertEquals(Interrupts.GP, run(INVPCID, 4, 0, 0), "type > 3");
        assertEquals(Interrupts.GP, run(INVPCID, -1, 0, 0), "type 2^64-1");
        assertEquals(Interrupts.GP, run(INVPCID, 2, 1L << 12, 0), "descriptor bits 63:12 reserved");
        assertEquals(Interrupts.GP, run(INVPCID, 0, 1, 0), "PCID 1 with CR4.PCIDE=0, type 0");
        assertEquals(Interrupts.GP, run(INVPCID, 1, 1, 0), "PCID 1 with CR4.PCIDE=0, type 1");
        assertEquals(-1, run(INVPCID, 2, 1, 0), "types 2 and 3 ignore the PCID");
        assertEquals(Interrupts.GP, run(INVPCID, 0, 0, 0x0000_8000_0000_0000L), "non-canonical address, type 0");
        assertEquals(-1, run(INVPCID, 1, 0, 0x0000_8000_0000_0000L), "the address matters to type 0 only");
        TestCpu user = new TestCpu(64, 3);
        byte[] code = HexFormat.of().parseHex(INVPCID.replace(" ", ""));
        user.loadCode(code);
        user.cpu.r[6] = DESC;
        assertEquals(Interrupts.GP, user.runUntil(TestCpu.CODE + code.length, 3), "CPL 3");
    }

    @Test
    void undefinedForms() {
        assertEquals(Interrupts.UD, run("0F3882 06", 0, 0, 0), "no 66 prefix");
        assertEquals(Interrupts.UD, run("66 0F3882 C0", 0, 0, 0), "register operand");
    }

    @Test
    void cpuidAdvertisesInvpcid() {
        assertEquals(-1, run("B807000000 31C9 0FA2", 0, 0, 0)); // mov $7,%eax ; xor %ecx,%ecx ; cpuid
        assertEquals(1 << 10, t.cpu.r[3] & (1 << 10));
    }
}
