package dev.vmm.console.monitor;

import dev.vmm.core.hv.PvMemory;
import dev.vmm.core.pmap.Pmap;
import dev.vmm.core.pmap.amd64.AmdPmapModule;
import dev.vmm.core.pmap.amd64.PmapTrace;
import dev.vmm.core.pmap.amd64.Shootdown;
import dev.vmm.core.vm.VmParam;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code trace on pmap|shootdown}: the pmap module's listener, installed while either kind is on (with
 * both off the module has none, so a pmap call pays one field test). Each pmap call the VM layer makes
 * becomes one line when it returns (function and call number as the TLB checker names it, pmap, address
 * or range, page, protection, pmap_enter's flags, result); each TLB shootdown one line when every target
 * acknowledged it (initiator, kind, range, targets, latency).
 */
final class PmapTracer implements PmapTrace {
    private final Tracer tracer;
    private final PvMemory pv;
    private final AmdPmapModule module;
    volatile boolean pmap, shootdown;

    private PmapTracer(Tracer tracer, PvMemory pv, AmdPmapModule module) {
        this.tracer = tracer;
        this.pv = pv;
        this.module = module;
    }

    /** The machine's pmap tracer, or a clear error when it has no pmap to trace (not in pv mode). */
    static PmapTracer of(Tracer tracer, PvMemory pv) {
        if (pv == null || !(pv.vm().pmap() instanceof AmdPmapModule m)) {
            throw new MonitorError("trace pmap/shootdown: this machine is not in pv mode, so the VMM runs no pmap (start it with --pv, e.g. vmm monitor --pv pvtest)");
        }
        return new PmapTracer(tracer, pv, m);
    }

    /** Installs or removes the listener for the kinds now on; the VM lock orders it against pmap calls. */
    void apply(boolean pmapOn, boolean shootdownOn) {
        pmap = pmapOn;
        shootdown = shootdownOn;
        synchronized (pv.vm()) { module.setTrace(pmapOn || shootdownOn ? this : null); }
    }

    @Override
    public void call(String function, long seq, int pmapId, long sva, long eva, long pa, int prot, int flags, long result) {
        if (!pmap) { offIfIdle(); return; }
        StringBuilder b = new StringBuilder("pmap: ").append(function);
        if (seq > 0) b.append('#').append(seq);
        if (pmapId >= 0) b.append(pmapId == 0 ? " kernel_pmap" : " pmap " + pmapId);
        if (sva != -1) b.append(eva != -1 ? String.format(" va %#x-%#x", sva, eva) : String.format(" va %#x", sva));
        if (pa != -1) b.append(function.equals("pmap_activate") ? String.format(" cr3 %#x", pa) : String.format(" pa %#x", pa));
        if (prot >= 0) b.append(" prot ").append(PvView.prot(prot));
        if (flags >= 0) b.append(flagText(function, flags));
        if (result == THREW) b.append(" -> exception");
        else if (result != NO_RESULT) b.append(" -> ").append(function.equals("pmap_enter") ? VmParam.kernName((int) result) : Long.toString(result));
        tracer.emit(b.toString());
    }

    /** pmap_enter: the access that caused it (low byte), PMAP_ENTER_* bits and psind; madvise's advice. */
    private static String flagText(String function, int flags) {
        if (!function.equals("pmap_enter")) return " flags " + flags;
        List<String> l = new ArrayList<>();
        int access = flags & Pmap.ENTER_ACCESS_MASK;
        l.add("access " + (access == 0 ? "none" : PvView.prot(access)));
        if ((flags & Pmap.ENTER_WIRED) != 0) l.add("wired");
        if ((flags & Pmap.ENTER_NOSLEEP) != 0) l.add("nosleep");
        if ((flags & Pmap.ENTER_LARGEPAGE) != 0) l.add("largepage");
        int psind = flags >>> 16;
        l.add("psind " + psind + (psind == 0 ? " (4K)" : psind == 1 ? " (2M)" : " (1G)"));
        return " " + String.join(" ", l);
    }

    @Override
    public void shootdown(Shootdown.Kind kind, int initiator, String inCall, int pmapId, long sva, long eva, long targets, long remote, long latency) {
        if (!shootdown) { offIfIdle(); return; }
        StringBuilder b = new StringBuilder(initiator >= 0 ? "cpu" + initiator : "vmm").append(" shootdown ")
            .append(kind.name().toLowerCase(Locale.ROOT)).append(pmapId == 0 ? " kernel_pmap" : " pmap " + pmapId);
        switch (kind) {
            case PAGE -> b.append(String.format(" va %#x", sva));
            case RANGE -> {
                long n = (eva - sva) >>> 12;
                b.append(String.format(" va %#x-%#x (%d page%s)", sva, eva, n, n == 1 ? "" : "s"));
            }
            case ALL -> { }
        }
        if (inCall != null) b.append(" in ").append(inCall);
        b.append(": targets ").append(PvView.cpus(targets)).append(", remote ").append(remote == 0 ? "none (initiator only)" : PvView.cpus(remote));
        if (latency >= 0) b.append(", acknowledged within ").append(latency).append(" target instructions");
        tracer.emit(b.toString());
    }

    /** A budget that ran out turned both kinds off: the listener leaves at its next event. */
    private void offIfIdle() {
        if (!pmap && !shootdown) module.setTrace(null);   // the VM lock is held: we are inside a pmap call
    }
}
