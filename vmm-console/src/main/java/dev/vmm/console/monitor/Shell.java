package dev.vmm.console.monitor;

import dev.vmm.core.Machine;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The monitor's command language: one line -> words -> a Picocli subcommand (one class per command, help
 * generated from their annotations). Every failure is one line {@code error: ...} and changes nothing;
 * an unknown command gets the closest known ones by edit distance.
 */
public final class Shell {
    /** The root: only subcommands. */
    @Command(name = "", description = "vmm monitor commands. 'help COMMAND' for one command.",
            subcommands = {StopCommand.class, ContCommand.class, StepCommand.class, QuitCommand.class, ResetCommand.class,
                InfoCommand.class, XCommand.class, XpCommand.class, SetCommand.class, WalkCommand.class, ExplainCommand.class,
                BreakCommand.class, WatchCommand.class, DeleteCommand.class, TraceCommand.class, CheckCommand.class, HelpCommand.class})
    static final class Root implements Runnable {
        @Override
        public void run() { }
    }

    private final Session session;
    private final CommandLine cl;

    public Shell(Machine vm, PrintWriter out) { this(vm, out, null); }

    /** @param serial the COM ports' host sides, for {@code info console} (null: none known) */
    public Shell(Machine vm, PrintWriter out, dev.vmm.console.serial.SerialBackends serial) {
        this.session = new Session(vm, out, serial);
        CommandLine.IFactory dflt = CommandLine.defaultFactory();
        this.cl = new CommandLine(new Root(), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                K o = dflt.create(cls);
                if (o instanceof ShellCommand c) c.s = session;
                return o;
            }
        });
        cl.setOut(out);
        cl.setErr(out);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(this::badArguments);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof MonitorError) out.println("error: " + ex.getMessage());
            else if (ex instanceof IllegalStateException && ex.getCause() == null) out.println("error: " + ex.getMessage());
            else out.println("internal error: " + String.valueOf(ex).replaceAll("\\s*[\\r\\n]+\\s*", "; ") + " (a bug in vmm)");
            out.flush();
            return 1;
        });
    }

    private int badArguments(ParameterException ex, String[] args) {
        PrintWriter out = session.out;
        out.println("error: " + ex.getMessage().replaceAll("\\s*[\\r\\n]+\\s*", "; "));
        if (ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            out.println("did you mean: " + String.join(", ", u.getSuggestions()) + "?");
        }
        String name = ex.getCommandLine().getCommandSpec().qualifiedName().strip();
        out.println("usage: see 'help " + name + "'");
        out.flush();
        return 2;
    }

    /** Every command name and alias. */
    public List<String> commandNames() {
        return new ArrayList<>(new TreeSet<>(cl.getSubcommands().keySet()));
    }

    CommandSpec spec() { return cl.getCommandSpec(); }

    Session session() { return session; }

    /** Whether {@code quit} was given. */
    public boolean quitRequested() { return session.quit; }

    /** Runs one command line (blank lines and # comments do nothing). Returns the command's status (0 ok). */
    public int execute(String line) {
        List<String> words = words(line);
        if (words.isEmpty() || words.get(0).startsWith("#")) return 0;
        String first = words.get(0);
        int slash = first.indexOf('/');
        if (slash > 0) {   // x/4i ADDR -> x /4i ADDR, as gdb and QEMU write it
            words.set(0, first.substring(0, slash));
            words.add(1, first.substring(slash));
            first = words.get(0);
        }
        if (!cl.getSubcommands().containsKey(first)) {
            List<String> near = Suggest.closest(first, commandNames());
            session.out.println("error: unknown command '" + first + "'" + (near.isEmpty() ? "; 'help' lists the commands"
                : "; did you mean: " + String.join(", ", near) + "?"));
            session.out.flush();
            return 2;
        }
        int st = cl.execute(words.toArray(String[]::new));
        session.out.flush();
        return st;
    }

    /** Splits on blanks; double quotes group words. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false, any = false;
        for (char c : line.strip().toCharArray()) {
            if (c == '"') { quoted = !quoted; any = true; continue; }
            if (!quoted && Character.isWhitespace(c)) {
                if (any) { out.add(cur.toString()); cur.setLength(0); any = false; }
                continue;
            }
            cur.append(c);
            any = true;
        }
        if (any) out.add(cur.toString());
        return out;
    }
}
