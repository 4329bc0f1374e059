package dev.vmm.console.serial;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Speaks the telnet protocol (RFC 854) to a client and the plain byte stream of a serial line to the
 * handlers after it: strips and answers commands on the way in, escapes IAC on the way out.
 *
 * <pre>
 *   socket --ByteBuf--> TelnetCodec --data ByteBuf--> ConsoleClientHandler --> guest
 *                         |  IAC WILL/WONT/DO/DONT: answered (option negotiation, RFC 1143 states)
 *                         |  IAC SB ... IAC SE:     skipped (no option we accept has subnegotiation)
 *                         |  IAC IAC:               one 0xFF data byte
 *                         |  IAC IP:                0x03 (Ctrl-C) to the guest; IAC AYT: "[vmm: yes]"
 *                         |  CR NUL, CR LF:         CR  (what Enter sends; a serial terminal sends CR)
 *   socket <--ByteBuf--- TelnetCodec <--guest output-- ConsoleClientHandler
 *                            0xFF -> IAC IAC;  without BINARY: CR -> CR NUL unless LF follows
 * </pre>
 *
 * <h2>Negotiation</h2>
 * On connect the server offers WILL ECHO and WILL SUPPRESS-GO-AHEAD (the guest echoes, and there is no
 * half duplex: together, "character mode", so a client sends each key at once and stops echoing
 * locally), and BINARY both ways (WILL and DO TRANSMIT-BINARY, so 8-bit bytes pass). Each option's
 * state follows RFC 1143's Q method without the queue bits (NO, YES, WANTNO, WANTYES): a request for
 * a state the option is already in is never answered, so two sides cannot loop. Options not listed
 * above are refused (DONT / WONT), which covers NAWS, TERMINAL-TYPE, LINEMODE and the rest.
 *
 * <h2>Thread safety</h2>
 * None needed: one instance per channel, used on that channel's event loop only.
 */
public final class TelnetCodec extends ChannelDuplexHandler {
    // RFC 854 command bytes.
    static final int IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, GA = 249, EL = 248,
            EC = 247, AYT = 246, AO = 245, IP = 244, BRK = 243, DM = 242, NOP = 241, SE = 240;
    // Options: RFC 856 binary, RFC 857 echo, RFC 858 suppress go-ahead.
    static final int BINARY = 0, ECHO = 1, SGA = 3;

    private static final int NO = 0, YES = 1, WANTNO = 2, WANTYES = 3;
    private static final byte[] AYT_ANSWER = "\r\n[vmm: yes]\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private enum State { DATA, IAC, OPTION, SB, SB_IAC }

    private final ConsoleStats stats;
    private final int[] us = new int[256];    // options this side performs (WILL/WONT)
    private final int[] him = new int[256];   // options the client performs (DO/DONT)
    private State state = State.DATA;
    private int verb;             // WILL/WONT/DO/DONT waiting for its option byte
    private boolean afterCr;      // the previous data byte was CR: a NUL or LF after it is dropped
    private boolean pendingFlush; // replies were written during this read

    public TelnetCodec(ConsoleStats stats) {
        this.stats = stats;
    }

    private static boolean weWant(int opt) { return opt == ECHO || opt == SGA || opt == BINARY; }

