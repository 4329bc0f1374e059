package dev.vmm.console.monitor;

import dev.vmm.console.serial.SerialBackends;
import dev.vmm.core.ExitStatus;
import dev.vmm.core.Machine;
import dev.vmm.core.MachineConfig;
import dev.vmm.core.boot.ImageException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code vmm run IMAGE --monitor stdio}: builds the machine with its serial output above the monitor's
 * prompt, runs the guest on its own thread and the shell on the caller's.
 */
public final class MonitorLauncher {
    private MonitorLauncher() { }

    /** A terminal on the process's stdio (a dumb one when stdin is not a tty), or on given streams. */
    public static Terminal terminal(InputStream in, OutputStream out, boolean system) throws IOException {
        if (system) return TerminalBuilder.builder().system(true).dumb(true).name("vmm").build();
        Terminal t = new org.jline.terminal.impl.DumbTerminal("vmm", Terminal.TYPE_DUMB, in, out, java.nio.charset.StandardCharsets.UTF_8);
        t.echo(false);   // the reader shows each line after the prompt; a second echo would double it
        return t;
    }

    /**
     * Runs an image under the monitor; returns the guest's exit status when it ended, else
     * {@link Machine#EXIT_STOPPED} (the shell quit a live guest).
     *
     * @param script commands to run first (from --monitor-script), may be empty
     * @param paused start with the vCPUs stopped before the first instruction
     */
    public static int run(Terminal terminal, Path history, MachineConfig config, String name, byte[] image,
                          List<String> script, boolean paused) throws ImageException, IOException {
        return run(terminal, history, config, null, name, image, script, paused);
    }

    /**
     * As above, with the COM ports opened by {@code serial} ({@code --serial}): it gets the stream that
     * prints above the prompt, for a {@code stdio} port, and returns the ports' host sides (closed when
     * the shell ends). Null: COM1 prints above the prompt, no other port.
     */
    public static int run(Terminal terminal, Path history, MachineConfig config, Function<OutputStream, SerialBackends> serial,
                          String name, byte[] image, List<String> script, boolean paused) throws ImageException, IOException {
        Monitor monitor = new Monitor(terminal, history);
        monitor.echoInput(Terminal.TYPE_DUMB.equals(terminal.getType()) && (System.console() == null || !System.console().isTerminal()));
        SerialBackends ports = serial == null ? null : serial.apply(monitor.guestOutput());
        try (AutoCloseable closePorts = ports == null ? () -> { } : ports;
             Machine vm = ports == null ? new Machine(config, monitor.guestOutput(), null) : new Machine(config, ports.lines())) {
            vm.loadMultiboot(name, image);
            monitor.attach(vm, ports);
            if (paused) vm.startPaused();
            CompletableFuture<ExitStatus> guest = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().name("vmm-guest").daemon().start(() -> {
                try {
                    if (ports != null) ports.awaitClients();   // a ,wait port holds the guest, not the shell
                    ExitStatus st = vm.run();
                    guest.complete(st);
                    monitor.machineEnded(st);
                } catch (Throwable e) {
                    guest.completeExceptionally(e);
                    monitor.println("internal error in the guest thread: " + e + " (a bug in vmm)");
                }
            });
            if (paused) {
                try {
                    if (vm.pause()) monitor.println("stopped: " + Disasm.where(vm.cpus().get(0)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            monitor.loop(script);
            vm.stop();
            try {
                ExitStatus st = guest.get(30, TimeUnit.SECONDS);
                t.join(1000);
                return st.exitCode();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Machine.EXIT_STOPPED;
            } catch (ExecutionException | TimeoutException e) {
                monitor.println("internal error: the guest thread did not end: " + e);
                return 70;
            }
        } catch (ImageException | IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            terminal.flush();
        }
    }

    /** The lines of a --monitor-script file. */
    public static List<String> script(Path file) throws IOException {
        if (file == null) return List.of();
        return Files.readAllLines(file);
    }
}
