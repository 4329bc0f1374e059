package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Segment limit checks outside 64-bit mode (SDM vol. 3, 5.3): #GP(0) beyond a data segment's limit,
 * #SS(0) for stack accesses beyond SS's, the inverted range of expand-down segments, #GP(0) through a
 * null selector; none in 64-bit mode. Plus the 64-bit triple fault (SDM 6.15, interrupt 8).
 */
class SegmentLimitTest {
    private final TestCpu t = new TestCpu(32, 0);
    /** GDT slot 7 (selector 0x38): base 0x200000, byte-granular limit 0xFFF, 32-bit. */
    private static final long SMALL_DATA = 0x0040_9320_0000_0FFFL, SMALL_DOWN = 0x0040_9720_0000_0FFFL;

    private int run(long descriptor, String hex) {
        t.reset();
        t.mem.write64(t.cpu.gdtrBase + 0x38, descriptor);
        t.cpu.gdtrLimit = 0x3F;
        byte[] code = HexFormat.of().parseHex(hex.replace(" ", ""));
        t.loadCode(code);
        t.cpu.r[4] = TestCpu.STACK_TOP;
        return t.runUntil(TestCpu.CODE + code.length, 20);
    }

    private static final String LOAD_DS = "66B83800 8ED8"; // mov $0x38,%ax ; mov %ax,%ds

    @Test
    void dataAccessBeyondTheLimitIsGp0() {
        assertEquals(-1, run(SMALL_DATA, LOAD_DS + " A0FF0F0000"));          // mov 0xfff,%al: last byte
        assertEquals(Interrupts.GP, run(SMALL_DATA, LOAD_DS + " A000100000")); // mov 0x1000,%al
        assertEquals(0, t.cpu.fault.errorCode);
        assertEquals(Interrupts.GP, run(SMALL_DATA, LOAD_DS + " C60500100000AA")); // movb $0xaa,0x1000
        assertTrue(t.mem.read8(0x201000) != 0xAA, "the faulting store wrote nothing");
    }

    @Test
    void stackAccessBeyondSsLimitIsSs0() {
        // mov $0x38,%ax ; mov %ax,%ss ; mov $0x1008,%esp ; push %eax (writes 0x1004-0x1007)
        assertEquals(Interrupts.SS, run(SMALL_DATA, "66B83800 8ED0 BC08100000 50"));
        assertEquals(0, t.cpu.fault.errorCode);
        assertEquals(0x1008, t.cpu.r[4], "ESP unchanged by the faulting push");
        assertEquals(-1, run(SMALL_DATA, "66B83800 8ED0 BC00100000 50")); // push to 0xffc
    }

    @Test
    void expandDownSegmentsExcludeZeroToLimit() {
        assertEquals(Interrupts.GP, run(SMALL_DOWN, LOAD_DS + " A0FF0F0000"));
        assertEquals(-1, run(SMALL_DOWN, LOAD_DS + " A000100000"));
        assertEquals(-1, run(SMALL_DOWN, LOAD_DS + " A0FFFFFFFF"));          // B=1: up to 4 GiB - 1
    }

    /** GDT slot 7: flat read-only data (type 1). */
    private static final long READ_ONLY = 0x00CF_9100_0000_FFFFL;

    @Test
    void writesThroughReadOnlySegmentsAreGp0() {
        assertEquals(-1, run(READ_ONLY, LOAD_DS + " A000002000"));                 // mov 0x200000,%al: a read
        assertTrue(t.cpu.roData);
        assertEquals(Interrupts.GP, run(READ_ONLY, LOAD_DS + " A200002000"));      // mov %al,0x200000
        assertEquals(0, t.cpu.fault.errorCode);
        assertEquals(Interrupts.GP, run(READ_ONLY, LOAD_DS + " 830500002000 01")); // addl $1,0x200000
        // movsb from read-only DS to writable ES, then through a writable segment again
        assertEquals(-1, run(READ_ONLY, LOAD_DS + " BE00002000 BF10002000 A4 A000002000 26A200002000"));
        // a readable code segment in DS (selector 0x08) may be read, not written
        assertEquals(-1, run(READ_ONLY, "66B80800 8ED8 A000002000"));
        assertEquals(Interrupts.GP, run(READ_ONLY, "66B80800 8ED8 A200002000"));
        // back to a writable DS: the fast paths return
        assertEquals(-1, run(READ_ONLY, LOAD_DS + " 66B81000 8ED8 A200002000"));
        assertTrue(!t.cpu.roData);
    }

