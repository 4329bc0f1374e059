package dev.vmm.console.monitor;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Base of the monitor's commands: the session is injected by {@link Shell}'s factory. */
abstract class ShellCommand implements Callable<Integer> {
    Session s;

    @Spec
    CommandSpec spec;

    /** `COMMAND --help` prints the same as `help COMMAND` (Picocli answers it before call()). */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this command's help.")
    boolean helpRequested;

    @Override
    public final Integer call() throws Exception {
        execute();
        s.out.flush();
        return 0;
    }

    abstract void execute() throws Exception;

    void println(String line) { s.out.println(line); }
}
