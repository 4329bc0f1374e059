package dev.vmm.console.serial;

import dev.vmm.core.ExitStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static dev.vmm.console.serial.TelnetCodec.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console over real loopback sockets with the echo guest running: what one client types comes
 * back, through the guest's UART, to every client.
 */
@Tag("needs-machine")
@Timeout(60)
class ConsoleEndToEndTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final String READY = "echo: ready\r\n";

    @Test
    void twoClientsSeeTheSameOutputAndEitherCanType() throws Exception {
        try (EchoGuest g = new EchoGuest("tcp::0,raw", ConsoleServer.Settings.defaults());
             TestClient a = new TestClient(g.tcpPort(), true);
             TestClient b = new TestClient(g.tcpPort(), true)) {
            a.awaitText(READY, T);
            a.send("typed by a\r");
            b.awaitText("typed by a\r", T);
            b.send("and by b\r");
            a.awaitText("and by b\r", T);
            a.send(new byte[] {0x04});
            ExitStatus exit = g.awaitExit();
            assertEquals(ExitStatus.Kind.DEBUG_EXIT, exit.kind());
            String expect = READY + "typed by a\rand by b\r\r\necho: bye\r\n";
            a.awaitText("bye\r\n", T);
            b.awaitText("bye\r\n", T);
            assertEquals(expect, a.text());
            assertEquals(expect, b.text());
            assertEquals(2, g.port.stats().connections());
            assertEquals("typed by a\rand by b\r\u0004".length(), g.port.stats().bytesIn());
        }
    }

    @Test
    void aLateClientFirstReceivesTheScrollback() throws Exception {
        try (EchoGuest g = new EchoGuest("tcp:127.0.0.1:0,raw", ConsoleServer.Settings.defaults().withScrollback(1000));
             TestClient a = new TestClient(g.tcpPort(), true)) {
            StringBuilder typed = new StringBuilder();
            for (int i = 0; i < 200; i++) typed.append("line ").append(i).append('\n');
            a.send(typed.toString());
            byte[] seen = a.awaitBytes(READY.length() + typed.length(), T);
            assertEquals(READY + typed, new String(seen, StandardCharsets.ISO_8859_1));
            try (TestClient late = new TestClient(g.tcpPort(), true)) {
                byte[] replay = late.awaitBytes(1000, T);
                assertArrayEquals(TestClient.tail(seen, 1000), replay, "the last 1000 bytes, exactly");
                late.send("from the late one\n");
                a.awaitText("from the late one\n", T);
                late.awaitText("from the late one\n", T);
                assertEquals(new String(TestClient.tail(seen, 1000), StandardCharsets.ISO_8859_1) + "from the late one\n",
                        late.text());
            }
        }
    }

    @Test
    void aClientThatReadsNothingSlowsNeitherTheGuestNorTheOtherClient() throws Exception {
        // A queue large enough that the stalled client is never dropped during the test.
        ConsoleServer.Settings settings = ConsoleServer.Settings.defaults().withClientQueue(64 << 20);
        try (EchoGuest g = new EchoGuest("tcp::0,raw", settings); TestClient a = new TestClient(g.tcpPort(), true)) {
            a.awaitText(READY, T);
            long alone = roundTrip(a, 'a', 400_000);
            try (TestClient stalled = new TestClient(g.tcpPort(), false)) {
                long withStalled = roundTrip(a, 'b', 400_000);
                // The stalled client holds output it never read: it is far behind, yet connected.
                long guestOut = g.port.stats().guestOut();
                assertEquals(2, g.port.fanout().subscriberCount(), "the stalled client is still subscribed");
                assertTrue(g.port.stats().bytesOut() < 2 * guestOut, "the stalled client did not take everything");
                assertEquals(0, g.port.stats().slowDrops());
                assertFalse(stalled.socket.isClosed());
                // Generous: a shared 2-core machine is noisy; a guest blocked by the stalled socket would
                // not finish at all (the socket buffers hold far less than 400 KB).
                System.out.printf("echo round trip of 400000 bytes: alone %.0f ms, with a stalled client %.0f ms%n",
                        alone / 1e6, withStalled / 1e6);
                assertTrue(withStalled < 3 * alone + 2_000_000_000L,
                        "with a stalled client " + withStalled / 1e6 + " ms, alone " + alone / 1e6 + " ms");
            }
        }
    }

    /** Sends {@code n} bytes of a pattern and waits until all came back; returns the nanoseconds taken. */
    private static long roundTrip(TestClient c, char tag, int n) throws Exception {
        byte[] pattern = new byte[n];
        for (int i = 0; i < n; i++) pattern[i] = (byte) (i % 64 == 63 ? '\n' : tag + (i % 7));
        int before = c.bytes().length;
        long start = System.nanoTime();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                c.send(pattern);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        byte[] got = c.awaitBytes(before + n, T);
        long took = System.nanoTime() - start;
        writer.join();
        assertArrayEquals(pattern, Arrays.copyOfRange(got, before, got.length));
        return took;
    }

    @Test
    void telnetClientNegotiatesAndEnterReachesTheGuestAsCr() throws Exception {
        try (EchoGuest g = new EchoGuest("tcp::0", ConsoleServer.Settings.defaults());
             TestClient t = new TestClient(g.tcpPort(), true)) {
            byte[] offers = t.awaitBytes(15 + READY.length(), T);
            assertArrayEquals(TelnetCodecTest.bytes(IAC, WILL, ECHO, IAC, WILL, SGA, IAC, WILL, BINARY, IAC, DO, SGA,
                    IAC, DO, BINARY), Arrays.copyOf(offers, 15));
            t.send(TelnetCodecTest.bytes(IAC, DO, ECHO, IAC, DO, SGA, IAC, DO, BINARY, IAC, WILL, SGA, IAC, WILL, BINARY,
                    IAC, WILL, 31, 'l', 's', '\r', 0, 0xFF, 0xFF, '\r', '\n'));
            // The guest sees "ls\r\xff\r" and echoes it; the server escapes the 0xFF and refuses NAWS.
            byte[] expect = TelnetCodecTest.bytes(IAC, DONT, 31, 'l', 's', '\r', 0xFF, 0xFF, '\r');
            byte[] all = t.awaitBytes(15 + READY.length() + expect.length, T);
            assertArrayEquals(expect, Arrays.copyOfRange(all, 15 + READY.length(), all.length));
            assertEquals(5, g.port.stats().bytesIn());
        }
    }
}