    @Test
    void nullSelectorUseIsGp0AndFlatSegmentsAreUnchecked() {
        // xor %eax,%eax ; mov %ax,%ds ; mov 0x0,%al
        assertEquals(Interrupts.GP, run(SMALL_DATA, "31C0 8ED8 A000000000"));
        assertEquals(0, t.cpu.fault.errorCode);
        assertEquals(-1, run(SMALL_DATA, "A000002000"));                      // flat DS: mov 0x200000,%al
    }

    @Test
    void realModeChecksTheLimitButNotTheAttributes() {
        t.reset();
        t.cpu.cr0 &= ~1L; // real mode, DS left with a null selector's attributes (P=0) and a 64 KiB limit
        Segments.load(t.cpu, Seg.DS, 0);
        t.cpu.segAttr[Seg.DS] = 0;
        t.cpu.segLimit[Seg.DS] = 0xFFFF;
        t.cpu.updateMode();
        byte[] code = HexFormat.of().parseHex("A0FFFF67A000000100"); // mov 0xffff,%al ; addr32 mov 0x10000,%al
        t.loadCode(code);
        t.cpu.segBase[Seg.CS] = TestCpu.CODE; // CS's hidden base at the code, IP 0
        t.cpu.rip = 0;
        t.cpu.updateMode();
        assertEquals(16, t.cpu.codeMode);
        assertEquals(Interrupts.GP, t.runUntil(code.length, 4), "only the second load is beyond the limit");
        assertEquals(3, t.cpu.rip);
    }

    @Test
    void noLimitChecksInSixtyFourBitMode() {
        TestCpu l = new TestCpu(64, 0);
        l.cpu.segLimit[Seg.DS] = 0xFFF; // ignored in 64-bit mode
        l.cpu.updateMode();
        byte[] code = HexFormat.of().parseHex("8A042500102000"); // mov 0x201000,%al
        l.loadCode(code);
        assertEquals(-1, l.runUntil(TestCpu.CODE + code.length, 5));
    }

    @Test
    void nearBranchesBeyondTheCodeSegmentLimitAreGp0() {
        // CS 0x38: base 0, limit 0x100FFF (G=1), 32-bit; ljmp $0x38,$CODE+7 ; mov $target,%eax ; jmp *%eax
        long smallCode = 0x00C0_9B00_0000_0100L;
        String enter = "EA07001000 3800";
        t.reset();
        t.mem.write64(t.cpu.gdtrBase + 0x38, smallCode);
        t.cpu.gdtrLimit = 0x3F;
        byte[] code = HexFormat.of().parseHex((enter + "B800101000 FFE0").replace(" ", ""));
        t.loadCode(code);
        assertEquals(Interrupts.GP, t.runUntil(0x101000, 5), "jmp *%eax to 0x101000");
        assertEquals(TestCpu.CODE + 12, t.cpu.rip, "the JMP faulted");
        assertEquals(0x100FFFL, t.cpu.segLimit[Seg.CS]);
        code = HexFormat.of().parseHex((enter + "B8F00F1000 FFE0").replace(" ", ""));
        t.reset();
        t.mem.write64(t.cpu.gdtrBase + 0x38, smallCode);
        t.cpu.gdtrLimit = 0x3F;
        t.loadCode(code);
        assertEquals(-1, t.runUntil(0x100FF0, 5), "within the limit");
        code = HexFormat.of().parseHex((enter + "E8F40F0000").replace(" ", "")); // call to CODE + 12 + 0xff4 = 0x101000
        t.reset();
        t.mem.write64(t.cpu.gdtrBase + 0x38, smallCode);
        t.cpu.gdtrLimit = 0x3F;
        t.loadCode(code);
        t.cpu.r[4] = TestCpu.STACK_TOP;
        assertEquals(Interrupts.GP, t.runUntil(0x101000, 5), "call rel32 beyond the limit");
        assertEquals(TestCpu.STACK_TOP, t.cpu.r[4], "nothing pushed");
    }

    private static int run64(String hex, long rsp, long rax) {
        TestCpu l = new TestCpu(64, 0);
        byte[] code = HexFormat.of().parseHex(hex.replace(" ", ""));
        l.loadCode(code);
        l.cpu.r[4] = rsp;
        l.cpu.r[0] = rax;
        return l.runUntil(TestCpu.CODE + code.length, 5);
    }

