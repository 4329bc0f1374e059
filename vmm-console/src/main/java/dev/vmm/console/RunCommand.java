package dev.vmm.console;

import dev.vmm.core.ExitStatus;
import dev.vmm.core.Machine;
import dev.vmm.core.MachineConfig;
import dev.vmm.core.boot.ImageException;
import dev.vmm.console.serial.SerialBackends;
import dev.vmm.console.serial.SerialOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vmm run [IMAGE]}: boots a Multiboot kernel and runs it until the guest stops the machine. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Boot a Multiboot v1 kernel and run it until it stops; exits with the guest's status.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE", defaultValue = "hello",
            description = "A catalog name (hello, bench, ...) or a path to a kernel file (default: ${DEFAULT-VALUE}).")
    String image = "hello";

    @Mixin
    MachineOptions machine = new MachineOptions();

    @Mixin
    SerialOptions serial = new SerialOptions();

    @Option(names = "--stats", description = "At exit, print instructions executed, run time, MIPS and each vCPU's TLB statistics on stderr.")
    boolean stats;

    @Mixin
    MonitorOptions monitor = new MonitorOptions();

    private final Stdio stdio;

    RunCommand(Stdio stdio) {
        this.stdio = stdio;
    }

    @Override
    public Integer call() throws ImageException, IOException, InterruptedException {
        BootImage boot = ImageResolver.resolve(image);
        MachineConfig config = machine.toConfig();
        PrintWriter err = spec.commandLine().getErr();
        if (monitor.enabled()) {
            return monitor.run(stdio, config, boot, serial, err);
        }

        long start = 0;
        ExitStatus status;
        long instructions;
        List<String> tlbReport = new ArrayList<>();
        SerialBackends lines = serial.open(stdio.in(), stdio.out(), err);
        try (lines; Machine vm = new Machine(config, lines.lines())) {
            vm.loadMultiboot(boot.name(), boot.bytes());
            lines.awaitClients();
            start = System.nanoTime();
            status = vm.run();
            instructions = vm.instructionsExecuted();
            TlbReport.collect(vm, stats, tlbReport);
        } finally {
            stdio.out().flush();
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        if (status.report() != null) {
            err.println(Vmm.oneLine(status.report()));
        }
        if (stats) {
            err.println("instructions: " + instructions);
            err.println(String.format(Locale.ROOT, "time: %.3f s", seconds));
            err.println(String.format(Locale.ROOT, "MIPS: %.1f", seconds > 0 ? instructions / seconds / 1e6 : 0.0));
            err.println("stopped: " + status.kind() + ", exit status " + status.exitCode());
            err.print(lines.summary());
            err.flush();
        }
        tlbReport.forEach(err::println);
        return status.exitCode();
    }
}
