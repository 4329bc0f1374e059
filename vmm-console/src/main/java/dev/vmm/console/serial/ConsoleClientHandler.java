package dev.vmm.console.serial;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client of a console port: subscribes to the port's output and feeds what the client sends to
 * the guest. It is the last handler of the pipeline (after {@link TelnetCodec} in telnet mode).
 *
 * <pre>
 *   channelActive ------> Fanout.subscribe (the queue starts with the scrollback)
 *   Fanout.publish -----> ClientQueue.offer --wake()--> [event loop] drain: write chunks while writable
 *   channelWritabilityChanged (writable again) ---------------------> drain
 *   Fanout: queue overflowed --overflowed()--> [event loop] message, close   (counted: slowDrops)
 *   channelRead(data) --> GuestInput.offer --full--> autoRead off; GuestInput resumes it later
 *   input shut down ----> nothing: a half-closed client (nc -N) still receives output
 *   channelInactive ----> Fanout.unsubscribe, GuestInput.forget
 *   exceptionCaught ----> close                                               (counted: errors)
 * </pre>
 *
 * <p>Two bounds keep a slow client's cost fixed: the channel's write buffer (Netty's high water mark)
 * and, behind it, the {@link ClientQueue}. Output waits in the queue while the channel is not writable;
 * when the queue would exceed its capacity the client is told why and disconnected. Nothing another
 * client does changes what this one receives.
 *
 * <p>Thread safety: Netty calls the handler on the channel's event loop; {@link #wake()},
 * {@link #overflowed()} and {@link #resume()} may be called from any thread and only schedule work
 * on that loop.
 */
final class ConsoleClientHandler extends ChannelInboundHandlerAdapter
        implements Fanout.Subscriber, GuestInput.Pausable {

    /** How long a dropped client's farewell may take to leave before the socket is closed regardless. */
    static final long FAREWELL_MILLIS = 1000;

    private final ConsolePort port;
    private final ClientQueue queue;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile Channel channel;
    private boolean closing;   // event loop only
    private boolean failed;    // event loop only: an error was counted for this client

    ConsoleClientHandler(ConsolePort port) {
        this.port = port;
        this.queue = new ClientQueue(port.clientQueueBytes());
    }

    @Override
    public ClientQueue queue() { return queue; }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        port.clientConnected();
        port.fanout().subscribe(this);
        ctx.fireChannelActive();
    }

    @Override
    public void wake() {
        Channel ch = channel;
        if (ch != null && drainScheduled.compareAndSet(false, true)) ch.eventLoop().execute(this::drain);
    }

    private void drain() {
        drainScheduled.set(false);
        Channel ch = channel;
        if (closing || !ch.isActive()) return;
        boolean wrote = false;
        while (ch.isWritable()) {
            byte[] chunk = queue.poll();
            if (chunk == null) break;
            port.stats().bytesOut.add(chunk.length);
            ch.write(Unpooled.wrappedBuffer(chunk), ch.voidPromise());
            wrote = true;
        }
        if (wrote) ch.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) drain();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void overflowed() {
        Channel ch = channel;
        ch.eventLoop().execute(() -> {
            if (closing) return;
            closing = true;
            port.stats().slowDrops.increment();
            String message = "\r\nvmm: " + port.name() + ": disconnected: this client fell more than "
                    + queue.capacity() + " bytes behind the guest's output\r\n";
            ch.writeAndFlush(Unpooled.copiedBuffer(message, StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE);
            // A client that reads nothing never takes the farewell: close regardless after a moment.
            ch.eventLoop().schedule(() -> { ch.close(); }, FAREWELL_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf data)) {
            ctx.fireChannelRead(msg);
            return;
        }
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(data);
        } finally {
            data.release();
        }
        if (closing || bytes.length == 0) return;
        port.stats().bytesIn.add(bytes.length);
        if (port.input().offer(bytes)) {
            ctx.channel().config().setAutoRead(false);
            port.stats().inputPauses.increment();
            port.input().pause(this);
        }
    }

    @Override
    public void resume() {
        Channel ch = channel;
        ch.eventLoop().execute(() -> ch.config().setAutoRead(true));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) return;   // keep sending until the client closes
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        port.fanout().unsubscribe(this);
        port.input().forget(this);
        port.clientDisconnected();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or a broken pipe is the client's business: count it and let the others carry on.
        if (failed) return;   // a reset can fail the read and the pending writes: one error per client
        failed = true;
        port.stats().errors.increment();
        if (!(cause instanceof IOException) && !closing) {
            ctx.writeAndFlush(Unpooled.copiedBuffer("\r\nvmm: " + port.name() + ": closing: " + cause + "\r\n",
                    StandardCharsets.US_ASCII));
        }
        ctx.close();
    }
}
