package dev.vmm.console.monitor;

import picocli.CommandLine.Command;

/** {@code quit}: end the guest and the shell. */
@Command(name = "quit", aliases = "q", description = "Stop the guest and leave the monitor.")
final class QuitCommand extends ShellCommand {
    @Override
    void execute() {
        s.quit = true;
        s.vm.stop();
    }
}
