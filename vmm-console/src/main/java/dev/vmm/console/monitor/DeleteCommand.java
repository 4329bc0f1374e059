package dev.vmm.console.monitor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code delete [ADDR]}: remove one breakpoint, or all. */
@Command(name = "delete", aliases = "d", description = "Remove the breakpoint at ADDR, or every breakpoint without ADDR.")
final class DeleteCommand extends ShellCommand {
    @Parameters(arity = "0..1", paramLabel = "ADDR", description = "Linear address of the breakpoint.")
    String addr;

    @Override
    void execute() {
        if (addr == null) {
            int n = s.vm.breakpoints().size();
            s.vm.removeBreakpoint(null);
            println("deleted " + n + " breakpoint" + (n == 1 ? "" : "s"));
            return;
        }
        long a = s.inspect(() -> Numbers.parse(addr, s.cpu(0)));
        if (!s.vm.removeBreakpoint(a)) throw new MonitorError("no breakpoint at " + Numbers.hex(a) + " (info break lists them)");
        println("deleted breakpoint at " + Numbers.hex(a));
    }
}
