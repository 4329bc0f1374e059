package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code explain VA [ACCESS] [CPU]}: why an access faults or not, in a sentence. */
@Command(name = "explain", description = {"Say why an access to a linear address page-faults or not, naming the entry and bit at fault.",
    "ACCESS: r, w or x (default r), prefixed by u or s for user or supervisor (default: the vCPU's CPL)."})
final class ExplainCommand extends ShellCommand {
    @Parameters(index = "0", paramLabel = "VA")
    String va;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ACCESS")
    String access;

    @Parameters(index = "2", arity = "0..1", paramLabel = "CPU")
    Integer cpu;

    @Override
    void execute() {
        AccessKind k = AccessKind.parse(access);
        s.inspect(() -> {
            Cpu c = s.cpu(cpu);
            long lin = Numbers.parse(va, c);
            Explain.Verdict v = Explain.explain(c, lin, k.acc, k.userFor(c.cpl));
            println(v.sentence());
            if (v.faults() && v.errorCode() >= 0) {
                println(String.format("#PF error code %#x (%s)", v.errorCode(), Explain.errorCodeText(v.errorCode())));
            }
            if (!v.walkerAgrees()) println("warning: " + v.walkerNote() + " (a bug in vmm's walker or in explain)");
        });
    }
}
