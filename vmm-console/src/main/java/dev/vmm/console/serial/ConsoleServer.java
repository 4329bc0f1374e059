package dev.vmm.console.serial;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The remote serial console: a TCP server per COM port ({@code --serial tcp:...}), all on one small
 * Netty event loop group that lives as long as the machine.
 *
 * <pre>
 *   ConsoleServer.listen("COM1", spec) --bind--> ConsolePort (its SerialLine goes to the Machine)
 *
 *   accepted socket --> pipeline:  [TelnetCodec]  -->  ConsoleClientHandler
 *                                   telnet only        fanout subscriber, input feeder
 *
 *   guest --UART--> ConsolePort --Fanout--> every client's ClientQueue --> socket
 *   socket --> (TelnetCodec) --> ConsoleClientHandler --> GuestInput --UART--> guest
 * </pre>
 *
 * <p>The server keeps running whatever clients do: a client's reset, garbage or slowness closes that
 * client only. {@link #close()} closes every listener and client and shuts the event loops down
 * (waiting for their threads to end), so a closed server leaves no thread behind.
 *
 * <h2>Thread safety</h2>
 * {@link #listen} and {@link #close()} may be called from any thread, but not concurrently with each
 * other; the ports they return are thread safe as documented in {@link ConsolePort}.
 */
public final class ConsoleServer implements AutoCloseable {
    static {
        // JDK 24+ warns on stderr when Netty reaches for sun.misc.Unsafe; a console at terminal speeds
        // gains nothing from it, so keep the user's terminal clean unless they chose otherwise.
        if (System.getProperty("io.netty.noUnsafe") == null) System.setProperty("io.netty.noUnsafe", "true");
    }

    /**
     * Sizes for every port of a server.
     *
     * @param scrollbackBytes  guest output kept for late clients ({@code --scrollback})
     * @param clientQueueBytes how far a client may fall behind before it is disconnected (raised to
     *                         at least the scrollback plus one batch)
     * @param inputQueueBytes  client input waiting for the guest before clients are paused
     */
    public record Settings(int scrollbackBytes, long clientQueueBytes, int inputQueueBytes) {
        public static final int DEFAULT_SCROLLBACK = 64 << 10;
        public static final long DEFAULT_CLIENT_QUEUE = 1 << 20;
        public static final int DEFAULT_INPUT_QUEUE = 16 << 10;

        public static Settings defaults() {
            return new Settings(DEFAULT_SCROLLBACK, DEFAULT_CLIENT_QUEUE, DEFAULT_INPUT_QUEUE);
        }

        public Settings withScrollback(int bytes) {
            return new Settings(bytes, clientQueueBytes, inputQueueBytes);
        }

        public Settings withClientQueue(long bytes) {
            return new Settings(scrollbackBytes, bytes, inputQueueBytes);
        }
    }

    /** Netty's per-channel write buffer: above high the channel reads unwritable and output waits in the ClientQueue. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 << 10, 64 << 10);

    private final Settings settings;
    private final EventLoopGroup group;
    private final List<ConsolePort> ports = new ArrayList<>();
    private final List<Channel> listeners = new ArrayList<>();
    private final Set<Channel> clients = ConcurrentHashMap.newKeySet();
    private boolean closed;

    public ConsoleServer(Settings settings) {
        this.settings = settings;
        // Two threads serve every port and client: the work per byte is small, the cores are few.
        this.group = new NioEventLoopGroup(2, new DefaultThreadFactory("vmm-console", true));
    }

    /**
     * Starts serving one COM port.
     *
     * @param name "COM1".."COM4", used in messages
     * @param spec a {@link SerialSpec.Kind#TCP} spec
     * @throws ConsoleException when the address cannot be resolved or bound (one-line message)
     */
    public ConsolePort listen(String name, SerialSpec spec) {
        if (spec.kind() != SerialSpec.Kind.TCP) throw new IllegalArgumentException("not a tcp spec: " + spec);
        if (closed) throw new IllegalStateException("console server closed");
        InetAddress host;
        try {
            host = spec.resolveHost();
        } catch (IllegalArgumentException e) {
            throw new ConsoleException(name + ": " + e.getMessage());
        }
        ConsolePort port = new ConsolePort(name, spec, settings);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // `printf 'cmd' | nc host port` ends its input first and still wants the guest's answer.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        clients.add(ch);
                        ch.closeFuture().addListener(f -> clients.remove(ch));
                        if (spec.telnet()) ch.pipeline().addLast("telnet", new TelnetCodec(port.stats()));
                        ch.pipeline().addLast("client", new ConsoleClientHandler(port));
                    }
                });
        ChannelFuture bind = b.bind(new InetSocketAddress(host, spec.port())).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            Throwable why = bind.cause();
            throw new ConsoleException(name + ": cannot listen on " + hostPort(host.getHostAddress(), spec.port())
                    + ": " + (why == null ? "unknown error" : why.getMessage()));
        }
        port.bound((InetSocketAddress) bind.channel().localAddress());
        listeners.add(bind.channel());
        ports.add(port);
        return port;
    }

    static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The ports served, in the order they were opened. */
    public List<ConsolePort> ports() { return List.copyOf(ports); }

    /** Clients connected now, over all ports. */
    public int clientCount() { return clients.size(); }

    /** One line per port, for {@code --stats} and the monitor's {@code info console}. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        for (ConsolePort p : ports) sb.append(p.summary()).append('\n');
        return sb.toString();
    }

    /** Closes every listener and client and ends the event loop threads; idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (ConsolePort p : ports) p.flush();
        for (Channel c : listeners) c.close().awaitUninterruptibly();
        for (Channel c : clients) c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
