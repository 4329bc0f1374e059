package dev.vmm.console.monitor;

import dev.vmm.core.ExitStatus;
import dev.vmm.core.Machine;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The interactive monitor beside a running guest (QEMU's HMP, as a JLine shell): line editing, history in
 * a file, tab completion, the guest's serial output printed above the prompt, Ctrl-C stops the guest.
 *
 * <pre>
 *   terminal <--LineReader--> Monitor.loop --> Shell (Picocli commands) --> Machine control API
 *   guest thread: Machine.run --COM1--> GuestOutput --printAbove--> terminal
 * </pre>
 *
 * <p>On a dumb terminal (stdin not a tty, or a test's streams) the same loop reads commands line by line.
 * Thread safety: commands run on the caller's thread; the guest runs on its own; printAbove is JLine's
 * thread-safe way to write while a line is being edited.
 */
public final class Monitor {
    public static final String PROMPT = "(vmm) ";

    private final Terminal terminal;
    private final LineReader reader;
    private final GuestOutput guestOut;
    private Machine vm;
    private Shell shell;
    /** Show each command read after its prompt: input that is not typed at a terminal is not echoed by one. */
    private boolean echoInput;

    /** @param history the history file, or null for none */
    public Monitor(Terminal terminal, Path history) {
        this.terminal = terminal;
        LineReaderBuilder b = LineReaderBuilder.builder().terminal(terminal).appName("vmm")
            .parser(new DefaultParser().escapeChars(new char[0]))
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.HISTORY_IGNORE_SPACE, true);
        if (history != null) b.variable(LineReader.HISTORY_FILE, history);
        this.reader = b.build();
        this.guestOut = new GuestOutput(reader);
    }

    /** Whether each command read is shown after the prompt (for input that is not a terminal). */
    public void echoInput(boolean on) { echoInput = on; }

    /** Where the guest's serial output must go (give it to the Machine). */
    public OutputStream guestOutput() { return guestOut; }

    /** The history file: $XDG_STATE_HOME/vmm/history when XDG_STATE_HOME is set, else ~/.vmm_history. */
    public static Path defaultHistory() {
        String xdg = System.getenv("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "vmm", "history");
        return Path.of(System.getProperty("user.home"), ".vmm_history");
    }

    /** Binds the machine (whose serial output is {@link #guestOutput()}); its run thread reports through here. */
    public void attach(Machine machine) { attach(machine, null); }

    /** As {@link #attach(Machine)}, with the COM ports' host sides for {@code info console}. */
    public void attach(Machine machine, dev.vmm.console.serial.SerialBackends serial) {
        this.vm = machine;
        this.shell = new Shell(machine, terminal.writer(), serial);
        ((org.jline.reader.impl.LineReaderImpl) reader).setCompleter(new ShellCompleter(shell.spec()));
        shell.session().events = reader::printAbove;
        machine.setPauseListener(reason -> {
            guestOut.flushPartial();
            var hit = machine.lastWatchHit();
            if (hit != null && reason.equals(hit.describe())) {
                var c = machine.cpus().get(hit.cpu());
                reader.printAbove("stopped: " + reason + "; the instruction: " + Disasm.insnAt(c, hit.rip()) + "; next: " + Disasm.where(c));
                return;
            }
            reader.printAbove("stopped: " + reason + " (" + Disasm.where(machine.cpus().get(0)).replaceFirst("^cpu\\d+ at 0x[0-9a-f]+: ", "") + ")");
        });
    }

    /** Tells the shell the guest's run ended (called by the run thread). */
    public void machineEnded(ExitStatus st) {
        guestOut.flushPartial();
        reader.printAbove("machine ended: " + Session.describe(st));
    }

    /** Prints a line the way commands do. */
    public void println(String s) {
        PrintWriter w = terminal.writer();
        w.println(s);
        w.flush();
    }

    /**
     * Runs the script's lines (echoed after the prompt, as if typed), then reads commands until
     * {@code quit} or end of input. Returns when the shell should end.
     */
    public void loop(List<String> script) {
        Terminal.SignalHandler old = terminal.handle(Terminal.Signal.INT, sig -> interrupt());
        try {
            for (String line : script) {
                if (shell.quitRequested()) return;
                println(PROMPT + line);
                shell.execute(line);
            }
            while (!shell.quitRequested()) {
                String line;
                try {
                    line = reader.readLine(PROMPT);
                } catch (UserInterruptException e) {
                    interrupt();
                    continue;
                } catch (EndOfFileException e) {
                    return;
                }
                if (echoInput) println(line);
                shell.execute(line);
            }
        } finally {
            terminal.handle(Terminal.Signal.INT, old);
            try {
                reader.getHistory().save();
            } catch (IOException e) {
                println("warning: history not saved: " + e.getMessage());
            }
        }
    }

    /** Ctrl-C: stop the guest, not the shell. */
    private void interrupt() {
        if (vm.exitStatus() != null) { reader.printAbove("(the machine has ended; 'quit' leaves)"); return; }
        if (vm.isPaused()) { reader.printAbove("(the guest is stopped; 'cont' runs it, 'quit' leaves)"); return; }
        Thread.ofPlatform().daemon().name("vmm-monitor-interrupt").start(() -> {
            try {
                if (vm.pause()) {
                    guestOut.flushPartial();
                    reader.printAbove("stopped (Ctrl-C): " + Disasm.where(vm.cpus().get(0)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
