package dev.vmm.core.devices;

import java.io.BufferedOutputStream;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Sends a UART's transmitted bytes to an {@link OutputStream} (stdout, a file, a pipe).
 *
 * <p>Flush policy: bytes are buffered here and flushed (this buffer and the stream's) when a newline
 * ({@code '\n'}) is written and when the machine calls {@link #flush()}. Line output therefore appears as
 * the guest prints it, at one host write per line rather than per byte; the machine flushes the rest
 * (a prompt without a newline) when it polls input, when a vCPU halts and when the run ends.
 *
 * <p>A write error (stdout closed, a broken pipe) must not change what the guest sees, so it is recorded
 * ({@link #failure()}), and later bytes are dropped.
 *
 * <p>Thread safety: {@link #write} (the vCPU thread) and {@link #flush()} (the machine's loop or the
 * monitor) may run on different threads; both synchronise on this sink. The stream belongs to the caller.
 */
public final class OutputStreamSerialSink implements SerialSink, Flushable {

    private final OutputStream out;
    private IOException failure;

    /** @param out the host stream; not closed by this class */
    public OutputStreamSerialSink(OutputStream out) {
        this.out = new BufferedOutputStream(Objects.requireNonNull(out, "out"), 8192);
    }

    @Override
    public synchronized void write(byte b) {
        if (failure != null) return;
        try {
            out.write(b);
            if (b == '\n') out.flush();
        } catch (IOException e) {
            failure = e;
        }
    }

    /** Pushes buffered bytes to the host stream now. */
    @Override
    public synchronized void flush() {
        if (failure != null) return;
        try {
            out.flush();
        } catch (IOException e) {
            failure = e;
        }
    }

    /** The write error that stopped output, or null. */
    public synchronized IOException failure() {
        return failure;
    }
}
