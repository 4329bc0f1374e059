package dev.vmm.console.serial;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.vmm.console.serial.TelnetCodecTest.sent;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ConsoleClientHandler and the port's fanout through EmbeddedChannel: every client gets every byte,
 * a late client gets the scrollback first, a client that falls too far behind is dropped alone, and
 * input reaches the guest's queue with flow control.
 */
class ConsoleClientHandlerTest {
    private static final SerialSpec RAW = SerialSpec.parse("tcp::0,raw");

    static ConsolePort port(int scrollback, long clientQueue, int inputQueue) {
        return new ConsolePort("COM1", RAW, new ConsoleServer.Settings(scrollback, clientQueue, inputQueue));
    }

    static EmbeddedChannel client(ConsolePort port) {
        return new EmbeddedChannel(new ConsoleClientHandler(port));
    }

    static void guestPrints(ConsolePort port, String s) {
        for (byte b : s.getBytes(StandardCharsets.ISO_8859_1)) port.write(b);
        port.flush();
    }

    static String output(EmbeddedChannel ch) {
        ch.runPendingTasks();
        return new String(sent(ch), StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyClientSeesEveryByte() {
        ConsolePort port = port(64, 1 << 20, 1024);
        EmbeddedChannel a = client(port), b = client(port);
        guestPrints(port, "one ");
        assertEquals("one ", output(a));
        guestPrints(port, "two");
        assertEquals("two", output(a));
        assertEquals("one two", output(b), "b drained later and still has everything in order");
        assertEquals(2, port.stats().clients());
        assertEquals(7, port.stats().guestOut());
        assertEquals(14, port.stats().bytesOut());
    }

    @Test
    void aLateClientStartsWithTheScrollbackThenLiveOutput() {
        ConsolePort port = port(8, 1 << 20, 1024);
        guestPrints(port, "boot messages\r\nlogin: ");
        EmbeddedChannel late = client(port);
        guestPrints(port, "root");
        assertEquals("\nlogin: root", output(late), "the last 8 bytes, then what followed, nothing twice");
    }

    @Test
    void scrollbackLargerThanOneBatchIsReplayedWhole() {
        ConsolePort port = port(64 << 10, 1 << 20, 1024);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) sb.append((char) ('a' + i % 26));
        guestPrints(port, sb.toString());
        assertEquals(sb.toString(), output(client(port)));
    }

    @Test
    void aClientTooFarBehindIsDroppedWithAMessageAndTheOthersLoseNothing() {
        ConsolePort port = port(16, 1, 1024);   // raised to scrollback + one batch = 4112 bytes
        EmbeddedChannel slow = client(port), fast = client(port);
        StringBuilder all = new StringBuilder();
        StringBuilder fastGot = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            String chunk = ("line " + i + " ").repeat(100);
            all.append(chunk);
            guestPrints(port, chunk);
            fastGot.append(output(fast));     // fast drains after every chunk; slow never runs its loop
        }
        assertEquals(all.toString(), fastGot.toString());
        String farewell = output(slow);
        assertTrue(farewell.contains("disconnected: this client fell more than 4112 bytes behind"), farewell);
        assertFalse(farewell.contains("line 0"), "the overflowed queue was discarded, not half-sent: " + farewell);
        assertFalse(slow.isOpen());
        assertTrue(fast.isActive());
        assertEquals(1, port.stats().slowDrops());
        assertEquals(1, port.stats().disconnections());
        assertEquals(1, port.stats().clients());
        guestPrints(port, "after");
        assertEquals("after", output(fast));
    }

    @Test
    void inputGoesToTheGuestAndAFullQueuePausesTheClientUntilDrained() {
        ConsolePort port = port(16, 1 << 20, 8);
        EmbeddedChannel a = client(port);
        a.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer("abc".getBytes()));
        assertTrue(a.config().isAutoRead());
        a.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer("defghij".getBytes()));
        assertFalse(a.config().isAutoRead(), "10 bytes waiting >= capacity 8: stop reading this client");
        assertEquals(1, port.stats().inputPauses());
        StringBuilder guest = new StringBuilder();
        for (int i = 0; i < 5; i++) guest.append((char) port.input().poll());
        assertEquals("abcde", guest.toString());
        a.runPendingTasks();
        assertFalse(a.config().isAutoRead(), "5 left: more than half the capacity");
        guest.append((char) port.input().poll());
        a.runPendingTasks();
        assertTrue(a.config().isAutoRead(), "4 left: resumed");
        for (int b; (b = port.input().poll()) >= 0; ) guest.append((char) b);
        assertEquals("abcdefghij", guest.toString());
        assertEquals(10, port.stats().bytesIn());
    }

    @Test
    void inputFromSeveralClientsInterleavesByRead() {
        ConsolePort port = port(16, 1 << 20, 1024);
        EmbeddedChannel a = client(port), b = client(port);
        a.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer("aa".getBytes()));
        b.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer("bb".getBytes()));
        a.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer("AA".getBytes()));
        StringBuilder guest = new StringBuilder();
        for (int x; (x = port.input().poll()) >= 0; ) guest.append((char) x);
        assertEquals("aabbAA", guest.toString());
    }

    @Test
    void aClientThatGoesAwayIsForgotten() {
        ConsolePort port = port(16, 1 << 20, 1024);
        EmbeddedChannel a = client(port), b = client(port);
        a.close();
        guestPrints(port, "x");
        assertEquals("x", output(b));
        assertEquals(1, port.fanout().subscriberCount());
        assertEquals(2, port.stats().connections());
        assertEquals(1, port.stats().disconnections());
        assertEquals(0, port.stats().slowDrops());
    }

    @Test
    void anExceptionClosesOnlyThatClientAndIsCounted() {
        ConsolePort port = port(16, 1 << 20, 1024);
        EmbeddedChannel a = client(port), b = client(port);
        a.pipeline().fireExceptionCaught(new java.io.IOException("Connection reset by peer"));
        assertFalse(a.isOpen());
        assertTrue(b.isActive());
        assertEquals(1, port.stats().errors());
        guestPrints(port, "still here");
        assertEquals("still here", output(b));
    }

    @Test
    void throughTelnetTheGuestOutputIsEscapedAfterTheNegotiation() {
        ConsolePort port = new ConsolePort("COM1", SerialSpec.parse("tcp::0"), ConsoleServer.Settings.defaults());
        guestPrints(port, "\u00ffhi");
        EmbeddedChannel t = new EmbeddedChannel(new TelnetCodec(port.stats()), new ConsoleClientHandler(port));
        t.runPendingTasks();
        byte[] wire = sent(t);
        assertEquals(19, wire.length, "the five offers (15 bytes), then the scrollback");
        byte[] rest = java.util.Arrays.copyOfRange(wire, 15, 19);
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFF, 'h', 'i'}, rest, "0xFF escaped as IAC IAC");
    }
}
