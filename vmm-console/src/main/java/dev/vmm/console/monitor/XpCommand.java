package dev.vmm.console.monitor;

import picocli.CommandLine.Command;

/** {@code xp/FMT PADDR}: guest memory at a physical address. */
@Command(name = "xp", description = {"Examine memory at a physical address: xp/FMT PADDR (formats as for x)."})
final class XpCommand extends XCommand {
    @Override
    boolean linear() { return false; }
}
