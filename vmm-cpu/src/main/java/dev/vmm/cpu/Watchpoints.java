package dev.vmm.cpu;

import dev.vmm.mmu.Access;

import java.util.List;

/**
 * Data watchpoints of one vCPU (the monitor's {@code watch}), checked as x86 data breakpoints are: a trap
 * after the instruction whose access touched the range (SDM vol. 3, 17.3.1.2), so the access completes
 * and the report names the instruction that made it.
 *
 * <p>How it stays cheap: while a vCPU has watchpoints, its TLB's fast lookup is off and the run loop goes
 * one instruction at a time, so every data access reaches {@link Cpu#translateSlow} (or the unpaged
 * path), which calls {@link #access}. With none set, {@link Cpu#watches} is null and costs nothing on
 * the paged path. An access's size is not known at translation: it is taken as the instruction's operand
 * size (each iteration of a REP string instruction is checked; a wider SSE/x87 operand is matched by its
 * first bytes).
 *
 * <p>The processor's own accesses while it delivers an interrupt or exception (the IDT, GDT and TSS
 * reads, the frame it pushes) are checked too, as QEMU's watchpoints see them, and the hit names the
 * vector: an exception's delivery is watched by the run loop ({@link #beginDelivery}) after the faulting
 * instruction, a software interrupt's and an external one's within the instruction step they precede or
 * belong to. Not watched: device registers, and the page walker's own A/D updates.
 */
public final class Watchpoints {
    public static final int READ = 1, WRITE = 2;
    /** One watched range: linear, or physical (then any linear alias of it is caught too). */
    public record Watch(int number, long addr, long len, int kinds, boolean physical) {
        public String describe() {
            String k = kinds == READ ? "r" : kinds == WRITE ? "w" : "rw";
            return String.format("watchpoint %d: %s %s %#x len %d", number, k, physical ? "physical" : "linear", addr, len);
        }

        boolean overlaps(long a, int size) { return a < addr + len && a + size > addr; }
    }

    /**
     * A hit: {@code rip} is the instruction that accessed (or whose interrupt or exception was being
     * delivered: then {@code vector} is that vector, else -1), {@code lin}/{@code pa} where, old and new
     * bytes (little-endian).
     */
    public record Hit(Watch watch, int cpu, long rip, long lin, long pa, boolean write, int size, long oldValue, long newValue, int vector) {
        public String describe() {
            String what = write ? String.format("write of %d byte%s, old %#x new %#x", size, size == 1 ? "" : "s", oldValue, newValue)
                : String.format("read of %d byte%s, value %#x", size, size == 1 ? "" : "s", newValue);
            String by = vector < 0 ? String.format("the instruction at %#x", rip)
                : String.format("the delivery of vector %d (%s) at the instruction at %#x", vector, Interrupts.name(vector), rip);
            return String.format("cpu%d: %s hit by %s: %s at linear %#x (physical %#x)", cpu, watch.describe(), by, what, lin, pa);
        }
    }

    private final Watch[] watches;
    // the first access of the executing instruction that touched a range
    private Watch cand;
    private long candLin, candPa;
    private boolean candWrite;
    private long candOld;
    private long insnRip;
    private int size = 1;
    /** The vector being delivered (-1: none), and the one the candidate access was made for. */
    private int delivering = -1, candVector = -1, insnSize = 1;
    private Hit hit;

    public Watchpoints(List<Watch> list) { this.watches = list.toArray(Watch[]::new); }

    /** Called for every data access (and fetch, ignored) while set: notes a candidate, reads old bytes before a write. */
    void access(Cpu c, long lin, int acc, long pa) {
        // device registers are not watched: reading the old value could have side effects
        if (cand != null || acc == Access.EXEC || !c.mem.isRam(pa)) return;
        boolean write = acc == Access.WRITE || acc == Access.SYS_WRITE;
        int kind = write ? WRITE : READ;
        for (Watch w : watches) {
            if ((w.kinds & kind) == 0) continue;
            if (w.overlaps(w.physical ? pa : lin, size)) {
                cand = w;
                candLin = lin;
                candPa = pa;
                candWrite = write;
                candOld = bytes(c, pa, size);
                candVector = delivering;
                insnRip = c.rip;   // the instruction executing (an interrupt delivered first may have moved it)
                return;
            }
        }
    }

    /** Before an instruction: where it is and its operand size (null: not decoded, 1 byte assumed). */
    void begin(Cpu c, Insn d) {
        cand = null;
        insnRip = c.rip;
        size = d == null ? 1 : Math.max(1, Math.min(8, d.osize));
    }

    /** Before the run loop delivers an exception the instruction at RIP raised; {@link #end} then tells. */
    void beginDelivery(Cpu c) {
        cand = null;
        insnRip = c.rip;
    }

    /**
     * Interrupts.deliver brackets every delivery with these: accesses in between belong to
     * {@code vector} and are as wide as the frame's slots (the instruction's own size comes back after).
     */
    void delivering(Cpu c, int vector) {
        delivering = vector;
        insnSize = size;
        size = (c.efer & Msrs.EFER_LMA) != 0 ? 8 : (c.cr0 & 1) != 0 ? 4 : 2;
    }

    void delivered() {
        delivering = -1;
        if (cand == null || candVector < 0) size = insnSize; // a hit keeps the size its bytes were read with
    }

    /** After the instruction (or delivery): whether an access touched a range (then {@link #lastHit} is set). */
    boolean end(Cpu c) {
        Watch w = cand;
        if (w == null) return false;
        cand = null;
        hit = new Hit(w, c.apicId(), insnRip, candLin, candPa, candWrite, size, candOld, bytes(c, candPa, size), candVector);
        return true;
    }

    /** The instruction faulted: its accesses are not reported (x86 reports data breakpoints of completed instructions). */
    void abandon() { cand = null; }

    /** The last hit (kept until the next one). */
    public Hit lastHit() { return hit; }

    /** Takes the last hit: the caller reports it once. */
    public Hit takeHit() { Hit h = hit; hit = null; return h; }

    public List<Watch> watches() { return List.of(watches); }

    /** Up to {@code n} bytes at {@code pa}, within its page (an access that crosses is reported by its first part). */
    private static long bytes(Cpu c, long pa, int n) {
        int room = (int) Math.min(n, 0x1000 - (pa & 0xFFF));
        long v = 0;
        for (int k = 0; k < room; k++) v |= (long) c.mem.read8(pa + k) << (8 * k);
        return v;
    }
}
