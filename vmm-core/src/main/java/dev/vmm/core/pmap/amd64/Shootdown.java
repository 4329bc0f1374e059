package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.TlbInvalidator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * TLB shootdown, in one place: pmap_invalidate_page, _range and _all of amd64's pmap.c and
 * smp_targeted_tlb_shootdown of mp_machdep.c. The initiator (the vCPU whose hypercall or fault runs the
 * pmap call, see {@link #setInitiator}) invalidates locally; every other vCPU in pm_active (every vCPU
 * for the kernel pmap) gets a request (kind, range, generation) in its mailbox and an IPI; the initiator
 * waits until each target acknowledged the generation, and only then may the caller free page-table
 * pages (paging-structure caches may point at them until every target acted) and the pmap call return.
 *
 * <p>The IPI: FreeBSD sends IPI_INVLPG/IPI_INVLRNG/IPI_INVLTLB vectors to handlers in its own kernel.
 * Here the VMM owns the pmap, so the request is the VMM's: {@code LocalApic.postVmmRequest()} wakes
 * the target, which leaves its run loop at its next instruction boundary and applies its mailbox on its
 * own thread. Until then it may still use the stale translation, as on hardware. Under the deterministic
 * scheduler one host thread runs every vCPU, so while the initiator runs each target is stopped at an
 * instruction boundary and no thread of its own runs it: the APIC runs the handler at once (latency 0),
 * and the wait cannot deadlock. Under the parallel scheduler the initiator spins until the
 * acknowledgements arrive; a target blocked on the VM lock serves its mailbox while it waits (see
 * PvMemory), as a CPU spinning on a lock takes IPIs, and a target whose thread leaves serves it then.
 *
 * <p>Every request is counted (including in {@link PmapCounters}), and recorded when
 * {@link #setRecording} is on, so tests can assert which invalidations were sent. Ownership: the VM lock,
 * except the mailboxes (their own monitors) and {@link #service}, which targets call on their threads.
 */
public final class Shootdown {
    /** One request as sent: kind, the pmap, the range [sva, eva) and the vCPUs it went to. */
    public record Invalidation(Kind kind, int pmapId, long sva, long eva, long cpus) { }

    public enum Kind { PAGE, RANGE, ALL }

    /** A request in a target's mailbox; {@code ackedAt} is written by the target. */
    private static final class Request {
        final long generation, sva, eva, postedAt;
        final Kind kind;
        final boolean global;
        volatile long ackedAt = -1;

        Request(long generation, Kind kind, long sva, long eva, boolean global, long postedAt) {
            this.generation = generation;
            this.kind = kind;
            this.sva = sva;
            this.eva = eva;
            this.global = global;
            this.postedAt = postedAt;
        }
    }

    /** One target's mailbox (pc_smp_tlb_* of its pcpu): pending requests and the generation it acknowledged. */
    private static final class Mailbox {
        final ArrayDeque<Request> queue = new ArrayDeque<>();
        volatile long done;
    }

    private final TlbInvalidator port;
    private final PmapCounters counters;
    private final Mailbox[] boxes;
    private boolean recording;
    private final List<Invalidation> log = new ArrayList<>();
    /** smp_tlb_generation */
    private long generation;
    private int initiator = -1;
    private boolean skipRemote;
    /** The monitor's trace (AmdPmapModule.setTrace), or null; {@code module} names the open pmap call for it. */
    PmapTrace trace;
    AmdPmapModule module;
    public long pages, ranges, alls;

    Shootdown(TlbInvalidator port, PmapCounters counters) {
        this.port = port;
        this.counters = counters;
        this.boxes = new Mailbox[Math.max(1, port.cpuCount())];
        for (int i = 0; i < boxes.length; i++) boxes[i] = new Mailbox();
        port.connect(this::service);
    }

    public TlbInvalidator port() { return port; }

    public void setRecording(boolean on) { recording = on; }

    /**
     * The vCPU on whose thread the next pmap calls run (it invalidates locally, at once), or -1 for the
     * VMM itself (every vCPU in pm_active is then a target). Set by the hypercall and fault paths, under
     * the VM lock.
     */
    public void setInitiator(int cpu) { initiator = cpu; }

    /**
     * Test-only fault injection: a broken pmap that invalidates on the initiator only and never asks the
     * other vCPUs in pm_active, so that tests can show the TLB checker catches the stale uses that follow.
     */
    public void skipRemoteInvalidationForTest(boolean skip) { skipRemote = skip; }

    /** The recorded requests since the last {@link #drain}. */
    public List<Invalidation> drain() {
        List<Invalidation> l = List.copyOf(log);
        log.clear();
        return l;
    }

    void invalidatePage(AmdPmap pmap, long va) {
        pages++;
        deliver(Kind.PAGE, pmap, va, va + 4096);
    }

    void invalidateRange(AmdPmap pmap, long sva, long eva) {
        if (((eva - sva) >>> 12) >= PmapBits.INVALIDATE_ALL_PAGES) { invalidateAll(pmap); return; }
        ranges++;
        deliver(Kind.RANGE, pmap, sva, eva);
    }

    void invalidateAll(AmdPmap pmap) {
        alls++;
        deliver(Kind.ALL, pmap, 0, 0);
    }

    /** The protocol: the initiator first, then a request and an IPI to each other target, then the wait. */
    private void deliver(Kind kind, AmdPmap pmap, long sva, long eva) {
        long targets = pmap.isKernel() ? allCpus() : pmap.activeMask();
        if (recording) log.add(new Invalidation(kind, pmap.id, sva, eva, targets));
        int self = initiator;
        if (self >= 0 && (targets & (1L << self)) != 0) apply(self, kind, sva, eva, pmap.isKernel());
        long remote = self >= 0 ? targets & ~(1L << self) : targets;
        if (remote == 0 || skipRemote) { if (trace != null) traced(kind, self, pmap, sva, eva, targets, remote, -1); return; }
        long gen = ++generation;
        counters.shootdowns++;
        Request[] sent = new Request[boxes.length];
        for (int cpu = 0; remote >>> cpu != 0; cpu++) {
            if ((remote & (1L << cpu)) == 0) continue;
            Request r = new Request(gen, kind, sva, eva, pmap.isKernel(), port.instructions(cpu));
            sent[cpu] = r;
            synchronized (boxes[cpu]) { boxes[cpu].queue.add(r); }
            if (port.targetStopped(cpu)) service(cpu);   // no vCPU runs (the pmap alone): it acts now
            else { counters.shootdownIpis++; port.ipi(cpu); }
        }
        long latency = awaitAcknowledgements(sent, gen);
        if (trace != null) traced(kind, self, pmap, sva, eva, targets, remote, latency);
    }

    private void traced(Kind kind, int self, AmdPmap pmap, long sva, long eva, long targets, long remote, long latency) {
        PmapTrace t = trace;
        if (t != null) t.shootdown(kind, self, module == null ? null : module.openCall(), pmap.id, sva, eva, targets, remote, latency);
    }

    /**
     * Spins until every target acknowledged {@code gen}. It cannot wait forever: a target with a thread
     * of its own serves its mailbox at its next instruction boundary, also while it waits for the VM lock
     * and when its thread leaves (LocalApic.setOwnThread), and a target without one was served at once.
     * Returns the largest latency (target instructions between the request and its acknowledgement).
     */
    private long awaitAcknowledgements(Request[] sent, long gen) {
        long max = -1;
        for (int cpu = 0; cpu < sent.length; cpu++) {
            Request r = sent[cpu];
            if (r == null) continue;
            while (boxes[cpu].done < gen) Thread.onSpinWait();
            long latency = Math.max(0, r.ackedAt - r.postedAt);
            counters.shootdownLatency += latency;
            counters.shootdownLatencyMax = Math.max(counters.shootdownLatencyMax, latency);
            counters.shootdownAcks++;
            max = Math.max(max, latency);
        }
        return max;
    }

    /**
     * The IPI handler: applies vCPU {@code cpu}'s pending requests and acknowledges them. Called on the
     * vCPU's own thread at an instruction boundary, or by the initiator while the vCPU is stopped.
     */
    public void service(int cpu) {
        Mailbox b = boxes[cpu];
        while (true) {
            Request r;
            synchronized (b) { r = b.queue.poll(); }
            if (r == null) return;
            apply(cpu, r.kind, r.sva, r.eva, r.global);
            r.ackedAt = port.instructions(cpu);
            b.done = r.generation;
        }
    }

    /** Whether vCPU {@code cpu} has requests it has not applied yet. */
    public boolean pending(int cpu) {
        synchronized (boxes[cpu]) { return !boxes[cpu].queue.isEmpty(); }
    }

    private void apply(int cpu, Kind kind, long sva, long eva, boolean global) {
        switch (kind) {
            case PAGE -> port.invalidatePage(cpu, sva);
            case RANGE -> { for (long va = sva; va < eva; va += 4096) port.invalidatePage(cpu, va); }
            case ALL -> port.invalidateAll(cpu, global);
        }
    }

    private long allCpus() {
        int n = port.cpuCount();
        return n >= 64 ? -1L : (1L << n) - 1;
    }
}
