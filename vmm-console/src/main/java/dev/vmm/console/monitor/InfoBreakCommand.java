package dev.vmm.console.monitor;

import picocli.CommandLine.Command;

/** {@code info break}. */
@Command(name = "break", description = "The breakpoints set.")
final class InfoBreakCommand extends ShellCommand {
    @Override
    void execute() {
        var bps = s.vm.breakpoints();
        if (bps.isEmpty()) println("no breakpoints");
        for (long b : bps) println("breakpoint at " + Numbers.hex(b));
    }
}
