package dev.vmm.cpu;

import dev.vmm.mmu.PhysicalMemory;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Decoded instructions, cached per physical page (so remapping a page cannot serve stale code, and
 * several linear mappings of one page share its decoding) and dropped when the page is written.
 *
 * <p>The fetch path keeps the current code page: while RIP stays in the same linear page and nothing
 * invalidated that page or the translations, the next instruction is one array index away. An
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
    private final Insn scratch = new Insn();
    boolean crossesPage;
    public long decodes;

    DecodedCache(PhysicalMemory mem) { this.mem = mem; }

    /** The cached instruction at {@code lin} when the current page is still good, else null. */
    Insn lookup(long lin, int mode) {
        if (lin >>> 12 != curLinPage || !cur.valid) return null;
        Insn d = cur.at[(int) (lin & 0xFFF)];
        return d != null && d.mode == mode ? d : null;
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
        p.at[off] = n;
        return n;
    }

    /**
     * The cached instruction that follows {@code d} in the current code page, or null (not decoded yet,
     * or the next instruction starts in the next page). {@code d} is the instruction the vCPU is running.
     */
    Insn following(Cpu c, Insn d) {
        long lin = c.codeMode == 64 ? c.rip : (c.segBase[Seg.CS] + c.rip) & 0xFFFF_FFFFL;
        if (lin >>> 12 != curLinPage || !cur.valid) return null;
        int off = (int) (lin & 0xFFF) + d.len;
        return off < 4096 ? cur.at[off] : null;
    }

    void invalidate(long pfn) {
        Page p = pages.remove(pfn);
        if (p != null) p.valid = false;
    }

    void forgetCurrentPage() { curLinPage = -1; }
}
