package dev.vmm.mmu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access-rights rules of Intel SDM vol. 3, 4.6 and the page-fault error code of 4.7, as a table:
 * every combination of (U/S, R/W, XD in the PDE and in the PTE) x (CR0.WP, CR4.SMEP, CR4.SMAP, EFER.NXE,
 * RFLAGS.AC) x (access kind) x (CPL 0 or 3) is walked, and the outcome (allowed, or the exact error
 * code) is compared with {@link #expected}, which is written from the SDM's text and shares no code with
 * the walker or the TLB. The same rows are checked through the TLB's one-AND permission test.
 */
class AccessRightsTest {
    static final long LIN = 0x40_0000_3000L;
    static final long FRAME = 0x80_0000L;

    /** One row of the table. */
    record Row(boolean pdeU, boolean pdeW, boolean pdeXd, boolean pteU, boolean pteW, boolean pteXd,
               boolean wp, boolean smep, boolean smap, boolean nxe, boolean ac, int acc, int cpl) {
        boolean user() { return cpl == 3 && acc != Access.SYS_READ && acc != Access.SYS_WRITE; }

        int mode() {
            int m = PagingMode.LMA | PagingMode.PAE;
            if (wp) m |= PagingMode.WP;
            if (smep) m |= PagingMode.SMEP;
            if (smap) m |= PagingMode.SMAP;
            if (nxe) m |= PagingMode.NXE;
            if (ac && cpl < 3) m |= PagingMode.AC; // the CPU passes AC for explicit accesses at CPL < 3
            return m;
        }
    }

    /**
     * The SDM's answer: -1 when the access is allowed, else the #PF error code. Written from 4.6.1
     * ("Determination of Access Rights") and 4.7 ("Page-Fault Exceptions") directly.
     */
    static int expected(Row r) {
        boolean write = r.acc == Access.WRITE || r.acc == Access.SYS_WRITE;
        boolean fetch = r.acc == Access.EXEC;
        boolean implicit = r.acc == Access.SYS_READ || r.acc == Access.SYS_WRITE;
        boolean userAccess = r.cpl == 3 && !implicit;           // 4.6: implicit accesses are supervisor-mode
        int code = (write ? PageFaultCode.W : 0) | (userAccess ? PageFaultCode.U : 0)
            | (fetch && (r.smep || r.nxe) ? PageFaultCode.ID : 0); // 4.7: I/D with SMEP or (PAE and NXE)
        // 4.5: XD (bit 63) is reserved when IA32_EFER.NXE = 0
        if (!r.nxe && (r.pdeXd || r.pteXd)) return code | PageFaultCode.P | PageFaultCode.RSVD;
        boolean userAddress = r.pdeU && r.pteU;                 // U/S = 1 in every paging-structure entry
        boolean writable = r.pdeW && r.pteW;
        boolean executable = !(r.pdeXd || r.pteXd);
        boolean allowed;
        if (userAccess) {
            // user-mode accesses: only user-mode addresses; writes need R/W=1 everywhere (WP does not matter);
            // fetches need XD=0 everywhere when NXE=1
            if (!userAddress) allowed = false;
            else if (write) allowed = writable;
            else if (fetch) allowed = !r.nxe || executable;
            else allowed = true;
        } else if (fetch) {
            // supervisor fetches: not from user-mode addresses with SMEP; XD when NXE
            allowed = !(userAddress && r.smep) && (!r.nxe || executable);
        } else {
            // supervisor data accesses: SMAP forbids user-mode addresses unless explicit with AC=1
            boolean smapBlocks = userAddress && r.smap && (implicit || !r.ac);
            boolean writeOk = !write || !r.wp || writable;
            allowed = !smapBlocks && writeOk;
        }
        return allowed ? -1 : code | PageFaultCode.P;
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        int[] kinds = {Access.READ, Access.WRITE, Access.EXEC, Access.SYS_READ, Access.SYS_WRITE};
        for (int bits = 0; bits < 1 << 11; bits++) {
            for (int acc : kinds) {
                for (int cpl : new int[] {0, 3}) {
                    rows.add(new Row((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0,
                        (bits & 32) != 0, (bits & 64) != 0, (bits & 128) != 0, (bits & 256) != 0, (bits & 512) != 0,
                        (bits & 1024) != 0, acc, cpl));
                }
            }
        }
        return rows;
    }

    @Test
    void everyRowOfTheRightsTableMatchesTheSdmIn4LevelPaging() {
        PhysicalMemory mem = new PhysicalMemory(16L << 20);
        TablesBuilder t = new TablesBuilder(mem, 4);
        long pdeAddr = t.entryAddr(LIN, 2);
        t.map4k(LIN, FRAME, Pte.P);
        check(mem, t.root, pdeAddr, t.entryAddr(LIN, 1), PagingMode.LMA | PagingMode.PAE, true);
    }

    @Test
    void everyRowOfTheRightsTableMatchesTheSdmInPaePaging() {
        // PAE paging: CR3 -> 4 PDPTEs (no rights bits) -> PD -> PT; the same rules over PDE and PTE
        PhysicalMemory mem = new PhysicalMemory(16L << 20);
        long pdpt = 0x10_0000, pd = 0x10_1000, pt = 0x10_2000;
        long lin = 0x4060_3000L;
        mem.write64(pdpt + 8 * ((lin >>> 30) & 3), pd | Pte.P);
        mem.write64(pd + 8 * ((lin >>> 21) & 0x1FF), pt | Pte.P);
        check(mem, pdpt, pd + 8 * ((lin >>> 21) & 0x1FF), pt + 8 * ((lin >>> 12) & 0x1FF), PagingMode.PAE, false);
    }

    /** Walks every row with the PDE and PTE at the given addresses; {@code longMode} picks {@link #LIN}. */
    private static void check(PhysicalMemory mem, long cr3, long pdeAddr, long pteAddr, int baseMode, boolean longMode) {
        long lin = longMode ? LIN : 0x4060_3000L;
        long pdeTable = pteAddr & ~0xFFFL;
        PageWalker w = new PageWalker(mem);
        WalkResult res = new WalkResult();
        int checked = 0, allowedRows = 0;
        List<String> failures = new ArrayList<>();
        for (Row r : rows()) {
            int mode = (r.mode() & ~(PagingMode.LMA | PagingMode.PAE)) | baseMode;
            long pde = pdeTable | Pte.P | (r.pdeU ? Pte.US : 0) | (r.pdeW ? Pte.RW : 0) | (r.pdeXd ? Pte.NX : 0);
            long pte = FRAME | Pte.P | Pte.A | Pte.D | (r.pteU ? Pte.US : 0) | (r.pteW ? Pte.RW : 0) | (r.pteXd ? Pte.NX : 0);
            mem.write64(pdeAddr, pde);
            mem.write64(pteAddr, pte);
            boolean ok = w.walk(cr3, mode, lin, r.acc, r.user(), false, res);
            int got = ok ? -1 : res.errorCode;
            int want = expected(r);
            if (got != want) failures.add(r + ": walker " + hex(got) + ", SDM " + hex(want));
            if (ok && res.frame != FRAME) failures.add(r + ": frame " + Long.toHexString(res.frame));
            // the same decision through a TLB entry: fill from a walk that succeeds, then one AND
            if (want == -1 || (want & PageFaultCode.RSVD) == 0) {
                boolean filled = w.walk(cr3, baseMode | (r.nxe ? PagingMode.NXE : 0), lin, Access.SYS_READ, false, false, res);
                assertTrue(filled, "a supervisor implicit read without SMAP always succeeds");
                int deny = Tlb.denyMask(r.acc, r.user(), mode) & ~Tlb.CLEAN;
                if ((mode & PagingMode.AC) != 0 && !r.user() && (r.acc == Access.READ || r.acc == Access.WRITE)) deny &= ~Tlb.USER;
                boolean tlbAllows = (res.perm & deny) == 0;
                if (tlbAllows != (want == -1)) failures.add(r + ": TLB check " + tlbAllows + ", SDM " + hex(want));
            }
            if (want == -1) allowedRows++;
            checked++;
        }
        assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())), failures.size() + " rows differ");
        assertEquals((1 << 11) * 5 * 2, checked);
        assertTrue(allowedRows > 1000 && allowedRows < checked - 1000, "the table has both outcomes: " + allowedRows);
    }

    static String hex(int code) { return code < 0 ? "allowed" : "#PF(" + Integer.toHexString(code) + ")"; }
}