    @Test
    void nonCanonicalStackAccessesAreSsNotGp() {
        long nc = 0x0000_8000_0000_0010L;
        assertEquals(Interrupts.SS, run64("50", nc, 0), "push with a non-canonical RSP");
        assertEquals(Interrupts.SS, run64("58", nc, 0), "pop");
        assertEquals(Interrupts.SS, run64("E800000000", nc, 0), "call");
        assertEquals(Interrupts.SS, run64("C3", nc, 0), "ret");
        assertEquals(Interrupts.SS, run64("8B0424", nc, 0), "mov (%rsp),%eax: SS-relative operand");
        assertEquals(Interrupts.GP, run64("8B00", TestCpu.STACK_TOP, nc), "mov (%rax),%eax: DS-relative");
        assertEquals(Interrupts.GP, run64("FF30", TestCpu.STACK_TOP, nc), "push (%rax): the operand, not the stack");
        assertEquals(Interrupts.SS, run64("FF30", nc, TestCpu.WINDOW), "push (%rax) with a non-canonical RSP");
    }

    @Test
    void lgdtAndLidtRequireCanonicalBasesIn64BitMode() {
        TestCpu l = new TestCpu(64, 0);
        l.mem.write16(TestCpu.WINDOW, 0xFFF);
        l.mem.write64(TestCpu.WINDOW + 2, 0x0000_8000_0000_0000L);
        for (String insn : new String[] {"0F0110", "0F0118"}) { // lgdt (%rax), lidt (%rax)
            byte[] code = HexFormat.of().parseHex(insn);
            l.loadCode(code);
            l.cpu.r[0] = TestCpu.WINDOW;
            assertEquals(Interrupts.GP, l.runUntil(TestCpu.CODE + code.length, 2), insn);
        }
    }

    /** LTR or LLDT of selector 0x38 in 64-bit mode, the 16-byte descriptor {@code lo, hi} at GDT slot 7. */
    private static TestCpu loadSystem(String insn, long lo, long hi, int expectVector) {
        TestCpu l = new TestCpu(64, 0);
        l.mem.write64(l.cpu.gdtrBase + 0x38, lo);
        l.mem.write64(l.cpu.gdtrBase + 0x40, hi);
        l.cpu.gdtrLimit = 0x47;
        byte[] code = HexFormat.of().parseHex("66B83800" + insn);
        l.loadCode(code);
        assertEquals(expectVector, l.runUntil(TestCpu.CODE + code.length, 3));
        if (expectVector >= 0) assertEquals(0x38, l.cpu.fault.errorCode);
        return l;
    }

    @Test
    void sixteenByteSystemDescriptorsIn64BitMode() {
        String ltr = "0F00D8", lldt = "0F00D0";
        long tss = 0x0000_8900_5000_0067L, ldt = 0x0000_8200_6000_00FFL; // base 0x5000 / 0x6000, low dword
        assertEquals(0xFFFF_8000_0000_5000L, loadSystem(ltr, tss, 0xFFFF_8000L, -1).cpu.trBase);
        assertEquals(0x0000_0001_0000_6000L, loadSystem(lldt, ldt, 0x1L, -1).cpu.ldtrBase);
        loadSystem(ltr, tss, 0x0000_8000L, Interrupts.GP);                  // base 0x0000_8000_0000_5000: not canonical
        loadSystem(lldt, ldt, 0x0000_8000L, Interrupts.GP);
        loadSystem(ltr, tss, 0x0000_0100_0000_0000L, Interrupts.GP);        // upper half's type field nonzero
        loadSystem(ltr, 0x0000_8100_5000_0067L, 0, Interrupts.GP);          // a 16-bit TSS: not in IA-32e mode
    }

    @Test
    void faultWhileDeliveringTheDoubleFaultShutsDownIn64BitMode() {
        TestCpu l = new TestCpu(64, 0);
        l.cpu.idtrLimit = 0; // every delivery fails: #UD -> #GP -> #GP = #DF -> #GP = triple fault
        l.loadCode(HexFormat.of().parseHex("0F0B")); // ud2
        assertEquals(Cpu.Exit.SHUTDOWN, l.cpu.run(10));
        assertTrue(l.cpu.shutdown);
        assertTrue(l.cpu.shutdownReason.startsWith("triple fault: #GP"), l.cpu.shutdownReason);
        assertTrue(l.cpu.shutdownReason.contains("while delivering #DF"), l.cpu.shutdownReason);
        assertEquals(TestCpu.CODE, l.cpu.rip, "RIP stays at the instruction that started it");
    }
}
