package dev.vmm.console.monitor;

import picocli.CommandLine.Option;

/** A command that can answer in JSON ({@code --json}) for scripts and tests. */
abstract class JsonInfoCommand extends ShellCommand {
    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;
}
