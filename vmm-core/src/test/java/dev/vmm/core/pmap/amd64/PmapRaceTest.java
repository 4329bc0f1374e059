package dev.vmm.core.pmap.amd64;

import dev.vmm.core.vm.VmPage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.BiConsumer;

import static dev.vmm.core.pmap.amd64.PmapBits.*;
import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A page walker on another vCPU (the parallel scheduler) sets PG_A and PG_M in live entries whenever it
 * likes; the pmap must not lose such a bit by writing back an entry it read just before (FreeBSD
 * changes live entries with pte_load_clear, atomic_clear_long and atomic_cmpset_long for this reason).
 * Each scenario lets the "other vCPU" write through the mapping right after the pmap's first, second,
 * ... read of the entry ({@link AmdPmapModule#afterEntryLoad}; one of them is the read the pmap decides
 * from), each time on a fresh harness, and checks that a write that happened is not forgotten: the page
 * it went to ends up dirty, or is still mapped there with PG_M.
 */
class PmapRaceTest {
    static final long VA = 0x1000_0000L;
    /** The pmap's reads of the entry a scenario is raced after, one per run. */
    static final int READS = 4;

    PmapHarness h;

    /**
     * Runs {@code op} on a clean, writeable, referenced mapping of a fresh page at VA, once per read to
     * race after; when the racing write happened, checks that it is remembered and runs {@code check}.
     * Returns how many runs the write happened in (a write after the pmap took write access away would
     * fault, and a run whose pmap reads the entry fewer times has no race).
     */
    private int race(BiConsumer<AmdPmap, VmPage> op, BiConsumer<AmdPmap, VmPage> check) {
        int raced = 0;
        for (int k = 1; k <= READS; k++) {
            h = new PmapHarness();
            AmdPmap p = h.newPmap();
            h.module.activate(0, p);
            VmPage m = h.page();
            h.enter(p, VA, m, VM_PROT_RW, VM_PROT_READ);
            h.touch(p, VA, false);
            assertEquals(PG_RW | PG_A, h.leaf(p, VA) & (PG_RW | PG_A | PG_M), "set up: writeable, referenced, clean");
            long pteA = p.pteAddr(VA);
            int read = k;
            int[] seen = {0};
            long[] wroteTo = {-1};
            h.module.afterEntryLoad = a -> {
                if (a != pteA || ++seen[0] != read || !h.canWrite(p, VA)) return;
                wroteTo[0] = h.leaf(p, VA) & PG_FRAME;
                h.touch(p, VA, true); // the other vCPU's store: its walker sets PG_M
            };
            op.accept(p, m);
            h.module.afterEntryLoad = null;
            h.check();
            if (wroteTo[0] >= 0) {
                raced++;
                long leaf = h.leaf(p, VA);
                boolean stillModified = (leaf & PG_FRAME) == wroteTo[0] && (leaf & (PG_V | PG_M)) == (PG_V | PG_M);
                assertTrue(h.phys.page(wroteTo[0]).isDirty() || stillModified,
                    "race after read " + read + ": the write is remembered (its page dirty, or still mapped there with PG_M)");
                check.accept(p, m);
            }
        }
        return raced;
    }

    @Test
    void protectDirtiesAPageWrittenWhileItTookWriteAway() {
        assertTrue(race((p, m) -> p.protect(VA, VA + 4096, VM_PROT_READ), (p, m) -> {
            assertFalse(h.canWrite(p, VA));
        }) > 0);
    }

    @Test
    void removeWriteDirtiesAPageWrittenWhileItTookWriteAway() {
        assertTrue(race((p, m) -> h.module.removeWrite(m), (p, m) -> {
            assertFalse(h.canWrite(p, VA));
        }) > 0);
    }

    @Test
    void removeDirtiesAPageWrittenAsItsMappingWent() {
        assertTrue(race((p, m) -> p.remove(VA, VA + 4096), (p, m) -> {
            assertFalse(h.canRead(p, VA));
        }) > 0);
    }

    @Test
    void replacingTheMappingDirtiesTheOldPageWrittenAsItWent() {
        assertTrue(race((p, m) -> h.enter(p, VA, h.page(), VM_PROT_RW, VM_PROT_READ),
            (p, m) -> assertNotEquals(m.phys, h.leaf(p, VA) & PG_FRAME)) > 0);
    }

    @Test
    void clearingTheReferenceBitKeepsADirtyBitSetMeanwhile() {
        assertTrue(race((p, m) -> assertEquals(1, h.module.tsReferenced(m)), (p, m) -> {
            assertEquals(0, h.leaf(p, VA) & PG_A, "PG_A cleared");
        }) > 0);
    }

    @Test
    void madvFreeOfAReferencedPageKeepsADirtyBitSetMeanwhile() {
        assertTrue(race((p, m) -> p.advise(VA, VA + 4096, MADV_FREE), (p, m) -> {
            assertEquals(0, h.leaf(p, VA) & PG_A);
        }) > 0);
    }

    @Test
    void promotionKeepsAPageWrittenWhileItWriteProtectedTheCleanOnes() {
        // 512 clean writeable pages of one reservation: the last pmap_enter promotes them, write-protecting
        // each clean PTE so that one PG_M can stand for the superpage. A write to page 5 right after the
        // promotion read its PTE must survive: as a dirty page, or as PG_M where page 5 is mapped after.
        long sva = 0x6000_0000L, va5 = sva + 5 * 4096L;
        int raced = 0;
        for (int k = 1; k <= READS; k++) {
            h = new PmapHarness();
            List<VmPage> run = h.superpageRun();
            AmdPmap p = h.newPmap();
            h.module.activate(0, p);
            for (int i = 0; i < 511; i++) h.enter(p, sva + 4096L * i, run.get(i), VM_PROT_RW, VM_PROT_READ);
            long pteA = p.pteAddr(va5);
            int read = k;
            int[] seen = {0};
            boolean[] wrote = {false};
            h.module.afterEntryLoad = a -> {
                if (a != pteA || ++seen[0] != read || !h.canWrite(p, va5)) return;
                h.touch(p, va5, true);
                wrote[0] = true;
            };
            h.enter(p, sva + 4096L * 511, run.get(511), VM_PROT_RW, VM_PROT_READ);
            h.module.afterEntryLoad = null;
            h.check();
            if (!wrote[0]) continue;
            raced++;
            long leaf = h.leaf(p, va5);
            assertTrue(run.get(5).isDirty() || (leaf & (PG_V | PG_M)) == (PG_V | PG_M),
                "race after read " + read + ": the write to page 5 is remembered");
        }
        assertTrue(raced > 0);
    }

    @Test
    void demotionKeepsADirtyBitSetWhileItFilledThePageTable() {
        // A clean writeable 2 MiB mapping (pmap_enter psind 1) demoted by pmap_protect of another 4 KiB page:
        // a write to page 7 after demotion read the PDE must be in page 7's new PTE (or have dirtied it).
        long sva = 0x6000_0000L, va7 = sva + 7 * 4096L;
        int raced = 0;
        for (int k = 1; k <= READS; k++) {
            h = new PmapHarness();
            List<VmPage> run = h.superpageRun();
            AmdPmap p = h.newPmap();
            h.module.activate(0, p);
            assertEquals(0, p.enter(sva, run.get(0), VM_PROT_RW, VM_PROT_READ, 1));
            h.check();
            assertEquals(0, h.leaf(p, va7) & PG_M, "set up: a clean superpage");
            long pdeA = p.pdeAddr(sva);
            int read = k;
            int[] seen = {0};
            boolean[] wrote = {false};
            h.module.afterEntryLoad = a -> {
                if (a != pdeA || ++seen[0] != read || !h.canWrite(p, va7)) return;
                h.touch(p, va7, true);
                wrote[0] = true;
            };
            p.protect(sva, sva + 4096, VM_PROT_READ);
            h.module.afterEntryLoad = null;
            h.check();
            assertEquals(12, h.walk(p, va7, dev.vmm.mmu.Access.READ).pageShift, "demoted");
            if (!wrote[0]) continue;
            raced++;
            assertTrue(run.get(7).isDirty() || (h.leaf(p, va7) & PG_M) != 0,
                "race after read " + read + ": the write to page 7 is remembered");
        }
        assertTrue(raced > 0);
    }
}