    private static boolean weWantHim(int opt) { return opt == SGA || opt == BINARY; }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        request(ctx, us, ECHO, WILL);
        request(ctx, us, SGA, WILL);
        request(ctx, us, BINARY, WILL);
        request(ctx, him, SGA, DO);
        request(ctx, him, BINARY, DO);
        ctx.flush();
        ctx.fireChannelActive();
    }

    private void request(ChannelHandlerContext ctx, int[] side, int opt, int verb) {
        side[opt] = WANTYES;
        send(ctx, verb, opt);
    }

    private void send(ChannelHandlerContext ctx, int verb, int opt) {
        ctx.write(ctx.alloc().buffer(3).writeByte(IAC).writeByte(verb).writeByte(opt));
        pendingFlush = true;
    }

    // ---- inbound --------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf data = ctx.alloc().buffer(in.readableBytes());
        try {
            while (in.isReadable()) decode(ctx, in.readByte() & 0xFF, data);
        } finally {
            in.release();
        }
        if (data.isReadable()) ctx.fireChannelRead(data);
        else data.release();
        if (pendingFlush) {
            pendingFlush = false;
            ctx.flush();
        }
    }

    private void decode(ChannelHandlerContext ctx, int b, ByteBuf data) {
        switch (state) {
            case DATA -> {
                if (b == IAC) state = State.IAC;
                else dataByte(b, data);
            }
            case IAC -> {
                state = State.DATA;
                if (b == IAC) {
                    dataByte(IAC, data);    // IAC IAC: a literal 0xFF
                    return;
                }
                stats.telnetCommands.increment();
                switch (b) {
                    case WILL, WONT, DO, DONT -> {
                        verb = b;
                        state = State.OPTION;
                    }
                    case SB -> state = State.SB;
                    case IP -> data.writeByte(0x03);           // interrupt process: what Ctrl-C sends
                    case AYT -> {
                        ctx.write(ctx.alloc().buffer(AYT_ANSWER.length).writeBytes(AYT_ANSWER));
                        pendingFlush = true;
                    }
                    default -> { }    // NOP, DM, BRK, AO, EC, EL, GA, SE out of place, unknown: nothing to do
                }
            }
            case OPTION -> {
                state = State.DATA;
                negotiate(ctx, verb, b);
            }
            case SB -> {
                if (b == IAC) state = State.SB_IAC;
            }
            case SB_IAC -> state = b == SE ? State.DATA : State.SB;   // IAC IAC inside SB: a data byte
        }
    }

    /** CR NUL and CR LF are how telnet clients send Enter: the guest gets the CR a serial terminal sends. */
    private void dataByte(int b, ByteBuf data) {
        if (afterCr) {
            afterCr = false;
            if (b == 0 || b == '\n') return;
        }
        data.writeByte(b);
        if (b == '\r') afterCr = true;
    }

    /** RFC 1143 without the queue: answer a request only when it changes an option's state. */
    private void negotiate(ChannelHandlerContext ctx, int verb, int opt) {
        switch (verb) {
            case WILL -> {
                switch (him[opt]) {
                    case NO -> {
                        if (weWantHim(opt)) {
                            him[opt] = YES;
                            send(ctx, DO, opt);
                        } else {
                            send(ctx, DONT, opt);
                        }
                    }
                    case WANTYES -> him[opt] = YES;
                    case WANTNO -> him[opt] = NO;   // "DONT answered by WILL": an error; stay off
                    default -> { }
                }
            }
            case WONT -> {
                if (him[opt] == YES) send(ctx, DONT, opt);
                him[opt] = NO;
            }
            case DO -> {
                switch (us[opt]) {
                    case NO -> {
                        if (weWant(opt)) {
                            us[opt] = YES;
                            send(ctx, WILL, opt);
                        } else {
                            send(ctx, WONT, opt);
                        }
                    }
                    case WANTYES -> us[opt] = YES;
                    case WANTNO -> us[opt] = NO;
                    default -> { }
                }
            }
            case DONT -> {
                if (us[opt] == YES) send(ctx, WONT, opt);
                us[opt] = NO;
            }
            default -> throw new IllegalStateException("verb " + verb);
        }
    }

    /** Whether this side has agreed to perform {@code opt} (for tests and the monitor). */
    boolean localEnabled(int opt) { return us[opt] == YES; }

    /** Whether the client has agreed to perform {@code opt}. */
    boolean remoteEnabled(int opt) { return him[opt] == YES; }

    // ---- outbound -------------------------------------------------------------------------------

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf out)) {
            ctx.write(msg, promise);
            return;
        }
        boolean binary = us[BINARY] == YES;
        int extra = 0;
        for (int i = out.readerIndex(); i < out.writerIndex(); i++) {
            int b = out.getByte(i) & 0xFF;
            if (b == IAC || (!binary && b == '\r')) extra++;
        }
        if (extra == 0) {
            ctx.write(out, promise);
            return;
        }
        ByteBuf escaped = ctx.alloc().buffer(out.readableBytes() + extra);
        for (int i = out.readerIndex(); i < out.writerIndex(); i++) {
            int b = out.getByte(i) & 0xFF;
            escaped.writeByte(b);
            if (b == IAC) {
                escaped.writeByte(IAC);
            } else if (b == '\r' && !binary && (i + 1 >= out.writerIndex() || out.getByte(i + 1) != '\n')) {
                escaped.writeByte(0);   // NVT: a bare CR is CR NUL
            }
        }
        out.release();
        ctx.write(escaped, promise);
    }
}
