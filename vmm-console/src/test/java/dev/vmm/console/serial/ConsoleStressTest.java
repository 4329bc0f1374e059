package dev.vmm.console.serial;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vmm.console.serial.TelnetCodec.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 200 clients come and go (read a little, send telnet commands and half commands, reset the
 * connection) while a feeder keeps the echo guest printing; a client that keeps up from the start
 * must receive every byte, and the server must end with no thread left behind.
 */
@Tag("needs-machine")
@Timeout(90)
class ConsoleStressTest {
    private static final int CHURN_CLIENTS = 200;
    private static final int FEED_BYTES = 600_000;
    private static final int OFFERS = 15;   // the telnet negotiation bytes every client gets first

    @Test
    void churningClientsCostAKeeperNothingAndTheServerEndsCleanly() throws Exception {
        byte[] feed = new byte[FEED_BYTES];
        for (int i = 0; i < FEED_BYTES; i++) feed[i] = (byte) (i % 80 == 79 ? '\n' : '0' + (i / 80) % 10 + (i % 7));
        int ready = "echo: ready\r\n".length();   // the guest's CR goes out as CR NUL: BINARY is never agreed
        EchoGuest g = new EchoGuest("tcp::0", ConsoleServer.Settings.defaults());
        try (TestClient keeper = new TestClient(g.tcpPort(), true)) {
            keeper.awaitText("ready", Duration.ofSeconds(20));
            int start = keeper.bytes().length;
            AtomicInteger churned = new AtomicInteger();
            List<Thread> churners = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                churners.add(Thread.ofPlatform().name("churn-" + t).start(() -> churn(g.tcpPort(), seed, churned)));
            }
            try (TestClient feeder = new TestClient(g.tcpPort(), true)) {
                for (int off = 0; off < FEED_BYTES; off += 8192) {
                    feeder.send(Arrays.copyOfRange(feed, off, Math.min(FEED_BYTES, off + 8192)));
                }
                byte[] got = keeper.awaitBytes(start + FEED_BYTES, Duration.ofSeconds(60));
                for (Thread t : churners) t.join();
                assertArrayEquals(feed, Arrays.copyOfRange(got, start, start + FEED_BYTES), "the keeper lost or gained bytes");
                feeder.send(new byte[] {0x04});
                g.awaitExit();
            }
            assertEquals(CHURN_CLIENTS, churned.get());
            assertTrue(start >= OFFERS + ready);
        } finally {
            g.close();
        }
        ConsoleStats s = g.port.stats();
        System.out.println("stress: " + g.port.summary());
        assertEquals(CHURN_CLIENTS + 2, s.connections());
        assertEquals(0, s.clients());
        assertEquals(CHURN_CLIENTS + 2, s.disconnections());
        assertEquals(FEED_BYTES + 1, s.bytesIn(), "only the feeder's bytes reached the guest: commands were stripped");
        assertTrue(s.telnetCommands() > 0);
        // No event loop thread survives the server.
        for (int i = 0; i < 50 && consoleThreads() > 0; i++) Thread.sleep(100);
        assertEquals(0, consoleThreads(), "vmm-console threads still alive after close");
    }

    private static long consoleThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("vmm-console") && t.isAlive()).count();
    }

    /** Reads until the server's answer to IAC AYT, proof that the commands before it were taken. */
    private static void awaitAytAnswer(Socket s) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[65536];
        while (true) {
            int n = s.getInputStream().read(buf);
            if (n < 0) throw new java.io.EOFException("closed before the AYT answer");
            sb.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
            if (sb.indexOf("[vmm: yes]") >= 0) return;
            if (sb.length() > 20) sb.delete(0, sb.length() - 20);
        }
    }

    /** One churner thread: its share of the 200 clients, each doing one kind of mischief. */
    private static void churn(int port, long seed, AtomicInteger done) {
        Random r = new Random(seed);
        byte[] commands = TelnetCodecTest.bytes(IAC, NOP, IAC, DO, 31, IAC, WILL, 24, IAC, SB, 31, 0, 80, IAC, IAC,
                0, 24, IAC, SE, IAC, AYT, IAC, DONT, ECHO, IAC, DO, ECHO);
        for (int i = 0; i < CHURN_CLIENTS / 8; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(5000);
                switch (r.nextInt(4)) {
                    case 0 -> s.getInputStream().read(new byte[r.nextInt(1, 4096)]);   // read a little, leave
                    case 1 -> {                                                     // commands only, stripped
                        s.getOutputStream().write(commands);
                        awaitAytAnswer(s);
                    }
                    case 2 -> s.getOutputStream().write(new byte[] {(byte) IAC});   // half a command, then gone
                    default -> s.setSoLinger(true, 0);                              // reset instead of FIN
                }
                Thread.sleep(r.nextInt(5));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            done.incrementAndGet();
        }
    }
}
