package dev.vmm.console.monitor;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Base of the monitor's commands: the session is injected by {@link Shell}'s factory. */
abstract class ShellCommand implements Callable<Integer> {
    Session s;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        execute();
        s.out.flush();
        return 0;
    }

    abstract void execute() throws Exception;

    void println(String line) { s.out.println(line); }
}
