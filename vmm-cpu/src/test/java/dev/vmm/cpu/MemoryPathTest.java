package dev.vmm.cpu;

import dev.vmm.mmu.Access;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.Pte;
import dev.vmm.mmu.TlbChecker;
import dev.vmm.mmu.TlbStats;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vCPU's memory path: TLB hits and walks, dirty-bit re-walks, #PF and #GP, MOV CR3 with PCIDs,
 * SMAP with RFLAGS.AC, INVLPG/INVPCID, and the TLB checker's view of a stale use.
 */
class MemoryPathTest {
    static final long UPPER = Pte.P | Pte.RW | Pte.US;
    final PhysicalMemory mem = new PhysicalMemory(32L << 20);
    final Cpu cpu = new Cpu(0, mem, new IoPorts() {
        @Override public int in(int port, int size) { return -1; }
        @Override public void out(int port, int size, int value) { }
    });
    long next = 0x10_0000;
    long root;

    long alloc() { long a = next; next += 0x1000; mem.zero(a, 0x1000); return a; }

    long pte(long lin) {
        long table = root;
        for (int lv = 4; lv > 1; lv--) {
            long ea = table + (((lin >>> (12 + 9 * (lv - 1))) & 0x1FF) << 3);
            if ((mem.read64(ea) & Pte.P) == 0) mem.write64(ea, alloc() | UPPER);
            table = mem.read64(ea) & Pte.ADDR_MASK;
        }
        return table + (((lin >>> 12) & 0x1FF) << 3);
    }

    long map(long lin, long pa, long flags) { long e = pte(lin); mem.write64(e, pa | flags); return e; }

    @BeforeEach
    void longMode() {
        root = alloc();
        cpu.cr0 = SystemRegs.CR0_PE | SystemRegs.CR0_PG | SystemRegs.CR0_WP | SystemRegs.CR0_ET;
        cpu.cr4 = SystemRegs.CR4_PAE | SystemRegs.CR4_PGE;
        cpu.efer = Msrs.EFER_LME | Msrs.EFER_LMA | Msrs.EFER_NXE;
        cpu.cr3 = root;
        cpu.cpl = 0;
        cpu.updatePaging();
        Invalidation.cr3Loaded(cpu, false);
    }

    CpuFault fault(Runnable r) { return assertThrows(CpuFault.class, r::run); }

    @Test
    void hitsComeFromTheTlbAndAWriteThroughACleanEntryRewalksToSetDirty() {
        long e = map(0x40_0000L, 0x20_0000L, Pte.P | Pte.RW);
        assertEquals(0x20_0123L, cpu.translate(0x40_0123L, Access.READ));
        assertEquals(0x20_0456L, cpu.translate(0x40_0456L, Access.READ));
        TlbStats st = cpu.tlb.stats();
        assertEquals(1, st.walks);
        assertEquals(0, mem.read64(e) & Pte.D);
        cpu.translate(0x40_0008L, Access.WRITE);
        assertEquals(2, st.walks, "the clean entry could not be written through");
        assertEquals(Pte.D, mem.read64(e) & Pte.D);
        cpu.translate(0x40_0010L, Access.WRITE);
        assertEquals(2, st.walks, "now it can");
        cpu.tlb.checkInvariants();
    }

    @Test
    void pageFaultSetsCr2AndErrorCodeAndNonCanonicalIsGp() {
        CpuFault f = fault(() -> cpu.translate(0x7000_0000L, Access.WRITE));
        assertEquals(Interrupts.PF, f.vector);
        assertEquals(2, f.errorCode);
        // CR2 itself is written when the #PF is delivered (a pv hypervisor may resolve it first).
        assertEquals(0x7000_0000L, cpu.faultLinear);
        cpu.cpl = 3;
        cpu.updatePaging();
        map(0x7000_0000L, 0x20_0000L, Pte.P | Pte.RW);
        f = fault(() -> cpu.translate(0x7000_0000L, Access.EXEC));
        assertEquals(Pte.P | 4 | 16, f.errorCode, "P | U/S | I/D: a supervisor page");
        f = fault(() -> cpu.translate(0x0000_8000_0000_0000L, Access.READ));
        assertEquals(Interrupts.GP, f.vector);
    }

    @Test
    void theTlbReallyCachesUntilInvlpg() {
        long e = map(0x50_0000L, 0x20_0000L, Pte.P | Pte.RW | Pte.A | Pte.D);
        cpu.translate(0x50_0000L, Access.READ);
        mem.write64(e, 0x30_0000L | Pte.P | Pte.RW);
        assertEquals(0x20_0000L, cpu.translate(0x50_0000L, Access.READ), "stale, as on hardware");
        cpu.invlpg(0x50_0000L);
        assertEquals(0x30_0000L, cpu.translate(0x50_0000L, Access.READ));
    }

