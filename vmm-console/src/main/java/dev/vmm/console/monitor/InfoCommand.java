package dev.vmm.console.monitor;

import picocli.CommandLine.Command;

/** {@code info WHAT}: the machine's state; each kind is a subcommand. */
@Command(name = "info", description = "Show machine state: registers, cpus, stats, mem, tlb, break, console, lapic, irq; pv mode: vmspace, map, object, page, pmap.",
        subcommands = {InfoRegistersCommand.class, InfoCpusCommand.class, InfoStatsCommand.class,
            InfoMemCommand.class, InfoTlbCommand.class, InfoBreakCommand.class, InfoVmspaceCommand.class, InfoMapCommand.class,
            InfoObjectCommand.class, InfoPageCommand.class, InfoPmapCommand.class, InfoConsoleCommand.class,
            InfoLapicCommand.class, InfoIrqCommand.class})
final class InfoCommand extends ShellCommand {
    @Override
    void execute() {
        throw new MonitorError("info what? one of: registers, cpus, stats, mem, tlb, break, console, lapic, irq, vmspace, map, object, page, pmap (help info)");
    }
}
