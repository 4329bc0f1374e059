package dev.vmm.core.pmap.amd64;

import dev.vmm.core.vm.VmPage;
import dev.vmm.mmu.Access;
import dev.vmm.mmu.WalkResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import static dev.vmm.core.pmap.amd64.PmapBits.*;
import static dev.vmm.core.vm.VmParam.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A page walker on another vCPU (the parallel scheduler) sets PG_A and PG_M in live entries whenever it
 * likes; the pmap must not lose such a bit by writing back an entry it read just before (FreeBSD
 * changes live entries with pte_load_clear, atomic_clear_long and atomic_cmpset_long for this reason).
 * Each scenario lets the "other vCPU" write through a mapping right after the pmap's first, second, ...
 * read of an entry ({@link AmdPmapModule#afterEntryLoad}; one of them is the read the pmap decides
 * from), each time on a fresh harness, and checks that a write that happened is not forgotten: the page
 * it went to ends up dirty, or is still mapped there with PG_M.
 */
class PmapRaceTest {
    static final long VA = 0x1000_0000L, SVA = 0x6000_0000L;
    /** The pmap's reads of the entry a scenario is raced after, one per run. */
    static final int READS = 4;

    PmapHarness h;

    /** A pmap and the pages a scenario mapped in it. */
    record Run(AmdPmap p, List<VmPage> pages) {
        VmPage page() { return pages.getFirst(); }
    }

    /**
     * Runs {@code op} on what {@code setup} mapped, once per read of the entry at {@code entry} to race
     * after, the other vCPU writing through {@code va}; when its write happened, checks that it is
     * remembered and runs {@code check}. Returns how many runs the write happened in (a write after the
     * pmap took write access away would fault, and a run whose pmap reads the entry fewer times has no race).
     */
    private int race(Function<PmapHarness, Run> setup, long va, ToLongFunction<AmdPmap> entry, Consumer<Run> op, Consumer<Run> check) {
        int raced = 0;
        for (int k = 1; k <= READS; k++) {
            h = new PmapHarness();
            Run run = setup.apply(h);
            AmdPmap p = run.p();
            long entryA = entry.applyAsLong(p);
            int read = k;
            int[] seen = {0};
            long[] wroteTo = {-1};
            h.module.afterEntryLoad = a -> {
                if (a != entryA || ++seen[0] != read || !h.canWrite(p, va)) return;
                wroteTo[0] = h.walk(p, va, Access.READ).frame;
                h.touch(p, va, true); // the other vCPU's store: its walker sets PG_M
            };
            op.accept(run);
            h.module.afterEntryLoad = null;
            h.check();
            if (wroteTo[0] < 0) continue;
            raced++;
            WalkResult r = h.walk(p, va, Access.READ);
            boolean stillModified = r.ok() && r.frame == wroteTo[0] && (r.leafEntry & PG_M) != 0;
            assertTrue(h.phys.page(wroteTo[0]).isDirty() || stillModified,
                "race after read " + read + ": the write is remembered (its page dirty, or still mapped there with PG_M)");
            check.accept(run);
        }
        return raced;
    }

    /** A clean, writeable, referenced mapping of a fresh page at VA in an active pmap. */
    private static Run cleanWriteable(PmapHarness h) {
        AmdPmap p = h.newPmap();
        h.module.activate(0, p);
        VmPage m = h.page();
        h.enter(p, VA, m, VM_PROT_RW, VM_PROT_READ);
        h.touch(p, VA, false);
        assertEquals(PG_RW | PG_A, h.leaf(p, VA) & (PG_RW | PG_A | PG_M), "set up: writeable, referenced, clean");
        return new Run(p, List.of(m));
    }

    /** The same, raced through the PTE of VA. */
    private int racePte(Consumer<Run> op, Consumer<Run> check) {
        return race(PmapRaceTest::cleanWriteable, VA, p -> p.pteAddr(VA), op, check);
    }

    @Test
    void protectDirtiesAPageWrittenWhileItTookWriteAway() {
        assertTrue(racePte(r -> r.p().protect(VA, VA + 4096, VM_PROT_READ), r -> assertFalse(h.canWrite(r.p(), VA))) > 0);
    }

    @Test
    void removeWriteDirtiesAPageWrittenWhileItTookWriteAway() {
        assertTrue(racePte(r -> h.module.removeWrite(r.page()), r -> assertFalse(h.canWrite(r.p(), VA))) > 0);
    }

    @Test
    void removeDirtiesAPageWrittenAsItsMappingWent() {
        assertTrue(racePte(r -> r.p().remove(VA, VA + 4096), r -> assertFalse(h.canRead(r.p(), VA))) > 0);
    }

    @Test
    void replacingTheMappingDirtiesTheOldPageWrittenAsItWent() {
        assertTrue(racePte(r -> h.enter(r.p(), VA, h.page(), VM_PROT_RW, VM_PROT_READ),
            r -> assertNotEquals(r.page().phys, h.leaf(r.p(), VA) & PG_FRAME)) > 0);
    }

    @Test
    void clearingTheReferenceBitKeepsADirtyBitSetMeanwhile() {
        assertTrue(racePte(r -> assertEquals(1, h.module.tsReferenced(r.page())),
            r -> assertEquals(0, h.leaf(r.p(), VA) & PG_A, "PG_A cleared")) > 0);
    }

    @Test
    void madvFreeOfAReferencedPageKeepsADirtyBitSetMeanwhile() {
        assertTrue(racePte(r -> r.p().advise(VA, VA + 4096, MADV_FREE), r -> assertEquals(0, h.leaf(r.p(), VA) & PG_A)) > 0);
    }

    /** 511 clean writeable pages of one reservation mapped at SVA: entering the last one promotes them. */
    private static Run almostPromotable(PmapHarness h) {
        List<VmPage> run = h.superpageRun();
        AmdPmap p = h.newPmap();
        h.module.activate(0, p);
        for (int i = 0; i < 511; i++) h.enter(p, SVA + 4096L * i, run.get(i), VM_PROT_RW, VM_PROT_READ);
        return new Run(p, run);
    }

    @Test
    void promotionKeepsAPageWrittenWhileItWriteProtectedTheCleanOnes() {
        // promotion write-protects each clean PTE so that one PG_M can stand for the superpage; a write to
        // page 5 right after promotion read its PTE must survive, in page 5's PTE or the superpage's PDE
        long va5 = SVA + 5 * 4096L;
        assertTrue(race(PmapRaceTest::almostPromotable, va5, p -> p.pteAddr(va5),
            r -> h.enter(r.p(), SVA + 4096L * 511, r.pages().get(511), VM_PROT_RW, VM_PROT_READ), r -> { }) > 0);
    }

    /** A clean writeable 2 MiB mapping (pmap_enter psind 1) at SVA. */
    private static Run cleanSuperpage(PmapHarness h) {
        List<VmPage> run = h.superpageRun();
        AmdPmap p = h.newPmap();
        h.module.activate(0, p);
        assertEquals(0, p.enter(SVA, run.getFirst(), VM_PROT_RW, VM_PROT_READ, 1));
        h.check();
        assertEquals(0, h.leaf(p, SVA) & PG_M, "set up: a clean superpage");
        return new Run(p, run);
    }

    @Test
    void demotionKeepsADirtyBitSetWhileItFilledThePageTable() {
        // pmap_protect of the first 4 KiB page demotes; a write to page 7 after demotion read the PDE
        // must reach page 7's new PTE
        long va7 = SVA + 7 * 4096L;
        assertTrue(race(PmapRaceTest::cleanSuperpage, va7, p -> p.pdeAddr(SVA), r -> r.p().protect(SVA, SVA + 4096, VM_PROT_READ),
            r -> assertEquals(12, h.walk(r.p(), va7, Access.READ).pageShift, "demoted")) > 0);
    }
}
