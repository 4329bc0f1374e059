package dev.vmm.console.monitor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code delete [ADDR | -w N]}: remove one breakpoint or watchpoint, or all of them. */
@Command(name = "delete", aliases = "d",
    description = "Remove the breakpoint at ADDR, watchpoint N (-w N), or every breakpoint and watchpoint without arguments.")
final class DeleteCommand extends ShellCommand {
    @Parameters(arity = "0..1", paramLabel = "ADDR", description = "Linear address of the breakpoint.")
    String addr;

    @Option(names = {"-w", "--watch"}, paramLabel = "N", description = "Number of the watchpoint (info break lists them).")
    Integer watch;

    @Override
    void execute() {
        if (addr != null && watch != null) throw new MonitorError("give ADDR (a breakpoint) or -w N (a watchpoint), not both");
        if (watch != null) {
            int n = s.inspect(() -> s.vm.removeWatch(watch));
            if (n == 0) throw new MonitorError("no watchpoint " + watch + " (info break lists them)");
            println("deleted watchpoint " + watch);
            return;
        }
        if (addr == null) {
            int n = s.vm.breakpoints().size();
            s.vm.removeBreakpoint(null);
            int w = s.inspect(() -> s.vm.removeWatch(null));
            println("deleted " + n + " breakpoint" + (n == 1 ? "" : "s")
                + (w == 0 ? "" : " and " + w + " watchpoint" + (w == 1 ? "" : "s")));
            return;
        }
        long a = s.inspect(() -> Numbers.parse(addr, s.cpu(0)));
        if (!s.vm.removeBreakpoint(a)) throw new MonitorError("no breakpoint at " + Numbers.hex(a) + " (info break lists them)");
        println("deleted breakpoint at " + Numbers.hex(a));
    }
}
