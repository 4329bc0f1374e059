package dev.vmm.console.serial;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static dev.vmm.console.serial.TelnetCodec.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TelnetCodec through Netty's EmbeddedChannel: negotiation, command stripping, CR handling, IAC escaping. */
class TelnetCodecTest {
    private static final int NAWS = 31, TTYPE = 24, LINEMODE = 34;

    private ConsoleStats stats;
    private TelnetCodec codec;
    private EmbeddedChannel ch;

    @BeforeEach
    void connect() {
        stats = new ConsoleStats();
        codec = new TelnetCodec(stats);
        ch = new EmbeddedChannel(codec);
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    /** Everything the codec sent towards the socket since the last call. */
    static byte[] sent(EmbeddedChannel ch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            b.release();
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    /** Everything the codec passed on towards the guest since the last call. */
    static byte[] received(EmbeddedChannel ch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b; (b = ch.readInbound()) != null; ) {
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            b.release();
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    private void clientSends(int... v) {
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(v)));
    }

    /** What a typical client (netkit telnet) answers to the offer: agree to everything. */
    private void clientAgrees() {
        clientSends(IAC, DO, ECHO, IAC, DO, SGA, IAC, DO, BINARY, IAC, WILL, SGA, IAC, WILL, BINARY);
    }

    @Test
    void offersCharacterModeAndBinaryOnConnect() {
        assertArrayEquals(bytes(IAC, WILL, ECHO, IAC, WILL, SGA, IAC, WILL, BINARY, IAC, DO, SGA, IAC, DO, BINARY), sent(ch));
        clientAgrees();
        assertArrayEquals(new byte[0], sent(ch), "answers to our own requests are not answered again");
        assertTrue(codec.localEnabled(ECHO));
        assertTrue(codec.localEnabled(SGA));
        assertTrue(codec.localEnabled(BINARY));
        assertTrue(codec.remoteEnabled(BINARY));
        assertTrue(codec.remoteEnabled(SGA));
        assertArrayEquals(new byte[0], received(ch), "negotiation is not data");
        assertEquals(5, stats.telnetCommands());
    }

    @Test
    void refusesOptionsItDoesNotSupportAndNeverLoops() {
        sent(ch);
        clientAgrees();
        clientSends(IAC, WILL, NAWS, IAC, WILL, TTYPE, IAC, DO, LINEMODE);
        assertArrayEquals(bytes(IAC, DONT, NAWS, IAC, DONT, TTYPE, IAC, WONT, LINEMODE), sent(ch));
        // A request for the state an option is already in is not answered (RFC 1143).
        clientSends(IAC, DO, ECHO, IAC, WILL, BINARY, IAC, WONT, NAWS);
        assertArrayEquals(new byte[0], sent(ch));
        // Turning an enabled option off is acknowledged once; it can be turned on again.
        clientSends(IAC, DONT, ECHO);
        assertArrayEquals(bytes(IAC, WONT, ECHO), sent(ch));
        assertFalse(codec.localEnabled(ECHO));
        clientSends(IAC, DONT, ECHO);
        assertArrayEquals(new byte[0], sent(ch));
        clientSends(IAC, DO, ECHO);
        assertArrayEquals(bytes(IAC, WILL, ECHO), sent(ch));
        clientSends(IAC, WONT, BINARY);
        assertArrayEquals(bytes(IAC, DONT, BINARY), sent(ch));
    }

    @Test
    void clientRefusalEndsThePendingRequestWithoutAReply() {
        sent(ch);
        clientSends(IAC, DONT, ECHO, IAC, WONT, BINARY);
        assertArrayEquals(new byte[0], sent(ch));
        assertFalse(codec.localEnabled(ECHO));
        assertFalse(codec.remoteEnabled(BINARY));
    }

    @Test
    void enterArrivesAsCarriageReturn() {
        clientAgrees();
        clientSends('l', 's', '\r', 0, 'p', 'w', 'd', '\r', '\n', 'x', '\r', 'y', '\n');
        assertArrayEquals("ls\rpwd\rx\ry\n".getBytes(), received(ch));
    }

    @Test
    void crAndItsNulMaySitInDifferentReads() {
        clientSends('a', '\r');
        clientSends(0, 'b', '\r');
        clientSends('\n');
        assertArrayEquals("a\rb\r".getBytes(), received(ch));
    }

    @Test
    void iacIacIsOneDataByteAndCommandsAreStripped() {
        clientSends('a', IAC, IAC, 'b', IAC, NOP, 'c', IAC, GA, IAC, DM, IAC, BRK, 'd');
        assertArrayEquals(bytes('a', 0xFF, 'b', 'c', 'd'), received(ch));
    }

    @Test
    void subnegotiationIsSkippedEvenWithEscapedIacInside() {
        sent(ch);
        clientSends('a', IAC, SB, NAWS, 0, 80, IAC, IAC, 24, IAC, SE, 'b');
        assertArrayEquals(bytes('a', 'b'), received(ch));
        assertArrayEquals(new byte[0], sent(ch));
    }

    @Test
    void commandsSplitAcrossReadsAreStillRecognised() {
        sent(ch);
        clientSends('x', IAC);
        clientSends(WILL);
        clientSends(NAWS, 'y', IAC);
        clientSends(IAC);
        assertArrayEquals(bytes('x', 'y', 0xFF), received(ch));
        assertArrayEquals(bytes(IAC, DONT, NAWS), sent(ch));
    }

    @Test
    void interruptProcessIsCtrlCAndAreYouThereIsAnswered() {
        sent(ch);
        clientSends('a', IAC, IP, IAC, AYT);
        assertArrayEquals(bytes('a', 3), received(ch));
        assertEquals("\r\n[vmm: yes]\r\n", new String(sent(ch)));
    }

    @Test
    void outputEscapesIacInBinaryMode() {
        clientAgrees();
        sent(ch);
        ch.writeOutbound(Unpooled.wrappedBuffer(bytes('a', 0xFF, '\r', 'b', 0xFF, 0xFF)));
        assertArrayEquals(bytes('a', IAC, IAC, '\r', 'b', IAC, IAC, IAC, IAC), sent(ch));
        ch.writeOutbound(Unpooled.wrappedBuffer("plain\r\n".getBytes()));
        assertArrayEquals("plain\r\n".getBytes(), sent(ch));
    }

    @Test
    void withoutBinaryABareCrIsSentAsCrNul() {
        clientSends(IAC, DONT, BINARY);
        sent(ch);
        ch.writeOutbound(Unpooled.wrappedBuffer("a\rb\r\nc\r".getBytes()));
        assertArrayEquals(bytes('a', '\r', 0, 'b', '\r', '\n', 'c', '\r', 0), sent(ch));
    }

    @Test
    void everyByteValueSurvivesARoundTrip() {
        clientAgrees();
        sent(ch);
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) all[i] = (byte) i;
        ch.writeOutbound(Unpooled.wrappedBuffer(all));
        byte[] wire = sent(ch);
        assertEquals(257, wire.length, "one extra byte: the escaped IAC");
        // Decoded by a second codec (a peer speaking the same protocol) the bytes come back unchanged:
        // the CR here is followed by 14, not by NUL or LF, so nothing after it is dropped.
        EmbeddedChannel back = new EmbeddedChannel(new TelnetCodec(new ConsoleStats()));
        back.writeInbound(Unpooled.wrappedBuffer(wire));
        assertArrayEquals(all, received(back));
    }
}