    @Test
    void movCr3WithPcidsAndBit63() {
        map(0x60_0000L, 0x20_0000L, Pte.P);
        SystemRegs.writeCr(cpu, 3, root | 5);
        assertThrows(CpuFault.class, () -> SystemRegs.writeCr(cpu, 4, cpu.cr4 | SystemRegs.CR4_PCIDE), "PCIDE needs CR3[11:0] = 0");
        SystemRegs.writeCr(cpu, 3, root);
        SystemRegs.writeCr(cpu, 4, cpu.cr4 | SystemRegs.CR4_PCIDE);
        SystemRegs.writeCr(cpu, 3, root | 1);
        assertEquals(1, cpu.tlb.pcid());
        cpu.translate(0x60_0000L, Access.READ);
        SystemRegs.writeCr(cpu, 3, root | 2);
        long walks = cpu.tlb.stats().walks;
        SystemRegs.writeCr(cpu, 3, root | 1 | Long.MIN_VALUE);
        assertEquals(root | 1, cpu.cr3, "bit 63 is not stored");
        cpu.translate(0x60_0000L, Access.READ);
        assertEquals(walks, cpu.tlb.stats().walks, "PCID 1 kept its entry");
        assertEquals(1, cpu.tlb.stats().flushes(TlbStats.FlushCause.MOV_CR3_NOFLUSH));
        SystemRegs.writeCr(cpu, 3, root | 1);
        cpu.translate(0x60_0000L, Access.READ);
        assertEquals(walks + 1, cpu.tlb.stats().walks, "without bit 63 the PCID is flushed");
        assertThrows(CpuFault.class, () -> SystemRegs.writeCr(cpu, 0, cpu.cr0 & ~SystemRegs.CR0_PG), "CR0.PG cannot clear with PCIDE");
    }

    @Test
    void smapAllowsExplicitSupervisorAccessOnlyWithAc() {
        map(0x70_0000L, 0x20_0000L, Pte.P | Pte.RW | Pte.US | Pte.A | Pte.D);
        cpu.cr4 |= SystemRegs.CR4_SMAP;
        cpu.updatePaging();
        assertEquals(Interrupts.PF, fault(() -> cpu.translate(0x70_0000L, Access.READ)).vector);
        cpu.flagsRest |= Flags.AC;
        assertEquals(0x20_0000L, cpu.translate(0x70_0000L, Access.READ));
        assertEquals(0x20_0000L, cpu.translate(0x70_0000L, Access.WRITE));
        assertEquals(Pte.P, fault(() -> cpu.translate(0x70_0000L, Access.SYS_READ)).errorCode & Pte.P,
            "implicit supervisor accesses ignore AC");
        cpu.flagsRest &= ~Flags.AC;
        assertEquals(Interrupts.PF, fault(() -> cpu.translate(0x70_0000L, Access.READ)).vector, "the TLB entry does not grant it either");
    }

    @Test
    void invpcidChecksItsOperands() {
        assertEquals(Interrupts.GP, fault(() -> cpu.invpcid(4, 0, 0)).vector);
        assertEquals(Interrupts.GP, fault(() -> cpu.invpcid(0, 1, 0)).vector, "PCID 1 without CR4.PCIDE");
        assertEquals(Interrupts.GP, fault(() -> cpu.invpcid(0, 0, 0x8000_0000_0000L)).vector, "non-canonical");
        assertEquals(Interrupts.GP, fault(() -> cpu.invpcid(1, 4096, 0)).vector);
        long e = map(0x80_0000L, 0x20_0000L, Pte.P | Pte.G);
        cpu.translate(0x80_0000L, Access.READ);
        mem.write64(e, 0x30_0000L | Pte.P | Pte.G);
        cpu.invpcid(Cpu.INVPCID_ALL, 0, 0);
        assertEquals(0x20_0000L, cpu.translate(0x80_0000L, Access.READ), "type 3 keeps global translations");
        cpu.invpcid(Cpu.INVPCID_ALL_GLOBAL, 0, 0);
        assertEquals(0x30_0000L, cpu.translate(0x80_0000L, Access.READ));
    }

