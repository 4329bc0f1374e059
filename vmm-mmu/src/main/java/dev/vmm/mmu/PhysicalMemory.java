package dev.vmm.mmu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest physical memory: RAM in lazily allocated off-heap chunks, MMIO ranges dispatched to devices, and
 * all-ones for everything else, as on a PC.
 *
 * <p>Layout (QEMU's pc machine does the same): RAM below 4 GiB ends at {@code min(size, 3 GiB)}, leaving
 * the top gigabyte for devices (IOAPIC at 0xFEC00000, local APIC at 0xFEE00000); the rest of RAM is
 * placed from 4 GiB up. A chunk of host memory is allocated the first time a byte of it is written;
 * reading a never-written chunk returns zeros without allocating, so a 64 GiB guest costs only what it
 * touches.
 *
 * <p>All multi-byte accesses are little endian and may be unaligned. {@link #cmpxchg} is the path for
 * LOCKed instructions: a real compare-and-set on the containing aligned quadword, or, for an access that
 * splits quadwords (a "split lock"), a global lock.
 *
 * <p>Writes to pages marked with {@link #markCode} are reported to the {@link CodeWriteListener} so the
 * decoded-instruction cache stays correct.
 *
 * <p>Thread safety: accesses may come from several vCPU threads; chunk allocation is synchronized and
 * published with release semantics. Plain accesses have the atomicity of the host's aligned accesses
 * (x86 TSO when the host is x86-64).
 */
public final class PhysicalMemory {
    public static final long GiB = 1L << 30;
    /** End of RAM below 4 GiB at most: the top gigabyte below 4 GiB is the PCI/device hole. */
    public static final long LOW_RAM_LIMIT = 3 * GiB;
    public static final long HIGH_RAM_BASE = 4 * GiB;

    static final int CHUNK_SHIFT = 20;
    static final long CHUNK_SIZE = 1L << CHUNK_SHIFT;
    static final long CHUNK_MASK = CHUNK_SIZE - 1;

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final VarHandle ATOMIC_LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle CHUNK_ARRAY = MethodHandles.arrayElementVarHandle(MemorySegment[].class);

    private final long size;
    private final long lowEnd;
    private final long highEnd;
    private final MemorySegment[] chunks;
    /** Pages whose writes are noted: code pages and watched page-table pages (one test on the write path). */
    private final long[] codePages;
    private final long[] codeMarked;
    private final long[] ptWatched;
    private volatile PageTableWriteListener ptListener;
    private final Arena arena = Arena.ofShared();
    /**
     * Host address of each allocated chunk (0: none yet), read through {@link #HOST}: the fast paths
     * below skip a MemorySegment's per-access checks (class, bounds, liveness) because these chunks are
     * never freed while this memory exists (the arena is never closed), and the offset is checked here.
     */
    private final long[] chunkAddr;
    /** All of the host address space; only ever indexed by a chunk's address plus an in-chunk offset. */
    private static final MemorySegment HOST = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final VarHandle ADDR_ARRAY = MethodHandles.arrayElementVarHandle(long[].class);
    private final Object splitLock = new Object();
    private volatile MmioRange[] mmio = new MmioRange[0];
    private CodeWriteListener codeListener = pfn -> { };
    private long chunksAllocated;

    private record MmioRange(long base, long end, MmioHandler handler) { }

    /** @param size bytes of RAM; a positive multiple of 1 MiB */
    public PhysicalMemory(long size) {
        if (size <= 0 || (size & CHUNK_MASK) != 0) {
            throw new IllegalArgumentException("memory size must be a positive multiple of 1 MiB: " + size);
        }
        this.size = size;
        this.lowEnd = Math.min(size, LOW_RAM_LIMIT);
        this.highEnd = size > LOW_RAM_LIMIT ? HIGH_RAM_BASE + (size - LOW_RAM_LIMIT) : HIGH_RAM_BASE;
        long top = size > LOW_RAM_LIMIT ? highEnd : lowEnd;
        long nChunks = (top + CHUNK_MASK) >>> CHUNK_SHIFT;
        if (nChunks > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("memory size too large: " + size);
        this.chunks = new MemorySegment[(int) nChunks];
        this.chunkAddr = new long[(int) nChunks];
        this.codePages = new long[(int) (((top >>> 12) + 63) >>> 6)];
        this.codeMarked = new long[codePages.length];
        this.ptWatched = new long[codePages.length];
    }

    /** Bytes of RAM. */
    public long size() { return size; }

    /** The RAM ranges as [base, end) pairs, for firmware memory maps. */
    public List<long[]> ramRanges() {
        List<long[]> r = new ArrayList<>();
        r.add(new long[] {0, lowEnd});
        if (highEnd > HIGH_RAM_BASE) r.add(new long[] {HIGH_RAM_BASE, highEnd});
        return r;
    }

    /** Whether {@code pa} is backed by RAM. */
    public boolean isRam(long pa) {
        return (pa >= 0 && pa < lowEnd) || (pa >= HIGH_RAM_BASE && pa < highEnd);
    }

    /** Host bytes allocated so far (for statistics and the lazy-allocation test). */
    public long allocatedBytes() {
        synchronized (this) { return chunksAllocated * CHUNK_SIZE; }
    }

    public void setCodeWriteListener(CodeWriteListener l) { this.codeListener = l == null ? pfn -> { } : l; }

    /**
     * Registers a device at [base, base+length). The range may not overlap RAM or another device.
     */
    public synchronized void addMmio(long base, long length, MmioHandler handler) {
        long end = base + length;
        if (length <= 0 || end < base) throw new IllegalArgumentException("bad MMIO range");
        for (long p = base; p < end; p += 0x1000) {
            if (isRam(p)) throw new IllegalArgumentException(String.format("MMIO range %#x-%#x overlaps RAM", base, end - 1));
        }
        for (MmioRange m : mmio) {
            if (base < m.end && m.base < end) {
                throw new IllegalArgumentException(String.format("MMIO range %#x-%#x overlaps %#x-%#x", base, end - 1, m.base, m.end - 1));
            }
        }
        MmioRange[] n = java.util.Arrays.copyOf(mmio, mmio.length + 1);
        n[mmio.length] = new MmioRange(base, end, handler);
        mmio = n;
    }

    // ---- code-page tracking -------------------------------------------------------------------

    /** Marks a physical page as holding decoded instructions: its next write is reported. */
    public void markCode(long pfn) {
        if (pfn >= 0 && (pfn >>> 6) < codePages.length) {
            synchronized (codePages) {
                codeMarked[(int) (pfn >>> 6)] |= 1L << pfn;
                codePages[(int) (pfn >>> 6)] |= 1L << pfn;
            }
        }
    }

    /**
     * Marks a physical page as holding paging structures (the TLB checker): every write to it is reported
     * to the {@link PageTableWriteListener}, after the write, until the machine ends. Shares the write
     * path's one bitmap test with code pages, so an unwatched write costs nothing more.
     */
    public void watchPageTable(long pfn) {
        if (pfn >= 0 && (pfn >>> 6) < codePages.length) {
            synchronized (codePages) {
                ptWatched[(int) (pfn >>> 6)] |= 1L << pfn;
                codePages[(int) (pfn >>> 6)] |= 1L << pfn;
            }
        }
    }

    public void setPageTableWriteListener(PageTableWriteListener l) { this.ptListener = l; }

    private void noteWrite(long pa, int len) {
        long first = pa >>> 12, last = (pa + len - 1) >>> 12;
        for (long pfn = first; pfn <= last; pfn++) {
            int w = (int) (pfn >>> 6);
            if (w < codePages.length && (codePages[w] & (1L << pfn)) != 0) {
                boolean code, pt;
                synchronized (codePages) {
                    code = (codeMarked[w] & (1L << pfn)) != 0;
                    pt = (ptWatched[w] & (1L << pfn)) != 0;
                    codeMarked[w] &= ~(1L << pfn);
                    if (!pt) codePages[w] &= ~(1L << pfn);
                }
                if (code) codeListener.codePageWritten(pfn);
                PageTableWriteListener l = ptListener;
                if (pt && l != null) {
                    long lo = Math.max(pa, pfn << 12), hi = Math.min(pa + len, (pfn + 1) << 12);
                    l.pageTableWritten(lo, (int) (hi - lo));
                }
            }
        }
    }

    // ---- chunk management ---------------------------------------------------------------------

    private MemorySegment chunkForWrite(int ci) {
        MemorySegment s = (MemorySegment) CHUNK_ARRAY.getAcquire(chunks, ci);
        if (s != null) return s;
        synchronized (this) {
            s = chunks[ci];
            if (s == null) {
                s = arena.allocate(CHUNK_SIZE, 4096); // zeroed
                ADDR_ARRAY.setRelease(chunkAddr, ci, s.address());
                CHUNK_ARRAY.setRelease(chunks, ci, s);
                chunksAllocated++;
            }
            return s;
        }
    }

    // ---- reads --------------------------------------------------------------------------------

    public int read8(long pa) {
        long ci = pa >>> CHUNK_SHIFT;
        if (ci < chunkAddr.length) {
            long a = chunkAddr[(int) ci];
            if (a != 0) return HOST.get(BYTE, a + (pa & CHUNK_MASK)) & 0xFF;
        }
        return (int) readSlow(pa, 1);
    }

    public int read16(long pa) {
        long ci = pa >>> CHUNK_SHIFT, off = pa & CHUNK_MASK;
        if (ci < chunkAddr.length && off <= CHUNK_SIZE - 2) {
            long a = chunkAddr[(int) ci];
            if (a != 0) return HOST.get(SHORT, a + off) & 0xFFFF;
        }
        return (int) readSlow(pa, 2);
    }

    public int read32(long pa) {
        long ci = pa >>> CHUNK_SHIFT, off = pa & CHUNK_MASK;
        if (ci < chunkAddr.length && off <= CHUNK_SIZE - 4) {
            long a = chunkAddr[(int) ci];
            if (a != 0) return HOST.get(INT, a + off);
        }
        return (int) readSlow(pa, 4);
    }

    public long read64(long pa) {
        long ci = pa >>> CHUNK_SHIFT, off = pa & CHUNK_MASK;
        if (ci < chunkAddr.length && off <= CHUNK_SIZE - 8) {
            long a = chunkAddr[(int) ci];
            if (a != 0) return HOST.get(LONG, a + off);
        }
        return readSlow(pa, 8);
    }

    /** Reads {@code size} (1, 2, 4, 8) bytes, zero-extended. */
    public long read(long pa, int size) {
        return switch (size) {
            case 1 -> read8(pa);
            case 2 -> read16(pa);
            case 4 -> read32(pa) & 0xFFFF_FFFFL;
            default -> read64(pa);
        };
    }

    private static long mask(int size) { return size == 8 ? -1L : (1L << (size * 8)) - 1; }

    private long readSlow(long pa, int size) {
        MmioRange m = findMmio(pa);
        if (m != null) return m.handler.read(pa - m.base, size) & mask(size);
        long v = 0;
        for (int i = 0; i < size; i++) v |= (long) readByteSlow(pa + i) << (8 * i);
        return v;
    }

    private int readByteSlow(long pa) {
        if (!isRam(pa)) {
            MmioRange m = findMmio(pa);
            return m != null ? (int) (m.handler.read(pa - m.base, 1) & 0xFF) : 0xFF;
        }
        MemorySegment s = chunks[(int) (pa >>> CHUNK_SHIFT)];
        return s == null ? 0 : s.get(BYTE, pa & CHUNK_MASK) & 0xFF;
    }

    private MmioRange findMmio(long pa) {
        for (MmioRange m : mmio) if (pa >= m.base && pa < m.end) return m;
        return null;
    }

    // ---- writes -------------------------------------------------------------------------------

    public void write8(long pa, int v) {
        long ci = pa >>> CHUNK_SHIFT;
        if (ci < chunkAddr.length) {
            long a = chunkAddr[(int) ci];
            if (a != 0) { HOST.set(BYTE, a + (pa & CHUNK_MASK), (byte) v); checkCode(pa); return; }
        }
        writeSlow(pa, 1, v);
    }

    public void write16(long pa, int v) {
        long ci = pa >>> CHUNK_SHIFT, off = pa & CHUNK_MASK;
        if (ci < chunkAddr.length && off <= CHUNK_SIZE - 2) {
            long a = chunkAddr[(int) ci];
            if (a != 0) { HOST.set(SHORT, a + off, (short) v); checkCode(pa, 2); return; }
        }
        writeSlow(pa, 2, v);
    }

    public void write32(long pa, int v) {
        long ci = pa >>> CHUNK_SHIFT, off = pa & CHUNK_MASK;
        if (ci < chunkAddr.length && off <= CHUNK_SIZE - 4) {
            long a = chunkAddr[(int) ci];
            if (a != 0) { HOST.set(INT, a + off, v); checkCode(pa, 4); return; }
        }
        writeSlow(pa, 4, v);
    }

    public void write64(long pa, long v) {
        long ci = pa >>> CHUNK_SHIFT, off = pa & CHUNK_MASK;
        if (ci < chunkAddr.length && off <= CHUNK_SIZE - 8) {
            long a = chunkAddr[(int) ci];
            if (a != 0) { HOST.set(LONG, a + off, v); checkCode(pa, 8); return; }
        }
        writeSlow(pa, 8, v);
    }

    /** Writes the low {@code size} (1, 2, 4, 8) bytes of {@code v}. */
    public void write(long pa, int size, long v) {
        switch (size) {
            case 1 -> write8(pa, (int) v);
            case 2 -> write16(pa, (int) v);
            case 4 -> write32(pa, (int) v);
            default -> write64(pa, v);
        }
    }

    private void checkCode(long pa) {
        long pfn = pa >>> 12;
        if ((codePages[(int) (pfn >>> 6)] & (1L << pfn)) != 0) noteWrite(pa, 1);
    }

    private void checkCode(long pa, int len) {
        long pfn = pa >>> 12;
        if ((codePages[(int) (pfn >>> 6)] & (1L << pfn)) != 0 || ((pa + len - 1) >>> 12) != pfn) noteWrite(pa, len);
    }

    private void writeSlow(long pa, int size, long v) {
        MmioRange m = findMmio(pa);
        if (m != null) { m.handler.write(pa - m.base, size, v & mask(size)); return; }
        for (int i = 0; i < size; i++) writeByteSlow(pa + i, (int) (v >>> (8 * i)));
    }

    private void writeByteSlow(long pa, int b) {
        if (!isRam(pa)) {
            MmioRange m = findMmio(pa);
            if (m != null) m.handler.write(pa - m.base, 1, b & 0xFF);
            return; // unbacked: dropped, as on a PC
        }
        chunkForWrite((int) (pa >>> CHUNK_SHIFT)).set(BYTE, pa & CHUNK_MASK, (byte) b);
        checkCode(pa);
    }

    // ---- atomics (LOCK prefix, A/D-bit updates) ---------------------------------------------------

    /**
     * Atomically replaces the {@code size}-byte value at {@code pa} with {@code update} if it equals
     * {@code expect}. Returns the value found (equal to {@code expect} on success), zero-extended.
     */
    public long cmpxchg(long pa, int size, long expect, long update) {
        long m = mask(size);
        expect &= m;
        update &= m;
        long qa = pa & ~7L;
        int shift = (int) (pa & 7) * 8;
        if (isRam(pa) && (pa & 7) + size <= 8) {
            MemorySegment s = chunkForWrite((int) (qa >>> CHUNK_SHIFT));
            long off = qa & CHUNK_MASK;
            while (true) {
                long old = (long) ATOMIC_LONG.getVolatile(s, off);
                long cur = (old >>> shift) & m;
                if (cur != expect) return cur;
                long nv = (old & ~(m << shift)) | (update << shift);
                if (ATOMIC_LONG.compareAndSet(s, off, old, nv)) {
                    checkCode(pa, size);
                    return cur;
                }
            }
        }
        synchronized (splitLock) { // split lock or MMIO: serialise
            long cur = read(pa, size);
            if (cur == expect) write(pa, size, update);
            return cur;
        }
    }

    // ---- bulk ---------------------------------------------------------------------------------

    /** Copies bytes into guest RAM (loaders). Bytes aimed outside RAM are dropped. */
    public void writeBytes(long pa, byte[] src, int off, int len) {
        for (int i = 0; i < len; ) {
            long a = pa + i;
            int n = (int) Math.min(len - i, CHUNK_SIZE - (a & CHUNK_MASK));
            if (isRam(a)) {
                MemorySegment.copy(src, off + i, chunkForWrite((int) (a >>> CHUNK_SHIFT)), BYTE, a & CHUNK_MASK, n);
                noteWrite(a, n);
            } else {
                for (int j = 0; j < n; j++) writeByteSlow(a + j, src[off + i + j]);
            }
            i += n;
        }
    }

    public void writeBytes(long pa, byte[] src) { writeBytes(pa, src, 0, src.length); }

    /** Copies bytes out of guest physical memory. */
    public void readBytes(long pa, byte[] dst, int off, int len) {
        for (int i = 0; i < len; i++) dst[off + i] = (byte) read8(pa + i);
    }

    /** Zero-fills [pa, pa+len) of RAM. */
    public void zero(long pa, long len) {
        for (long a = pa; a < pa + len; ) {
            long n = Math.min(pa + len - a, CHUNK_SIZE - (a & CHUNK_MASK));
            if (isRam(a)) {
                MemorySegment s = chunks[(int) (a >>> CHUNK_SHIFT)];
                if (s != null) { s.asSlice(a & CHUNK_MASK, n).fill((byte) 0); noteWrite(a, (int) n); }
            }
            a += n;
        }
    }
}
