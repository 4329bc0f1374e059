package dev.vmm.console.monitor;

import dev.vmm.core.boot.ImageException;
import picocli.CommandLine.Command;

/** {@code reset}: reboot the stopped guest from its image. */
@Command(name = "reset", description = "Reset the stopped guest: RAM cleared, vCPUs reset, the image loaded again; it stays stopped.")
final class ResetCommand extends ShellCommand {
    @Override
    void execute() {
        s.requireStopped("reset");
        try {
            s.vm.reset();
        } catch (ImageException e) {
            throw new MonitorError("reset failed: " + e.getMessage());
        }
        println("reset: " + Disasm.where(s.cpu(0)));
    }
}
