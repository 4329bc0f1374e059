package dev.vmm.console;

import dev.vmm.console.monitor.Monitor;
import dev.vmm.console.monitor.MonitorLauncher;
import dev.vmm.core.MachineConfig;
import dev.vmm.core.boot.ImageException;
import picocli.CommandLine.Option;

import dev.vmm.console.serial.SerialOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** The monitor shell's options ({@code vmm run --monitor stdio}, {@code vmm monitor}). */
public final class MonitorOptions {
    /** Where the monitor talks. */
    public enum Mode { STDIO, NONE }

    @Option(names = "--monitor", paramLabel = "stdio|none", defaultValue = "none",
            description = "stdio: an interactive monitor shell on the terminal beside the guest (its serial output shows above the prompt); none (default).")
    Mode mode = Mode.NONE;

    @Option(names = "--monitor-script", paramLabel = "FILE",
            description = "Run the monitor commands in FILE first (implies --monitor stdio).")
    String script;

    @Option(names = {"-S", "--paused"}, description = "Start with the vCPUs stopped before the first instruction (implies --monitor stdio).")
    boolean paused;

    @Option(names = "--monitor-history", paramLabel = "FILE", hidden = true,
            description = "History file (default $XDG_STATE_HOME/vmm/history or ~/.vmm_history).")
    Path history;

    boolean enabled() { return mode == Mode.STDIO || script != null || paused; }

    /**
     * @param serial the --serial options: a {@code stdio} port prints above the prompt and gets no input
     *               (the terminal is the monitor's); null for COM1 above the prompt only
     */
    int run(Stdio stdio, MachineConfig config, BootImage boot, SerialOptions serial, PrintWriter err) throws ImageException, IOException {
        List<String> lines;
        try {
            lines = script == null ? List.of() : MonitorLauncher.script(ImageResolver.readableFile(script));
        } catch (IOException e) {
            throw new UserError(script + ": cannot read the monitor script: " + e.getMessage());
        }
        boolean system = stdio.in() == System.in;
        var terminal = MonitorLauncher.terminal(stdio.in(), stdio.out(), system);
        try (terminal) {
            return MonitorLauncher.run(terminal, history != null ? history : Monitor.defaultHistory(), config,
                serial == null ? null : guestOut -> serial.open(InputStream.nullInputStream(), guestOut, err),
                boot.name(), boot.bytes(), lines, paused);
        }
    }
}
