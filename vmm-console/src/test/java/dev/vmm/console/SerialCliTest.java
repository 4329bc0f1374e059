package dev.vmm.console;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code vmm run --serial ...} end to end: usage errors, and a console client driving the echo guest. */
class SerialCliTest {

    @Test
    void badSerialSpecsAreOneLineUsageErrors() {
        for (String[] args : new String[][] {
                {"--serial", "tcp::99999"},
                {"--serial", "tcp::1,bogus"},
                {"--serial", "stdio", "--serial", "stdio"},
                {"--serial", "none", "--serial", "none", "--serial", "none", "--serial", "none", "--serial", "none"},
                {"--serial", "tcp::4555", "--serial", "tcp:127.0.0.1:4555,raw"},
                {"--scrollback", "12Q"},
        }) {
            String[] full = new String[args.length + 2];
            full[0] = "run";
            System.arraycopy(args, 0, full, 1, args.length);
            full[full.length - 1] = "hello";
            CliTest.Outcome o = CliTest.vmm(full);
            assertEquals(2, o.status(), String.join(" ", args) + ": " + o.err());
            assertTrue(o.errLines().get(0).startsWith("vmm: "), o.err());
            assertTrue(o.errLines().size() <= 2, "one line (and the --help hint): " + o.err());
            assertTrue(!o.err().contains("Exception"), o.err());
        }
    }

    @Test
    void aPortInUseIsAUsageError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliTest.Outcome o = CliTest.vmm("run", "--serial", "tcp::" + taken.getLocalPort(), "hello");
            assertEquals(2, o.status(), o.err());
            assertTrue(o.err().contains("COM1: cannot listen on 127.0.0.1:" + taken.getLocalPort()), o.err());
        }
    }

    @Tag("needs-machine")
    @Test
    @Timeout(60)
    void waitHoldsTheGuestUntilAClientConnectsAndStatsShowTheConsole() throws Exception {
        assumeTrue(MachineAvailable.works() && MachineAvailable.hasImage("echo"));
        PipedLines err = new PipedLines();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Vmm.execute(
                new Stdio(new ByteArrayInputStream(new byte[0]), out, err),
                "run", "echo", "--serial", "tcp::0,raw,wait", "--serial", "none", "--stats"));
        Matcher m = err.await(Pattern.compile("COM1: raw console on 127\\.0\\.0\\.1:(\\d+) "));
        err.await(Pattern.compile("COM1: waiting for a client"));
        Thread.sleep(300);
        assertTrue(!run.isDone(), "the guest waits for the first client");
        try (Socket s = new Socket("127.0.0.1", Integer.parseInt(m.group(1)))) {
            InputStream in = s.getInputStream();
            s.getOutputStream().write("hi\u0004".getBytes(StandardCharsets.ISO_8859_1));
            String got = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertEquals("echo: ready\r\nhi\r\necho: bye\r\n", got, "the whole session, then the server closed");
        }
        assertEquals(1, run.get(30, TimeUnit.SECONDS), "debug exit with 0: (0 << 1) | 1");
        String stats = err.text();
        assertTrue(stats.contains("stopped: DEBUG_EXIT, exit status 1"), stats);
        assertTrue(Pattern.compile("COM1 tcp:127\\.0\\.0\\.1:\\d+,raw: connections=1 clients=\\d disconnections=\\d "
                + "slow-drops=0 errors=0 bytes-in=3 guest-out=28 bytes-out=28 ").matcher(stats).find(), stats);
        assertEquals("", out.toString(), "nothing on stdout: COM1 is the socket");
    }

    /** Collects what the command writes to stderr and lets the test wait for a line. */
    static final class PipedLines extends OutputStream {
        private final StringBuilder text = new StringBuilder();

        @Override
        public synchronized void write(int b) {
            text.append((char) b);
            notifyAll();
        }

        synchronized Matcher await(Pattern p) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                Matcher m = p.matcher(text);
                if (m.find()) return m;
                long left = end - System.nanoTime();
                if (left <= 0) throw new AssertionError("no " + p + " in: " + text);
                wait(Math.max(1, left / 1_000_000));
            }
        }

        synchronized String text() { return text.toString(); }
    }
}
