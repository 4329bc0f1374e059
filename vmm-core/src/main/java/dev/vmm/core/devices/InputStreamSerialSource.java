package dev.vmm.core.devices;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Feeds a UART's receiver from a blocking {@link InputStream} (stdin, a pipe): a daemon reader thread
 * moves bytes into a bounded queue, and {@link #poll()} takes them without ever blocking the vCPU.
 *
 * <pre>
 *   InputStream --read()--> [reader thread] --put()--> queue (bounded) --poll()--> Uart16550 RX FIFO
 *                                                  \--> onInput.run()   (wake a halted vCPU)
 * </pre>
 *
 * <p>The queue is the only buffer between host and guest. When it is full the reader blocks, so input is
 * never dropped here: it waits in the host stream until the guest drains its FIFO (a guest that never
 * reads just leaves it there). At end of stream or on a read error the thread ends; {@link #poll()} then
 * returns what was queued and -1 after that.
 *
 * <p>Thread safety: {@link #poll()} may be called from any one thread while the reader runs. The stream
 * belongs to the caller: {@link #close()} stops the thread but does not close the stream. A thread blocked
 * reading {@code System.in} cannot be interrupted; it is a daemon, so it does not keep the JVM alive.
 */
public final class InputStreamSerialSource implements SerialSource, AutoCloseable {

    public static final int DEFAULT_CAPACITY = 4096;

    private final InputStream in;
    private final ArrayBlockingQueue<Byte> queue;  // Byte.valueOf is cached: no allocation per byte
    private final Runnable onInput;
    private final Thread reader;
    private volatile boolean ended;
    private volatile IOException failure;

    /** Reads {@code in} with a {@value #DEFAULT_CAPACITY}-byte queue and no wake-up hook. */
    public InputStreamSerialSource(InputStream in) {
        this(in, DEFAULT_CAPACITY, null);
    }

    /**
     * Starts the reader thread.
     *
     * @param in       the host stream; not closed by this class
     * @param capacity bytes the queue holds before the reader waits
     * @param onInput  run on the reader thread after bytes were queued (e.g. to wake a vCPU halted in
     *                 HLT so the machine polls the UART), or null
     */
    public InputStreamSerialSource(InputStream in, int capacity, Runnable onInput) {
        this.in = Objects.requireNonNull(in, "in");
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.onInput = onInput == null ? () -> { } : onInput;
        this.reader = Thread.ofPlatform().daemon().name("serial-input").unstarted(this::readLoop);
        reader.start();
    }

    private void readLoop() {
        byte[] buf = new byte[256];
        try {
            while (!Thread.currentThread().isInterrupted()) {
                int n = in.read(buf);
                if (n < 0) break;
                for (int i = 0; i < n; i++) queue.put(buf[i]);
                if (n > 0) onInput.run();
            }
        } catch (InterruptedException | java.io.InterruptedIOException e) {
            // close(): just stop
        } catch (IOException e) {
            failure = e;
        } finally {
            ended = true;
        }
    }

    @Override
    public int poll() {
        Byte b = queue.poll();
        return b == null ? -1 : b & 0xFF;
    }

    /** Bytes waiting in the queue. */
    public int queued() {
        return queue.size();
    }

    /** True once the stream has ended (or failed, or {@link #close()} was called) and the queue is empty. */
    public boolean exhausted() {
        return ended && queue.isEmpty();
    }

    /** The read error that ended the reader, or null. */
    public IOException failure() {
        return failure;
    }

    /** Stops the reader thread (without closing the stream) and waits briefly for it. */
    @Override
    public void close() {
        reader.interrupt();
        try {
            reader.join(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