    @Test
    void checkerSeesEveryHitAndReportsAStaleOwnUse() {
        TlbChecker checker = new TlbChecker(mem, 1000);
        cpu.attachChecker(checker);
        long e = map(0x90_0000L, 0x20_0000L, Pte.P | Pte.RW);
        cpu.translate(0x90_0000L, Access.READ);
        cpu.translate(0x90_0004L, Access.READ);
        assertEquals(1, checker.counts()[0], "the fast lookup is off: the hit was seen");
        cpu.rip = 0x1234;
        mem.write64(e, 0x30_0000L | Pte.P | Pte.RW);   // this vCPU's own write (it entered last)
        cpu.run(0);                                      // makes it the current vCPU for writes
        mem.write64(e, 0x31_0000L | Pte.P | Pte.RW);
        cpu.rip = 0x5678;
        cpu.translate(0x90_0008L, Access.READ);
        assertEquals(1, checker.violationCount());
        TlbChecker.Violation v = checker.violations().get(0);
        assertEquals(0x90_0008L, v.lin());
        assertEquals(0x5678, v.rip());
        assertTrue(v.write().contains("cpu0 at RIP 0x1234"), v.write());
        cpu.invlpg(0x90_0000L);
        cpu.translate(0x90_0008L, Access.READ);
        assertEquals(1, checker.violationCount(), "after INVLPG the use is fine");
        assertEquals(1, checker.invalidations(TlbChecker.Scope.ADDRESS));
    }

    @Test
    void anotherVcpusWriteIsSuspectedOnlyAfterTheGraceWindow() {
        Cpu other = new Cpu(1, mem, cpu.io);
        TlbChecker checker = new TlbChecker(mem, 1000);
        cpu.attachChecker(checker);
        other.attachChecker(checker);
        long e = map(0xB0_0000L, 0x20_0000L, Pte.P | Pte.RW);
        cpu.translate(0xB0_0000L, Access.READ);
        other.rip = 0x4242;
        other.run(0);                                    // cpu1 is the writer
        mem.write64(e, 0x30_0000L | Pte.P | Pte.RW);
        cpu.translate(0xB0_0010L, Access.READ);
        assertEquals(0, checker.violationCount(), "within the grace window a shootdown may still be on its way");
        other.instructions += 1001;
        cpu.translate(0xB0_0020L, Access.READ);
        assertEquals(1, checker.violationCount());
        TlbChecker.Violation v = checker.violations().get(0);
        assertEquals("suspected missing shootdown", v.kind());
        assertEquals(0, v.cpu());
        assertTrue(v.write().contains("cpu1 at RIP 0x4242"), v.write());
    }

    @Test
    void pmapRuleReportsOnlyAfterTheCallReturned() {
        TlbChecker checker = new TlbChecker(mem, 1_000_000);
        cpu.attachChecker(checker);
        long e = map(0xA0_0000L, 0x20_0000L, Pte.P | Pte.RW);
        cpu.translate(0xA0_0000L, Access.READ);
        checker.beginPmapCall("pmap_remove#1");
        mem.write64(e, 0);
        cpu.translate(0xA0_0000L, Access.READ);
        assertEquals(0, checker.violationCount(), "still inside the pmap call: shootdown in progress");
        checker.endPmapCall("pmap_remove#1");
        cpu.translate(0xA0_0000L, Access.READ);
        assertEquals(1, checker.violationCount());
        assertTrue(checker.violations().get(0).write().contains("pmap_remove#1"));
        assertTrue(checker.violations().get(0).current().contains("#PF"));
    }

    @Test
    void decodedCodeFollowsARemapOnlyAfterInvlpgAsOnHardware() {
        cpu.segAttr[Seg.CS] |= Segments.ATTR_L;
        cpu.updateMode();
        assertEquals(64, cpu.codeMode);
        long codeVa = 0xC0_0000L;
        byte[] first = {(byte) 0xB8, 0x11, 0, 0, 0, (byte) 0xF4};   // mov eax, 0x11; hlt
        byte[] second = {(byte) 0xB8, 0x22, 0, 0, 0, (byte) 0xF4};  // mov eax, 0x22; hlt
        mem.writeBytes(0x20_0000L, first);
        mem.writeBytes(0x21_0000L, second);
        mem.setCodeWriteListener(cpu::codePageWritten); // as Machine wires it
        long e = map(codeVa, 0x20_0000L, Pte.P);
        assertEquals(0x11, runAt(codeVa));
        mem.write64(e, 0x21_0000L | Pte.P);
        assertEquals(0x11, runAt(codeVa), "no INVLPG: the ITLB still maps the old page");
        cpu.invlpg(codeVa);
        assertEquals(0x22, runAt(codeVa), "after INVLPG the new physical page's code runs, not the cached decoding");
        mem.write8(0x21_0001L, 0x33);
        assertEquals(0x33, runAt(codeVa), "a write to the code page drops its decoding");
    }

    long runAt(long rip) {
        cpu.rip = rip;
        cpu.halted = false;
        assertEquals(Cpu.Exit.HALTED, cpu.run(10));
        return cpu.r[0];
    }
}
