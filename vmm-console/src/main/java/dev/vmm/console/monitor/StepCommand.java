package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code step [N] [CPU]}: execute N instructions on one vCPU of the stopped guest. */
@Command(name = "step", aliases = "s", description = "Execute N instructions (default 1) on one vCPU (default cpu 0) of the stopped guest.")
final class StepCommand extends ShellCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "N", description = "Instructions to execute, 1..1000000000.")
    long n = 1;

    @Parameters(index = "1", arity = "0..1", paramLabel = "CPU", description = "vCPU number (default 0).")
    Integer cpu;

    @Override
    void execute() {
        if (n < 1 || n > 1_000_000_000L) throw new MonitorError("step count " + n + " is out of range: 1..1000000000");
        Cpu c = s.cpu(cpu);
        s.requireStopped("step");
        long before = c.instructions;
        Cpu.Exit why = s.vm.step(c.apicId(), n);
        long done = c.instructions - before;
        String note = switch (why) {
            case BREAKPOINT -> s.vm.lastWatchHit() != null ? " (" + s.vm.lastWatchHit().describe() + ")" : " (breakpoint)";
            case HALTED -> " (halted)";
            case SHUTDOWN -> " (shutdown: " + c.shutdownReason + ")";
            default -> "";
        };
        println(done + " instruction" + (done == 1 ? "" : "s") + note + "; " + Disasm.where(c));
    }
}
