package dev.vmm.console.serial;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.fail;

/** A console client over a real loopback socket, with a reader thread collecting everything received. */
final class TestClient implements AutoCloseable {
    final Socket socket;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final Thread reader;
    private volatile boolean ended;

    /** Connects; with {@code read} false nothing is ever read (a stalled client). */
    TestClient(int port, boolean read) throws IOException {
        socket = new Socket();
        if (!read) socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        reader = read ? Thread.ofPlatform().daemon().name("test-client-reader").start(this::readLoop) : null;
    }

    private void readLoop() {
        byte[] buf = new byte[16384];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                synchronized (received) {
                    received.write(buf, 0, n);
                    received.notifyAll();
                }
            }
        } catch (IOException e) {
            // closed
        } finally {
            ended = true;
            synchronized (received) { received.notifyAll(); }
        }
    }

    byte[] bytes() {
        synchronized (received) { return received.toByteArray(); }
    }

    String text() { return new String(bytes(), StandardCharsets.ISO_8859_1); }

    void send(String s) throws IOException { send(s.getBytes(StandardCharsets.ISO_8859_1)); }

    void send(byte[] b) throws IOException {
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
    }

    /** Waits until at least {@code n} bytes arrived. */
    byte[] awaitBytes(int n, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (received.size() < n) {
                long left = end - System.nanoTime();
                if (left <= 0 || ended) fail("received " + received.size() + " of " + n + " bytes: "
                        + abbreviate(new String(received.toByteArray(), StandardCharsets.ISO_8859_1)));
                received.wait(Math.max(1, left / 1_000_000));
            }
            return received.toByteArray();
        }
    }

    /** Waits until the text received contains {@code s}. */
    String awaitText(String s, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                String t = new String(received.toByteArray(), StandardCharsets.ISO_8859_1);
                if (t.contains(s)) return t;
                long left = end - System.nanoTime();
                if (left <= 0 || ended) fail("never received \"" + s + "\"; got: " + abbreviate(t));
                received.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    boolean ended() { return ended; }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 150) + " ... " + s.substring(s.length() - 150);
    }

    static byte[] tail(byte[] b, int n) { return Arrays.copyOfRange(b, Math.max(0, b.length - n), b.length); }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
