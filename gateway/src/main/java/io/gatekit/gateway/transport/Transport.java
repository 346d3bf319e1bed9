package io.gatekit.gateway.transport;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ThreadFactory;

/**
 * The socket transport of the gateway's event loops ({@code gatekit.transport}): Linux's native
 * epoll where its library loads, else the JDK's NIO. Server and upstream connections use the same
 * loops, so an upstream connection is opened with the channel type of the loop it runs on.
 */
public enum Transport {
    /** Netty's native epoll transport (Linux, with the {@code netty-transport-native-epoll} library). */
    EPOLL,
    /** The JDK's NIO selector. */
    NIO;

    /** The config key this is read from. */
    public static final String KEY = "gatekit.transport";

    /** The name of {@link #newWorkers}' threads, before Netty's pool and thread numbers. */
    public static final String WORKER_THREAD_PREFIX = "gatekit-worker";

    private static final System.Logger LOG = System.getLogger(Transport.class.getName());

    /**
     * The transport a {@code gatekit.transport} value asks for: {@code auto} (epoll where it can load,
     * else NIO with one log line saying why), {@code epoll} or {@code nio}.
     *
     * @throws IllegalArgumentException for any other value, or {@code epoll} where it cannot load
     */
    public static Transport select(String mode) {
        requireNonNull(mode, "mode");
        switch (mode) {
            case "nio":
                return NIO;
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw new IllegalArgumentException(KEY + ": epoll (expected: auto or nio here; native epoll "
                            + "cannot load: " + Epoll.unavailabilityCause() + ")");
                }
                return EPOLL;
            case "auto":
                if (Epoll.isAvailable()) {
                    return EPOLL;
                }
                LOG.log(System.Logger.Level.INFO, "using the NIO transport: native epoll cannot load ("
                        + Epoll.unavailabilityCause() + ")");
                return NIO;
            default:
                checkMode(mode);
                throw new AssertionError(mode);
        }
    }

    /**
     * {@code mode} when it is a value {@link #select} knows ({@code auto}, {@code epoll} or {@code nio}),
     * checked without loading anything.
     *
     * @throws IllegalArgumentException naming the key and the expected values otherwise
     */
    public static String checkMode(String mode) {
        if (!"auto".equals(mode) && !"epoll".equals(mode) && !"nio".equals(mode)) {
            throw new IllegalArgumentException(KEY + ": " + mode + " (expected: auto, epoll or nio)");
        }
        return mode;
    }

    /** A group of {@code threads} event loops (0: Netty's default, twice the cores). */
    public EventLoopGroup newGroup(int threads) {
        return this == EPOLL ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
    }

    /**
     * The group that serves clients and upstreams: {@code workerProcesses} event loops
     * ({@code nginx_config.worker_processes}), or for 0 ({@code auto}) one per processor this JVM
     * may run on, as nginx starts one worker per core. Not Netty's default of twice the cores: on a
     * core shared by two loops each wakes for half the connections and they take turns, where one
     * loop would serve them all in one pass. Its threads are named {@code gatekit-worker-*}.
     */
    public EventLoopGroup newWorkers(int workerProcesses) {
        int threads = workerLoops(workerProcesses);
        ThreadFactory names = new DefaultThreadFactory(WORKER_THREAD_PREFIX, false);
        return this == EPOLL ? new EpollEventLoopGroup(threads, names) : new NioEventLoopGroup(threads, names);
    }

    /** How many event loops {@link #newWorkers} starts for {@code workerProcesses} (0: auto). */
    public static int workerLoops(int workerProcesses) {
        if (workerProcesses < 0) {
            throw new IllegalArgumentException("workerProcesses: " + workerProcesses + " (expected: >= 0, 0 for auto)");
        }
        return workerProcesses > 0 ? workerProcesses : Runtime.getRuntime().availableProcessors();
    }

    /** The listening channel type of this transport. */
    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The connection channel type of this transport. */
    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The connection channel type that can be registered on {@code loop}. */
    public static Class<? extends SocketChannel> socketChannelFor(EventLoop loop) {
        return loop.parent() instanceof EpollEventLoopGroup ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The transport of {@code group}'s loops. */
    public static Transport of(EventLoopGroup group) {
        return group instanceof EpollEventLoopGroup ? EPOLL : NIO;
    }
}
