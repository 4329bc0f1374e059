package dev.vmm.console.monitor;

import picocli.CommandLine.Parameters;

/** An info command about one vCPU: an optional CPU number (default 0) and {@code --json}. */
abstract class CpuInfoCommand extends JsonInfoCommand {
    @Parameters(arity = "0..1", paramLabel = "CPU", description = "vCPU number (default 0).")
    Integer cpu;
}
