package dev.vmm.core.pmap.amd64;

import dev.vmm.core.pmap.TlbInvalidator;

import java.util.ArrayList;
import java.util.List;

/**
 * TLB shootdown, in one place: pmap_invalidate_page, _range and _all of amd64's pmap.c and
 * mp_machdep.c. The initiator invalidates locally, then every other vCPU in pm_active (every vCPU for
 * the kernel pmap), waits until each target acknowledged, and only then may the caller free
 * page-table pages (paging-structure caches may still point at them until every target acted).
 *
 * <p>Today the VM runs with the vCPUs stopped at an instruction boundary (one host thread), so a target
 * acts at once and the acknowledgement is immediate; the SMP scheduler will turn {@link #deliver} into
 * IPIs with generation numbers without changing any caller.
 *
 * <p>Every request is counted, and recorded when {@link #setRecording} is on, so tests can assert which
 * invalidations were sent. Ownership: the VM lock.
 */
public final class Shootdown {
    /** One request as sent: kind, the pmap, the range [sva, eva) and the vCPUs it went to. */
    public record Invalidation(Kind kind, int pmapId, long sva, long eva, long cpus) { }

    public enum Kind { PAGE, RANGE, ALL }

    private final TlbInvalidator port;
    private boolean recording;
    private final List<Invalidation> log = new ArrayList<>();
    public long pages, ranges, alls;

    Shootdown(TlbInvalidator port) { this.port = port; }

    public TlbInvalidator port() { return port; }

    public void setRecording(boolean on) { recording = on; }

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

    /** The protocol: local vCPU first, then the others, then wait for all acknowledgements. */
    private void deliver(Kind kind, AmdPmap pmap, long sva, long eva) {
        long targets = pmap.isKernel() ? allCpus() : pmap.activeMask();
        if (recording) log.add(new Invalidation(kind, pmap.id, sva, eva, targets));
        for (int cpu = 0; targets >>> cpu != 0; cpu++) {
            if ((targets & (1L << cpu)) == 0) continue;
            switch (kind) {
                case PAGE -> port.invalidatePage(cpu, sva);
                case RANGE -> { for (long va = sva; va < eva; va += 4096) port.invalidatePage(cpu, va); }
                case ALL -> port.invalidateAll(cpu, pmap.isKernel());
            }
        }
        // Acknowledgement: every target ran its handler above before this returns.
    }

    private long allCpus() {
        int n = port.cpuCount();
        return n >= 64 ? -1L : (1L << n) - 1;
    }
}
