package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code set reg NAME VALUE [CPU]}. */
@Command(name = "reg", description = "Set a general-purpose register, rip or rflags of a stopped vCPU.")
final class SetRegCommand extends ShellCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "VALUE")
    String value;

    @Parameters(index = "2", arity = "0..1", paramLabel = "CPU")
    Integer cpu;

    @Override
    void execute() {
        s.requireStopped("set a register");
        Cpu c = s.cpu(cpu);
        String n = name.toLowerCase(java.util.Locale.ROOT);
        long v = Numbers.parse(value, c);
        Registers.set(c, n, v);
        println(String.format("cpu%d %s = %#x", c.apicId(), n, Registers.get(c, n)));
    }
}
