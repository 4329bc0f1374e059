package dev.vmm.console.serial;

import dev.vmm.core.devices.InputStreamSerialSource;
import dev.vmm.core.devices.OutputStreamSerialSink;
import dev.vmm.core.devices.SerialLine;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The host sides of a machine's COM ports, opened from their specs: the {@link SerialLine}s to build
 * the machine with, the console server behind the tcp ones, and the stdio reader. Closing it stops the
 * server (every client, every event loop thread) and the stdin reader.
 *
 * <p>Thread safety: open and close on one thread; {@link #summary()} from any.
 */
public final class SerialBackends implements AutoCloseable {
    private final List<SerialLine> lines;
    private final List<SerialSpec> specs;
    private final List<ConsolePort> waiting;
    private final ConsoleServer server;          // null without tcp ports
    private final InputStreamSerialSource stdinSource;
    private final PrintWriter err;

    private SerialBackends(List<SerialLine> lines, List<SerialSpec> specs, List<ConsolePort> waiting, ConsoleServer server,
                           InputStreamSerialSource stdinSource, PrintWriter err) {
        this.lines = lines;
        this.specs = specs;
        this.waiting = waiting;
        this.server = server;
        this.stdinSource = stdinSource;
        this.err = err;
    }

    /**
     * Opens every spec's host side, COM1 first; prints each server's address on {@code err}.
     *
     * @throws ConsoleException when a server cannot listen (everything opened so far is closed)
     */
    public static SerialBackends open(List<SerialSpec> specs, ConsoleServer.Settings settings,
                                      InputStream stdin, OutputStream stdout, PrintWriter err) {
        List<SerialLine> lines = new ArrayList<>();
        List<ConsolePort> waiting = new ArrayList<>();
        ConsoleServer server = null;
        InputStreamSerialSource stdinSource = null;
        try {
            for (int i = 0; i < specs.size(); i++) {
                SerialSpec spec = specs.get(i);
                String name = "COM" + (i + 1);
                switch (spec.kind()) {
                    case STDIO -> {
                        stdinSource = new InputStreamSerialSource(stdin);
                        lines.add(new SerialLine(new OutputStreamSerialSink(stdout), stdinSource));
                    }
                    case NONE -> lines.add(SerialLine.DISCONNECTED);
                    case TCP -> {
                        if (server == null) server = new ConsoleServer(settings);
                        ConsolePort port = server.listen(name, spec);
                        InetSocketAddress a = port.localAddress();
                        String where = ConsoleServer.hostPort(a.getAddress().getHostAddress(), a.getPort());
                        err.println("vmm: " + name + ": " + (spec.telnet() ? "telnet" : "raw") + " console on " + where
                                + (spec.waitForClient() ? " (the guest waits for the first client)" : ""));
                        if (!a.getAddress().isLoopbackAddress()) {
                            err.println("vmm: warning: " + name + " console on " + where
                                    + " is reachable from other hosts and asks for no password");
                        }
                        if (spec.waitForClient()) waiting.add(port);
                        lines.add(port.line());
                    }
                }
            }
            err.flush();
        } catch (RuntimeException e) {
            if (server != null) server.close();
            if (stdinSource != null) stdinSource.close();
            throw e;
        }
        return new SerialBackends(List.copyOf(lines), List.copyOf(specs), waiting, server, stdinSource, err);
    }

    /** The lines for {@code new Machine(config, lines)}, COM1 first. */
    public List<SerialLine> lines() { return lines; }

    /** The specs the lines were opened from, COM1 first. */
    public List<SerialSpec> specs() { return specs; }

    /** The console server, or null when no port is tcp. */
    public ConsoleServer server() { return server; }

    /** Blocks until every {@code ,wait} port has had a client. */
    public void awaitClients() throws InterruptedException {
        for (ConsolePort p : waiting) {
            err.println("vmm: " + p.name() + ": waiting for a client on "
                    + ConsoleServer.hostPort(p.localAddress().getAddress().getHostAddress(), p.localAddress().getPort()));
            err.flush();
            p.awaitClient();
        }
    }

    /** The console statistics, one line per tcp port; empty without any. */
    public String summary() {
        return server == null ? "" : server.summary();
    }

    @Override
    public void close() {
        if (server != null) server.close();
        if (stdinSource != null) stdinSource.close();
    }
}
