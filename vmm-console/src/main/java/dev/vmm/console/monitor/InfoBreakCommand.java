package dev.vmm.console.monitor;

import picocli.CommandLine.Command;

/** {@code info break}. */
@Command(name = "break", description = "The breakpoints and watchpoints set.")
final class InfoBreakCommand extends ShellCommand {
    @Override
    void execute() {
        var bps = s.vm.breakpoints();
        var ws = s.vm.watches();
        if (bps.isEmpty() && ws.isEmpty()) println("no breakpoints or watchpoints");
        for (long b : bps) println("breakpoint at " + Numbers.hex(b));
        for (var w : ws) println(w.describe());
    }
}
