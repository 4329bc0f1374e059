package dev.vmm.console.monitor;

import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.List;
import java.util.Set;

/**
 * Tab completion from the commands' own Picocli specs: command and subcommand names, then the options
 * of the command being typed, and register names wherever an address or a register may go.
 */
final class ShellCompleter implements Completer {
    /** Commands whose positional arguments may be registers or addresses built from them. */
    private static final Set<String> TAKES_REGISTERS = Set.of("x", "xp", "walk", "explain", "break", "b", "delete", "d", "reg", "mem");

    private final CommandSpec root;

    ShellCompleter(CommandSpec root) { this.root = root; }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> out) {
        List<String> words = line.words();
        int at = line.wordIndex();
        CommandSpec spec = root;
        for (int i = 0; i < at && i < words.size(); i++) {
            String w = words.get(i);
            if (i == 0 && w.contains("/")) w = w.substring(0, w.indexOf('/'));
            CommandSpec sub = spec.subcommands().containsKey(w) ? spec.subcommands().get(w).getCommandSpec() : null;
            if (sub == null) break;
            spec = sub;
        }
        for (var e : spec.subcommands().entrySet()) {
            if (e.getValue().getCommandSpec().name().equals(e.getKey())) {   // names, not aliases
                String[] d = e.getValue().getCommandSpec().usageMessage().description();
                out.add(new Candidate(e.getKey(), e.getKey(), null, d.length > 0 ? d[0] : null, null, null, true));
            }
        }
        if (spec == root) return;
        for (OptionSpec o : spec.options()) {
            for (String n : o.names()) out.add(new Candidate(n, n, null, o.description().length > 0 ? o.description()[0] : null, null, null, true));
        }
        if (TAKES_REGISTERS.contains(spec.name())) {
            for (String r : Registers.ALL) out.add(new Candidate(r, r, "registers", null, null, null, true));
        }
        if (spec.name().equals("explain")) {
            for (String a : List.of("r", "w", "x", "ur", "uw", "ux", "sr", "sw", "sx")) out.add(new Candidate(a, a, "access", null, null, null, true));
        }
    }
}
