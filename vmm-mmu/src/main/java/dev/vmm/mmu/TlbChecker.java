package dev.vmm.mmu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The TLB checker (`vmm run --check-tlb`): compares every translation a vCPU takes from its TLB with what
 * the page tables say now, and reports a use that grants more than the tables (another frame, or an
 * access the tables now deny: write where read-only, user where supervisor, execute where NX, present
 * where not) once the software responsible has invalidated it or should have.
 *
 * <p>How: each vCPU {@link #register}s and gets an {@link Agent}; the CPU, whose fast lookup is then off,
 * calls {@link Agent#filled} on every TLB fill and {@link Agent#use} on every hit. The pages of every
 * paging structure a walk read are watched in {@link PhysicalMemory}; a write to one that changes an
 * entry other than in its A/D bits is logged with its writer (vCPU and RIP, or the open pmap call) and
 * advances an epoch. A hit is re-checked with a side-effect-free walk only when the epoch moved since the
 * entry was last found good, so a kernel that does not touch its page tables pays almost nothing.
 *
 * <p>Who is to blame (bare kernels cannot tell intent, the pmap can):
 * <ul>
 * <li>pmap writes (between {@link #beginPmapCall} and {@link #endPmapCall}): any use after the call
 *     that changed the entry has returned is a violation;</li>
 * <li>a vCPU's own write: the stale entry is still in its TLB, so no INVLPG, CR3 load or INVPCID covered
 *     it: a certain bug;</li>
 * <li>another vCPU's write: reported once more than {@code grace} instructions (all vCPUs together) went by
 *     since the write: a suspected missing shootdown.</li>
 * </ul>
 * Thread safety: synchronized; meant for the deterministic (one host thread) scheduler, where the writer
 * of a page-table entry is the vCPU that last {@linkplain Agent#enter entered} its run loop.
 */
public final class TlbChecker implements PageTableWriteListener {
    public enum Scope { ADDRESS, PCID, ALL }

    /** What the checker asks of the vCPU at an event (filled in by the CPU, reused). */
    public static final class Context {
        public int cpu;
        public long rip, instructions, cr3;
        public Tlb tlb;
    }

    /** One reported stale use. */
    public record Violation(String kind, int cpu, long lin, long rip, long instruction, String cached, String current,
                            String write) {
        public String format() {
            return String.format(Locale.ROOT, "tlb-check: %s: cpu%d used a stale translation of %#x at RIP %#x (instruction %d): cached %s, page tables now %s; changed by %s",
                kind, cpu, lin, rip, instruction, cached, current, write);
        }
    }

    /** One logged change of a page-table entry. */
    private record Write(long seq, long pa, long value, int cpu, long rip, long clock, String pmapCall) {
        String describe() {
            if (pmapCall != null) return String.format(Locale.ROOT, "pmap call %s (entry %#x := %#x)", pmapCall, pa, value);
            if (cpu < 0) return String.format(Locale.ROOT, "the host (entry %#x := %#x)", pa, value);
            return String.format(Locale.ROOT, "cpu%d at RIP %#x (entry %#x := %#x)", cpu, rip, pa, value);
        }
    }

    public static final long DEFAULT_GRACE = 100_000;
    private static final int MAX_KEPT = 100;

    private final PhysicalMemory mem;
    private final PageWalker walker;
    private final long grace;
    private final List<Agent> agents = new ArrayList<>();
    private final Map<Long, Long> shadow = new HashMap<>();
    private final Map<Long, Write> lastWrite = new HashMap<>();
    private final Set<String> reported = new HashSet<>();
    private final List<Violation> violations = new ArrayList<>();
    private final Set<String> openPmapCalls = new HashSet<>();
    private final Set<String> completePmapCalls = new HashSet<>();
    private final long[] invalidations = new long[Scope.values().length];
    private long epoch = 1, seq;
    private long total, checks, uses;
    private Agent current;
    private String pmapCall;

    public TlbChecker(PhysicalMemory mem, long graceInstructions) {
        if (graceInstructions < 0) throw new IllegalArgumentException("grace must be >= 0");
        this.mem = mem;
        this.walker = new PageWalker(mem);
        this.grace = graceInstructions;
        mem.setPageTableWriteListener(this);
    }

    public long grace() { return grace; }

    /** Called by a vCPU that turns checking on; {@code forgetFetch} makes it re-translate its code page. */
    public synchronized Agent register(Supplier<Context> context, Runnable forgetFetch) {
        Agent a = new Agent(context, forgetFetch);
        agents.add(a);
        return a;
    }

    // ---- pmap hooks -----------------------------------------------------------------------------

    /** Page-table writes from now until {@link #endPmapCall} belong to pmap call {@code id} (e.g. "pmap_remove#17"). */
    public synchronized void beginPmapCall(String id) { pmapCall = id; openPmapCalls.add(id); }

    /** The pmap call has returned: its invalidations (and shootdowns) are complete. */
    public synchronized void endPmapCall(String id) {
        if (id.equals(pmapCall)) pmapCall = null;
        openPmapCalls.remove(id);
        completePmapCalls.add(id);
    }

    // ---- results --------------------------------------------------------------------------------

    public synchronized List<Violation> violations() { return List.copyOf(violations); }

    /** Violations found, including those beyond the first {@value #MAX_KEPT} kept. */
    public synchronized long violationCount() { return total; }

    /** TLB hits seen and hits re-checked by a walk. */
    public synchronized long[] counts() { return new long[] {uses, checks}; }

    /** Invalidations the vCPUs made, of one scope. */
    public synchronized long invalidations(Scope scope) { return invalidations[scope.ordinal()]; }

    /** Page-table entries changed (other than in A/D) since the checker started. */
    public synchronized long pageTableWrites() { return seq; }

    // ---- page-table writes ------------------------------------------------------------------------

    @Override
    public synchronized void pageTableWritten(long pa, int len) {
        for (long e = pa & ~7L; e < pa + len; e += 8) {
            Long old = shadow.get(e);
            if (old == null) continue; // not an entry any walk used
            long now = mem.read64(e);
            if (((old ^ now) & ~(Pte.A | Pte.D | (Pte.A << 32) | (Pte.D << 32))) == 0) { shadow.put(e, now); continue; }
            shadow.put(e, now);
            Context c = current == null ? null : current.context.get();
            Write w = new Write(++seq, e, now, pmapCall != null || c == null ? -1 : c.cpu, c == null ? 0 : c.rip, clock(), pmapCall);
            lastWrite.put(e, w);
            epoch++;
            for (Agent a : agents) a.forgetFetch.run();
        }
    }

    private long clock() {
        long n = 0;
        for (Agent a : agents) n += a.context.get().instructions;
        return n;
    }

    private void watch(long entryAddr) {
        long e = entryAddr & ~7L;
        if (!shadow.containsKey(e)) {
            shadow.put(e, mem.read64(e));
            mem.watchPageTable(e >>> 12);
        }
    }

    /** One vCPU's connection to the checker. */
    public final class Agent {
        private final Supplier<Context> context;
        private final Runnable forgetFetch;
        private long[] verified = new long[0];
        private long[][] path = new long[0][];
        private final WalkResult fresh = new WalkResult();

        private Agent(Supplier<Context> context, Runnable forgetFetch) {
            this.context = context;
            this.forgetFetch = forgetFetch;
        }

        private void size(int n) {
            if (verified.length < n) {
                verified = new long[n];
                path = new long[n][];
            }
        }

        /** The vCPU starts running on this thread: page-table writes from here on are its own. */
        public void enter() { synchronized (TlbChecker.this) { current = this; } }

        /** A TLB fill for {@code lin} into entry {@code id} from walk {@code r}. */
        public void filled(long lin, int id, WalkResult r) {
            synchronized (TlbChecker.this) {
                Context c = context.get();
                size(c.tlb.totalEntries());
                long[] p = new long[r.levels];
                for (int i = 0; i < r.levels; i++) { p[i] = r.pathAddr[i]; watch(r.pathAddr[i]); }
                // entries above a paging-structure-cache hit were read by an earlier walk: watch what is there now
                path[id] = p;
                verified[id] = epoch;
            }
        }

        /**
         * A TLB hit: entry {@code id} translated {@code lin} for an access of kind {@code acc}; {@code mode}
         * is the paging mode of the access (with {@link PagingMode#AC} when SMAP allows it).
         */
        public void use(long lin, int id, int acc, boolean user, int mode) {
            synchronized (TlbChecker.this) {
                uses++;
                if (id < verified.length && verified[id] == epoch) return;
                Context c = context.get();
                size(c.tlb.totalEntries());
                checks++;
                Tlb tlb = c.tlb;
                long cachedFrame = tlb.frame(id, lin);
                int cachedPerm = tlb.perm(id);
                boolean ok = walker.walk(c.cr3, mode, lin, acc, user, false, fresh);
                if (ok && fresh.frame == cachedFrame) {
                    int fp = fresh.perm | ((fresh.perm & Tlb.SUPER) == 0 ? Tlb.USER : 0);
                    if (((fp ^ cachedPerm) & ~Tlb.CLEAN) == 0) verified[id] = epoch;
                    return;
                }
                Write w = culprit(id);
                String kind;
                if (w == null) kind = "stale translation (no logged page-table write)";
                else if (w.pmapCall != null) {
                    if (!completePmapCalls.contains(w.pmapCall)) return; // the pmap call is still invalidating
                    kind = "use after pmap call returned";
                } else if (w.cpu == c.cpu) kind = "missing invalidation (own write)";
                else if (clock() - w.clock > grace) kind = "suspected missing shootdown";
                else return;
                String key = c.cpu + ":" + (lin >>> 12) + ":" + (w == null ? -1 : w.seq);
                if (!reported.add(key)) return;
                total++;
                if (violations.size() < MAX_KEPT) {
                    violations.add(new Violation(kind, c.cpu, lin, c.rip, c.instructions,
                        describe(cachedFrame, cachedPerm), ok ? describe(fresh.frame, fresh.perm)
                            : String.format(Locale.ROOT, "#PF error code %#x", fresh.errorCode),
                        w == null ? "an unknown write" : w.describe()));
                }
            }
        }

        private Write culprit(int id) {
            Write best = null;
            long[] p = id < path.length ? path[id] : null;
            if (p != null) for (long a : p) best = later(best, lastWrite.get(a & ~7L));
            for (int i = 0; i < fresh.levels; i++) best = later(best, lastWrite.get(fresh.pathAddr[i] & ~7L));
            return best;
        }

        /** An invalidation the vCPU made (INVLPG, INVPCID, host flush), counted by scope. */
        public void invalidated(Scope scope, long lin, int pcid) {
            synchronized (TlbChecker.this) { invalidations[scope.ordinal()]++; }
        }
    }

    private static Write later(Write a, Write b) {
        if (b == null) return a;
        return a == null || b.seq > a.seq ? b : a;
    }

    private static String describe(long frame, int perm) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "frame %#x ", frame));
        sb.append((perm & Tlb.NOWRITE) != 0 ? "r" : "w");
        sb.append((perm & Tlb.SUPER) != 0 ? "s" : "u");
        sb.append((perm & Tlb.NX) != 0 ? "-nx" : "-x");
        return sb.toString();
    }
}
