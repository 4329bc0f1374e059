package dev.vmm.console.monitor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code trace on|off KIND..., trace limit N, trace}: events printed above the prompt as they happen. */
@Command(name = "trace", aliases = "t",
    description = {"Print events as they happen, above the prompt: 'trace on|off faults|tlb|insn|pmap|shootdown|all', 'trace limit N', 'trace' shows what is on.",
        "faults: every exception and interrupt delivered (vector, error code, CR2 for #PF, RIP). "
        + "tlb: every TLB fill and flush (address, frame, page size; the flush's cause). "
        + "insn: every instruction executed, disassembled with its RIP (the vCPUs run one instruction at a time: slow). "
        + "pmap (pv mode): every pmap call the VM layer makes, when it returns (pmap, va or range, page, prot, flags, KERN_* of pmap_enter), "
        + "promotions and demotions. shootdown (pv mode): every TLB shootdown (initiator, page/range/all, targets, acknowledgement latency).",
        "At most N lines are printed (default " + Tracer.DEFAULT_LIMIT + "); then every trace goes off, so a flood cannot bury the shell. "
        + "With every trace off the vCPUs pay nothing."})
final class TraceCommand extends ShellCommand {
    @Parameters(arity = "0..*", paramLabel = "on|off|limit ARGS", description = "on KIND..., off [KIND...], limit N")
    List<String> args = new ArrayList<>();

    @Override
    void execute() {
        Tracer t = s.tracer();
        if (args.isEmpty()) { println(status(t)); return; }
        String verb = args.get(0).toLowerCase(Locale.ROOT);
        List<String> rest = args.subList(1, args.size());
        switch (verb) {
            case "limit" -> {
                if (rest.size() != 1) throw new MonitorError("usage: trace limit N");
                long n = Numbers.parse(rest.get(0), null);
                if (n < 1 || n > 100_000_000L) throw new MonitorError("trace limit " + rest.get(0) + " is out of range: 1..100000000");
                t.setLimit(n);
                println("trace limit " + n + " lines");
            }
            case "on", "off" -> {
                boolean on = verb.equals("on");
                if (on && rest.isEmpty()) throw new MonitorError("trace on what? faults, tlb, insn, pmap, shootdown or all");
                List<Tracer.Kind> kinds = new ArrayList<>();
                for (String w : rest.isEmpty() ? List.of("all") : rest) {
                    switch (w.toLowerCase(Locale.ROOT)) {
                        case "all" -> { for (Tracer.Kind k : Tracer.Kind.values()) if (!k.pv() || t.pv()) kinds.add(k); }
                        case "faults", "fault", "exceptions", "interrupts" -> kinds.add(Tracer.Kind.FAULTS);
                        case "tlb" -> kinds.add(Tracer.Kind.TLB);
                        case "insn", "instructions" -> kinds.add(Tracer.Kind.INSN);
                        case "pmap" -> kinds.add(Tracer.Kind.PMAP);
                        case "shootdown", "shootdowns" -> kinds.add(Tracer.Kind.SHOOTDOWN);
                        default -> throw new MonitorError("unknown trace '" + w + "': one of faults, tlb, insn, pmap, shootdown, all");
                    }
                }
                if (on && !t.pv() && kinds.stream().anyMatch(Tracer.Kind::pv)) {
                    throw new MonitorError("trace on pmap/shootdown: this machine is not in pv mode, so the VMM runs no pmap (start it with --pv, e.g. vmm monitor --pv pvtest)");
                }
                // applied with the vCPUs still: resuming installs the hooks on every vCPU
                s.inspect(() -> { for (Tracer.Kind k : kinds) t.set(k, on, 0); });
                println(status(t));
            }
            default -> throw new MonitorError("trace " + args.get(0) + "? 'trace on KIND', 'trace off [KIND]' or 'trace limit N'");
        }
    }

    private static String status(Tracer t) {
        var k = t.kinds();
        String on = k.isEmpty() ? "none" : String.join(", ", k.stream().map(x -> x.name().toLowerCase(Locale.ROOT)).toList());
        return "tracing: " + on + " (limit " + t.limit() + " lines)";
    }
}
