package dev.vmm.cpu;

import dev.vmm.mmu.PhysicalMemory;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Decoded instructions, cached per physical page (so remapping a page cannot serve stale code, and
 * several linear mappings of one page share its decoding) and dropped when the page is written.
 *
 * <p>The fetch path keeps the current code page: while RIP stays in the same linear page and nothing
 * invalidated that page or the translations, the next instruction is one array index away. It also
 * keeps the last {@link #ENTERED} linear code pages it translated, so that a call into a function on
 * another page and the return from it find their page again without a translation through the TLB
 * model (which made a loop calling a function on the next page three times slower). Every one of them
 * goes whenever an ITLB entry or the translations go ({@link #forgetCurrentPage}), exactly as the
 * current page alone did; their decodings still die with a write to their physical page. An
 * instruction that crosses a page boundary is decoded into a scratch {@link Insn} every time rather than
 * cached, because its second half lives in a physical page the cache key does not name.
 */
final class DecodedCache {
    private static final class Page {
        final long pfn;
        final Insn[] at = new Insn[4096];
        /** Cleared by a write to the page, possibly from another vCPU's thread (parallel scheduler). */
        volatile boolean valid = true;

        Page(long pfn) { this.pfn = pfn; }
    }

    /**
     * Direct-mapped by frame number in front of {@link #pages}: a jump or call into another code page
     * finds its page here without a boxed-key hash lookup (most kernels run from a handful of pages).
     */
    private final Page[] recent = new Page[64];

    private final PhysicalMemory mem;
    /** Decoded pages by frame: read by the owning vCPU, invalidated from whichever vCPU writes the code. */
    private final ConcurrentHashMap<Long, Page> pages = new ConcurrentHashMap<>();
    private long curLinPage = -1;
    private Page cur;
    /** The linear code pages last entered through a translation, and their decoded pages (-1/null: empty). */
    static final int ENTERED = 4;
    private final long[] enteredLin = new long[ENTERED];
    private final Page[] enteredPage = new Page[ENTERED];
    private int enteredNext;
    private final Insn scratch = new Insn();
    boolean crossesPage;
    public long decodes;
    /**
     * Set by every invalidation, cleared when a {@link BasicBlock} starts: the block stops after an
     * instruction that wrote code. A plain field, since only the owning vCPU's own writes must be seen
     * at once (another vCPU modifying code we run needs a serializing instruction here, SDM vol. 3, 9.1.3).
     */
    boolean stale;

    DecodedCache(PhysicalMemory mem) {
        this.mem = mem;
        java.util.Arrays.fill(enteredLin, -1);
    }

    /** The cached instruction at {@code lin} when the current page is still good, else null. */
    Insn lookup(long lin, int mode) {
        if (lin >>> 12 != curLinPage || !cur.valid) {
            if (!reenter(lin >>> 12)) return null;
        }
        return inCurrentPage((int) (lin & 0xFFF), mode);
    }

    /** Makes a recently entered linear code page the current one, if it is one and still valid. */
    private boolean reenter(long linPage) {
        for (int k = 0; k < ENTERED; k++) {
            if (enteredLin[k] != linPage) continue;
            Page p = enteredPage[k];
            if (!p.valid) return false;
            cur = p;
            curLinPage = linPage;
            return true;
        }
        return false;
    }

    private void remember(long linPage, Page p) {
        for (int k = 0; k < ENTERED; k++) {
            if (enteredLin[k] == linPage) { enteredPage[k] = p; return; }
        }
        enteredLin[enteredNext] = linPage;
        enteredPage[enteredNext] = p;
        enteredNext = (enteredNext + 1) % ENTERED;
    }

    Insn decode(Cpu cpu, long lin, long pa, int mode) {
        long pfn = pa >>> 12;
        int slot = (int) pfn & (recent.length - 1);
        Page p = recent[slot];
        if (p == null || p.pfn != pfn || !p.valid) {
            p = pages.get(pfn);
            if (p == null) {
                p = new Page(pfn);
                pages.put(pfn, p);
                mem.markCode(pfn);
            }
            recent[slot] = p;
        }
        cur = p;
        curLinPage = lin >>> 12;
        remember(curLinPage, p);
        int off = (int) (lin & 0xFFF);
        Insn d = p.at[off];
        if (d != null && d.mode == mode) return d;
        crossesPage = false;
        Insn n = new Insn();
        Decoder.decode(cpu, mode, n);
        decodes++;
        if (crossesPage) {
            Decoder.decode(cpu, mode, scratch);
            return scratch;
        }
        n.off = off;
        p.at[off] = n;
        return n;
    }

    void invalidate(long pfn) {
        Page p = pages.remove(pfn);
        if (p != null) p.valid = false;
        stale = true;
    }

    /**
     * The decoded instruction at {@code offset} of the current page, or null; for a caller that knows
     * the page is still valid and still mapped where RIP is (a block just ran in it and wrote no code).
     */
    Insn inCurrentPage(int offset, int mode) {
        Insn d = cur.at[offset];
        return d != null && d.mode == mode ? d : null;
    }

    /** Whether {@code d} is the scratch decoding of an instruction that crosses a page (never cached). */
    boolean isScratch(Insn d) { return d == scratch; }

    /** Builds the {@link BasicBlock} starting at {@code d}, the current page's instruction at {@code lin}. */
    void buildBlock(Cpu c, Insn d, long lin) {
        Page p = cur;
        long linPage = lin & ~0xFFFL;
        int mode = d.mode;
        BasicBlock.build(d, lin, off -> {
            Insn n = p.at[off];
            return n != null && n.mode == mode ? n : c.decodeAt(linPage | off, p.pfn << 12 | off, mode);
        });
    }

    /** The translations changed (or an ITLB entry went): the current and the recent code pages are forgotten. */
    void forgetCurrentPage() {
        curLinPage = -1;
        java.util.Arrays.fill(enteredLin, -1);
        java.util.Arrays.fill(enteredPage, null);
    }
}
