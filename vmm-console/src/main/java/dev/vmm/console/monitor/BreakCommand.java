package dev.vmm.console.monitor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code break ADDR}: stop before the instruction at a linear address. */
@Command(name = "break", aliases = "b", description = "Stop every vCPU that reaches the instruction at a linear address.")
final class BreakCommand extends ShellCommand {
    @Parameters(paramLabel = "ADDR", description = "Linear address (0x..., decimal, or a register such as rip).")
    String addr;

    @Override
    void execute() {
        long a = s.inspect(() -> Numbers.parse(addr, s.cpu(0)));
        if (!s.vm.addBreakpoint(a)) throw new MonitorError("a breakpoint at " + Numbers.hex(a) + " is already set");
        println("breakpoint at " + Numbers.hex(a));
    }
}
