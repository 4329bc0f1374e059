package dev.vmm.console.monitor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cont}: let a stopped guest run on. */
@Command(name = "cont", aliases = "c", description = "Let the stopped guest run on (past a breakpoint it sits on).")
final class ContCommand extends ShellCommand {
    @Option(names = "--wait", description = "Return only when the guest stops again (breakpoint, Ctrl-C) or the machine ends.")
    boolean await;

    @Override
    void execute() throws InterruptedException {
        s.requireStopped("continue");
        s.vm.resume();
        println("running");
        if (await) {
            s.out.flush();
            while (!s.ended() && !s.vm.isPaused()) Thread.sleep(5);
        }
    }
}
