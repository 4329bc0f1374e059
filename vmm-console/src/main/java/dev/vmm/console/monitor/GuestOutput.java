package dev.vmm.console.monitor;

import org.jline.reader.LineReader;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The guest's serial output shown above the monitor's prompt: bytes are collected into lines and each
 * complete line goes through {@link LineReader#printAbove}, which redraws the prompt and the half-typed
 * command under it. A partial line waits for its newline (or for {@link #flushPartial}, when the guest
 * stops), so a line is never split by the prompt.
 */
final class GuestOutput extends OutputStream {
    private final LineReader reader;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    GuestOutput(LineReader reader) { this.reader = reader; }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') emit();
        else if (b != '\r') line.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) write(b[off + i]);
    }

    /** Shows a pending partial line (the guest stopped mid-line). */
    synchronized void flushPartial() {
        if (line.size() > 0) emit();
    }

    private void emit() {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        reader.printAbove(s);
    }
}
