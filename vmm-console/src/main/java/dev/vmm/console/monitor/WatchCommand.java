package dev.vmm.console.monitor;

import dev.vmm.cpu.Watchpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Locale;

/** {@code watch [r|w|rw] ADDR LEN [-p]}: a data watchpoint. */
@Command(name = "watch", aliases = "wa",
    description = {"Stop the guest after an instruction reads or writes a range (as an x86 data breakpoint: the access completes, "
        + "the report names the vCPU, the instruction's RIP, the address, the kind and the old/new value).",
        "Kinds: r (reads), w (writes, the default), rw. Linear by default; -p: a physical range, caught through every linear alias "
        + "the vCPUs use (accesses by devices are not seen).",
        "While any watchpoint is set the vCPUs run one instruction at a time with their fast TLB lookup off (slower); with none, nothing is checked."})
final class WatchCommand extends ShellCommand {
    @Parameters(arity = "2..3", paramLabel = "[r|w|rw] ADDR LEN", hideParamSyntax = true,
        description = "Optional kind r, w or rw; the address (0x.., decimal, or a register with an optional +/- offset); the length in bytes.")
    List<String> args;

    @Option(names = {"-p", "--phys"}, description = "ADDR is a physical address.")
    boolean phys;

    static final long MAX_LEN = 1L << 30;

    @Override
    void execute() {
        int kinds = Watchpoints.WRITE;
        int i = 0;
        if (args.size() == 3) {
            kinds = switch (args.get(0).toLowerCase(Locale.ROOT)) {
                case "r" -> Watchpoints.READ;
                case "w" -> Watchpoints.WRITE;
                case "rw", "wr", "a" -> Watchpoints.READ | Watchpoints.WRITE;
                default -> throw new MonitorError("bad watch kind '" + args.get(0) + "': one of r, w, rw");
            };
            i = 1;
        }
        String a = args.get(i), l = args.get(i + 1);
        long addr = s.inspect(() -> Numbers.parse(a, s.cpu(0)));
        long len = Numbers.parse(l, null);
        if (len < 1 || len > MAX_LEN) throw new MonitorError("watch length " + l + " is out of range: 1.." + MAX_LEN);
        if (addr + len < addr && addr + len != 0) throw new MonitorError("the range " + Numbers.hex(addr) + "+" + len + " wraps around");
        if (phys && (addr < 0 || addr + len > (1L << 52))) throw new MonitorError("physical address " + Numbers.hex(addr) + " is beyond 52 bits");
        int k = kinds;
        // added with the vCPUs still: a running guest is paused for it, and resuming applies it to every vCPU
        Watchpoints.Watch w = s.inspect(() -> s.vm.addWatch(addr, len, k, phys));
        println(w.describe());
    }
}
