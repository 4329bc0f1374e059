package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import dev.vmm.cpu.IoPorts;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.PageFaultCode;
import dev.vmm.mmu.PhysicalMemory;
import dev.vmm.mmu.Pte;
import dev.vmm.mmu.WalkResult;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * explain derives its verdict from the entries by the SDM's rules (4.6, 4.7) on its own; here it is run
 * over every combination of the rights bits at the four levels of a 4 KiB mapping, for every access kind,
 * privilege and CR0.WP / EFER.NXE / CR4.SMEP setting, and must agree with the page walker every time
 * (fault or not, and the #PF error code).
 */
class ExplainTest {
    static final long PML4 = 0x10000, PDPT = 0x11000, PD = 0x12000, PT = 0x13000, FRAME = 0x20000;
    static final long VA = 0x0000_7F80_4020_3123L;   // PML4 index 255, PDPT 1, PD 1, PT 3

    final PhysicalMemory mem = new PhysicalMemory(4 << 20);
    final Cpu cpu = new Cpu(0, mem, new IoPorts() {
        @Override public int in(int port, int size) { return -1; }
        @Override public void out(int port, int size, int value) { }
    });

    /** Builds the 4-level path for VA with the given rights per level (bit 0 RW, bit 1 US, bit 2 NX). */
    void map(int[] rights, boolean leafPresent) {
        long[] tables = {PML4, PDPT, PD, PT};
        long[] next = {PDPT, PD, PT, FRAME};
        int[] shifts = {39, 30, 21, 12};
        for (int l = 0; l < 4; l++) {
            long e = next[l] | Pte.P | Pte.A;
            if ((rights[l] & 1) != 0) e |= Pte.RW;
            if ((rights[l] & 2) != 0) e |= Pte.US;
            if ((rights[l] & 4) != 0) e |= Pte.NX;
            if (l == 3 && !leafPresent) e &= ~Pte.P;
            mem.write64(tables[l] + ((VA >>> shifts[l]) & 0x1FF) * 8, e);
        }
    }

    void paging(boolean wp, boolean nxe, boolean smep) {
        cpu.cr0 = 0x8000_0011L | (wp ? 1L << 16 : 0);
        cpu.cr4 = 0x20 | (smep ? 1L << 20 : 0);
        cpu.efer = 0x500 | (nxe ? 1L << 11 : 0);
        cpu.cr3 = PML4;
    }

    @Test
    void agreesWithThePageWalkerOnEveryCombination() {
        int checked = 0, faults = 0;
        for (int combo = 0; combo < 1 << 12; combo++) {
            int[] rights = {combo & 7, (combo >> 3) & 7, (combo >> 6) & 7, (combo >> 9) & 7};
            map(rights, true);
            for (int cfg = 0; cfg < 8; cfg++) {
                paging((cfg & 1) != 0, (cfg & 2) != 0, (cfg & 4) != 0);
                for (int acc : new int[] {Access.READ, Access.WRITE, Access.EXEC}) {
                    for (boolean user : new boolean[] {false, true}) {
                        Explain.Verdict v = Explain.explain(cpu, VA, acc, user);
                        WalkResult r = GuestView.walk(cpu, VA, acc, user);
                        boolean userPage = (rights[0] & rights[1] & rights[2] & rights[3] & 2) != 0;
                        boolean xd = ((rights[0] | rights[1] | rights[2] | rights[3]) & 4) != 0;   // XD fault, or reserved without NXE
                        if ((cfg & 4) != 0 && acc == Access.EXEC && !user && userPage && !xd) {
                            // SDM 4.6.1: with CR4.SMEP a supervisor fetch from a user page faults. PageWalker
                            // (vmm-mmu) does not apply SMEP yet (its combined rights never carry Tlb.USER), so
                            // only explain's SDM verdict is checked here; it reports the disagreement itself.
                            assertTrue(v.faults(), v.sentence());
                            assertEquals(PageFaultCode.P | PageFaultCode.ID, v.errorCode());
                            checked++;
                            continue;
                        }
                        assertTrue(v.walkerAgrees(), v.sentence() + " / " + v.walkerNote());
                        assertEquals(!r.ok(), v.faults(), v.sentence());
                        if (v.faults()) { assertEquals(r.errorCode, v.errorCode(), v.sentence()); faults++; }
                        checked++;
                    }
                }
            }
        }
        assertEquals(4096 * 8 * 6, checked);
        assertTrue(faults > checked / 4 && faults < checked, "both outcomes are exercised: " + faults);
    }

    @Test
    void namesTheEntryAndBitAtFault() {
        paging(true, true, false);
        map(new int[] {3, 3, 1, 3}, true);   // PDE: U/S=0
        Explain.Verdict v = Explain.explain(cpu, VA, Access.READ, true);
        assertTrue(v.faults());
        assertEquals(PageFaultCode.P | PageFaultCode.U, v.errorCode());
        assertTrue(v.sentence().contains("PDE at 0x12008") && v.sentence().contains("U/S=0 (bit 2)"), v.sentence());

        map(new int[] {3, 2, 3, 3}, true);   // PDPTE: R/W=0
        v = Explain.explain(cpu, VA, Access.WRITE, false);
        assertTrue(v.sentence().contains("PDPTE at 0x11008") && v.sentence().contains("R/W=0 (bit 1)") && v.sentence().contains("CR0.WP=1"), v.sentence());

        map(new int[] {3, 3, 3, 7}, true);   // PTE: XD
        v = Explain.explain(cpu, VA, Access.EXEC, true);
        assertTrue(v.sentence().contains("PTE at 0x13018") && v.sentence().contains("XD=1 (bit 63)"), v.sentence());
        assertEquals(PageFaultCode.P | PageFaultCode.U | PageFaultCode.ID, v.errorCode());

        map(new int[] {3, 3, 3, 3}, false);  // PTE not present
        v = Explain.explain(cpu, VA, Access.READ, false);
        assertTrue(v.sentence().contains("PTE at 0x13018 (index 3) is not present"), v.sentence());
        assertEquals(0, v.errorCode());

        map(new int[] {3, 3, 3, 3}, true);
        v = Explain.explain(cpu, VA, Access.WRITE, true);
        assertFalse(v.faults());
        assertTrue(v.sentence().contains("is allowed") && v.sentence().contains("physical 0x20123"), v.sentence());
    }

    @Test
    void reservedBitsAndNonCanonicalAddresses() {
        paging(true, false, false);
        map(new int[] {3, 3, 3, 7}, true);   // XD set while EFER.NXE=0: reserved
        Explain.Verdict v = Explain.explain(cpu, VA, Access.READ, false);
        assertTrue(v.walkerAgrees());
        assertTrue(v.sentence().contains("bit 63 (XD) while EFER.NXE=0"), v.sentence());
        assertEquals(PageFaultCode.P | PageFaultCode.RSVD, v.errorCode());

        v = Explain.explain(cpu, 0x0000_8000_0000_0000L, Access.READ, false);
        assertTrue(v.faults());
        assertTrue(v.sentence().contains("#GP(0)") && v.sentence().contains("not canonical"), v.sentence());
    }

    @Test
    void walkShowsEveryLevelWithItsBits() {
        paging(true, true, false);
        map(new int[] {3, 3, 3, 7}, true);
        PageWalkView w = new PageWalkView(cpu, VA, Access.SYS_READ, false);
        assertEquals(4, w.levels.size());
        var lines = w.lines();
        assertTrue(lines.get(1).contains("PML4E[255]") && lines.get(1).contains("P RW U A"), lines.get(1));
        assertTrue(lines.get(4).contains("PTE  [  3]") && lines.get(4).contains("XD") && lines.get(4).contains("4 KiB page at 0x20000"), lines.get(4));
        assertTrue(lines.get(5).contains("physical 0x20123"), lines.get(5));
    }
}
