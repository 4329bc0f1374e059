package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code x/FMT ADDR}: guest memory at a linear address, through the vCPU's page tables. */
@Command(name = "x", description = {"Examine memory at a linear address: x/FMT ADDR, FMT = [count][x|d|u|c|s|i][b|h|w|g].",
    "Example: x/8xb rsp, x/5i rip, x/s 0x100250."})
class XCommand extends ShellCommand {
    @Parameters(index = "0", paramLabel = "[/FMT] ADDR", arity = "1..2", description = "Optional /FMT, then the address.")
    java.util.List<String> args;

    @Option(names = "--cpu", paramLabel = "N", description = "Whose page tables (default cpu 0).")
    Integer cpu;

    boolean linear() { return true; }

    @Override
    void execute() {
        String fmt = args.size() == 2 ? args.get(0) : args.get(0).startsWith("/") ? args.get(0) : null;
        String addr = args.size() == 2 ? args.get(1) : args.get(0).startsWith("/") ? null : args.get(0);
        if (addr == null) throw new MonitorError("missing address: " + spec.name() + "/FMT ADDR");
        if (fmt != null && !fmt.startsWith("/")) throw new MonitorError("expected /FMT before the address, got '" + fmt + "'");
        Examine.Format f = Examine.parse(fmt);
        s.inspect(() -> {
            Cpu c = s.cpu(cpu);
            Examine.dump(s, c, Numbers.parse(addr, c), f, linear());
        });
    }
}
