package dev.vmm.console.monitor;

import picocli.CommandLine.Command;

/** {@code set mem|reg}. */
@Command(name = "set", description = "Change guest state: set mem ADDR VALUE, set reg NAME VALUE.",
        subcommands = {SetMemCommand.class, SetRegCommand.class})
final class SetCommand extends ShellCommand {
    @Override
    void execute() {
        throw new MonitorError("set what? 'set mem ADDR VALUE' or 'set reg NAME VALUE'");
    }
}
