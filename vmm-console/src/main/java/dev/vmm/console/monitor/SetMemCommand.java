package dev.vmm.console.monitor;

import dev.vmm.cpu.Cpu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code set mem ADDR VALUE [--size N] [--phys]}. */
@Command(name = "mem", description = "Write VALUE (little endian, --size bytes) at a linear address (or physical with --phys).")
final class SetMemCommand extends ShellCommand {
    @Parameters(index = "0", paramLabel = "ADDR")
    String addr;

    @Parameters(index = "1", paramLabel = "VALUE")
    String value;

    @Option(names = "--size", paramLabel = "1|2|4|8", description = "Bytes to write (default 4).")
    int size = 4;

    @Option(names = "--phys", description = "ADDR is physical.")
    boolean phys;

    @Option(names = "--cpu", paramLabel = "N", description = "Whose page tables (default cpu 0).")
    Integer cpu;

    @Override
    void execute() {
        if (size != 1 && size != 2 && size != 4 && size != 8) throw new MonitorError("--size must be 1, 2, 4 or 8");
        s.inspect(() -> {
            Cpu c = s.cpu(cpu);
            long a = Numbers.parse(addr, c), v = Numbers.parse(value, c);
            if (size < 8 && (v >>> (8 * size)) != 0 && (v >> (8 * size - 1)) != -1) {
                throw new MonitorError(Numbers.hex(v) + " does not fit in " + size + " byte" + (size == 1 ? "" : "s"));
            }
            long[] pa = new long[size];
            for (int k = 0; k < size; k++) {   // translate every byte first: all or nothing
                pa[k] = phys ? a + k : GuestView.translate(c, a + k);
                if (pa[k] < 0) throw new MonitorError("linear address " + Numbers.hex(a + k) + " is not mapped");
                GuestView.readPhys(c.mem, pa[k]);
            }
            for (int k = 0; k < size; k++) c.mem.write8(pa[k], (int) (v >>> (8 * k)));
            println(String.format("%s %#x = %#x (%d byte%s)", phys ? "physical" : "linear", a, v & Examine.mask(size), size, size == 1 ? "" : "s"));
        });
    }
}
