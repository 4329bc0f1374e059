package dev.vmm.console;

import dev.vmm.core.boot.ImageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code vmm monitor [IMAGE]}: boot an image stopped before its first instruction, under the monitor shell. */
@Command(name = "monitor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Boot a kernel with its vCPUs stopped, under the interactive monitor shell (same as vmm run IMAGE --monitor stdio -S).",
            "Type 'help' at the (vmm) prompt for the commands."})
final class MonitorCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE", defaultValue = "hello",
            description = "A catalog name or a path to a kernel file (default: ${DEFAULT-VALUE}).")
    String image = "hello";

    @Mixin
    MachineOptions machine = new MachineOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    dev.vmm.console.serial.SerialOptions serial = new dev.vmm.console.serial.SerialOptions();

    @Option(names = "--monitor-script", paramLabel = "FILE", description = "Run the monitor commands in FILE first.")
    String script;

    @Option(names = "--run", description = "Start the guest running instead of stopped.")
    boolean run;

    private final Stdio stdio;

    MonitorCommand(Stdio stdio) { this.stdio = stdio; }

    @Override
    public Integer call() throws ImageException, IOException {
        MonitorOptions m = new MonitorOptions();
        m.mode = MonitorOptions.Mode.STDIO;
        m.script = script;
        m.paused = !run;
        return m.run(stdio, machine.toConfig(), ImageResolver.resolve(image), serial, spec.commandLine().getErr());
    }
}
