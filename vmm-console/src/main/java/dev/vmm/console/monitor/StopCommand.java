package dev.vmm.console.monitor;

import picocli.CommandLine.Command;

/** {@code stop}: pause the guest at an instruction boundary. */
@Command(name = "stop", description = "Stop the guest's vCPUs at an instruction boundary (Ctrl-C does the same).")
final class StopCommand extends ShellCommand {
    @Override
    void execute() throws InterruptedException {
        if (s.ended()) throw new MonitorError("the machine has ended (" + Session.describe(s.vm.exitStatus()) + ")");
        if (s.vm.isPaused()) { println("already stopped: " + Disasm.where(s.cpu(0))); return; }
        if (!s.vm.pause()) throw new MonitorError("the machine ended before it could be stopped");
        println("stopped: " + Disasm.where(s.cpu(0)));
    }
}
