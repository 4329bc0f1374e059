package dev.vmm.console.serial;

import dev.vmm.core.devices.SerialLine;
import dev.vmm.core.devices.SerialSink;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One COM port served over TCP: the {@link SerialLine} the machine's UART is given, and the state the
 * port's clients share (fanout, scrollback, input queue, statistics).
 *
 * <pre>
 *   Uart16550 --write(b)--> batch (vCPU thread) --flush(): between slices, or when full--> Fanout
 *   Uart16550 <--poll()---- GuestInput <--offer-- ConsoleClientHandler (event loops)
 * </pre>
 *
 * <p>The UART hands over every byte at once and the batch only grows in memory, so the guest's view of
 * the line (THR empty, LSR) never depends on the network. The machine flushes the batch after each
 * slice of instructions, so output reaches clients within one slice.
 *
 * <p>Thread safety: {@link #write} and {@link #flush()} synchronise on the port (the vCPU thread, or a
 * monitor thread flushing); everything else is safe from any thread.
 */
public final class ConsolePort implements SerialSink {
    /** Bytes the guest may print before the batch is published without waiting for the machine's flush. */
    static final int BATCH = 4096;

    private final String name;
    private final SerialSpec spec;
    private final ConsoleStats stats = new ConsoleStats();
    private final Fanout fanout;
    private final GuestInput input;
    private final long clientQueueBytes;
    private final CountDownLatch firstClient = new CountDownLatch(1);
    private final byte[] batch = new byte[BATCH];
    private int batched;
    private volatile InetSocketAddress localAddress;

    ConsolePort(String name, SerialSpec spec, ConsoleServer.Settings settings) {
        this.name = name;
        this.spec = spec;
        this.fanout = new Fanout(settings.scrollbackBytes());
        this.input = new GuestInput(settings.inputQueueBytes());
        // A late client's queue starts with the whole scrollback and must still take live output.
        this.clientQueueBytes = Math.max(settings.clientQueueBytes(), (long) settings.scrollbackBytes() + BATCH);
    }

    /** "COM1".."COM4". */
    public String name() { return name; }

    public SerialSpec spec() { return spec; }

    public ConsoleStats stats() { return stats; }

    /** The address the server is listening on: with port 0 in the spec, the port the system chose. */
    public InetSocketAddress localAddress() { return localAddress; }

    /** The cable to give the machine for this port. */
    public SerialLine line() { return new SerialLine(this, input); }

    /** Waits until a first client has connected. @return false on timeout */
    public boolean awaitClient(long timeout, TimeUnit unit) throws InterruptedException {
        return firstClient.await(timeout, unit);
    }

    /** Waits, without limit, until a first client has connected ({@code ,wait}). */
    public void awaitClient() throws InterruptedException {
        firstClient.await();
    }

    /** One line for {@code --stats} and the monitor: {@code COM1 tcp:127.0.0.1:4555,telnet: connections=...}. */
    public String summary() {
        InetSocketAddress a = localAddress;
        String where = a == null ? spec.toString()
                : "tcp:" + a.getHostString() + ":" + a.getPort() + (spec.telnet() ? ",telnet" : ",raw");
        return name + " " + where + ": " + stats;
    }

    @Override
    public synchronized void write(byte b) {
        batch[batched++] = b;
        if (batched == BATCH) flush();
    }

    @Override
    public synchronized void flush() {
        if (batched == 0) return;
        byte[] chunk = Arrays.copyOf(batch, batched);
        batched = 0;
        stats.guestOut.add(chunk.length);
        fanout.publish(chunk);
    }

    // ---- for the server and its handlers ------------------------------------------------------

    void bound(InetSocketAddress address) { localAddress = address; }

    Fanout fanout() { return fanout; }

    GuestInput input() { return input; }

    long clientQueueBytes() { return clientQueueBytes; }

    void clientConnected() {
        stats.connections.increment();
        stats.clients.incrementAndGet();
        firstClient.countDown();
    }

    void clientDisconnected() {
        stats.clients.decrementAndGet();
        stats.disconnections.increment();
    }
}
