package dev.vmm.console;

import dev.vmm.core.boot.ImageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The {@code vmm} command. Without a subcommand it boots the default demo ({@code vmm run hello}).
 *
 * <p>Exit status: what the guest chose ({@link dev.vmm.core.ExitStatus#exitCode()}), 2 for anything
 * the user can fix (usage, unreadable file, unbootable image), {@value #EXIT_INTERNAL_ERROR} for a bug
 * in vmm itself. Every error is one line {@code vmm: <message>} on stderr; stack traces only with
 * {@code VMM_DEBUG=1}.
 */
@Command(name = "vmm", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {RunCommand.class, MonitorCommand.class, BenchCommand.class, BenchVmCommand.class, HelpCommand.class},
        description = {
            "A full-system x86-64 virtual machine monitor whose memory system is FreeBSD's.",
            "Without a command, boots the demo kernel (vmm run hello)."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:the guest shut down (Bochs shutdown port), or nothing went wrong",
            "(V<<1)|1:the guest wrote V to the debug-exit port 0xf4 (QEMU's convention)",
            "2:usage error, unreadable file or unbootable image",
            "70:internal error (a bug in vmm)"
        })
public final class Vmm implements Callable<Integer> {
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INTERNAL_ERROR = 70;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return spec.subcommands().get("run").execute();
    }

    public static void main(String[] args) {
        int status;
        try {
            status = execute(Stdio.system(), args);
        } catch (Throwable t) {   // Errors (out of memory, stack overflow) that picocli lets through
            status = internalError(new PrintWriter(System.err, true), t);
        }
        System.exit(status);
    }

    /** Runs {@code vmm args...} against {@code stdio} and returns the exit status. */
    public static int execute(Stdio stdio, String... args) {
        return commandLine(stdio).execute(args);
    }

    /** The configured command: factory, streams and the error handling that maps problems to exit statuses. */
    public static CommandLine commandLine(Stdio stdio) {
        CommandLine cl = new CommandLine(new Vmm(), new Factory(stdio));
        cl.setOut(stdio.outWriter());
        cl.setErr(stdio.errWriter());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExitCodeExceptionMapper(t -> t instanceof ParameterException ? EXIT_USAGE : EXIT_INTERNAL_ERROR);
        cl.setParameterExceptionHandler(Vmm::usageError);
        cl.setExecutionExceptionHandler(Vmm::executionError);
        return cl;
    }

    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("vmm: " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        return EXIT_USAGE;
    }

    private static int executionError(Exception ex, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (ex instanceof UserError || ex instanceof ImageException) {
            err.println("vmm: " + oneLine(ex.getMessage()));
            return EXIT_USAGE;
        }
        if (ex instanceof ParameterException pe) {
            return usageError(pe, parsed.originalArgs().toArray(String[]::new));
        }
        return internalError(err, ex);
    }

    static int internalError(PrintWriter err, Throwable t) {
        err.println("vmm: internal error: " + oneLine(String.valueOf(t)));
        if (System.getenv("VMM_DEBUG") != null) {
            t.printStackTrace(err);
        } else {
            err.println("vmm: this is a bug in vmm, not in the guest; rerun with VMM_DEBUG=1 for the stack trace and report it");
        }
        err.flush();
        return EXIT_INTERNAL_ERROR;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    /** Gives the commands that touch the terminal the streams they must use. */
    private record Factory(Stdio stdio) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == RunCommand.class) {
                return cls.cast(new RunCommand(stdio));
            }
            if (cls == MonitorCommand.class) {
                return cls.cast(new MonitorCommand(stdio));
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
