package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.engine.Upstream;
import io.gatekit.gateway.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Keep-alive connections to upstream nodes, one idle list per event loop and node: a client's
 * connection and its upstream connection share an event loop, so a request never crosses threads
 * and the idle lists need no locks.
 */
final class UpstreamPool {

    static final AttributeKey<UpstreamHandler> HANDLER = AttributeKey.valueOf("gatekit.upstream");
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int MAX_IDLE_PER_NODE = 64;

    /** Per loop, per scheme: idle lists by node (a record: its hash is cheap, nothing to build per request). */
    private final Map<EventLoop, IdleLists> idle = new ConcurrentHashMap<>();
    /** The lists of the loop whose thread this is (a thread runs one loop). */
    private final FastThreadLocal<IdleLists> own = new FastThreadLocal<>();
    private final SslContext tls;
    private final int maxHeaderSize;

    UpstreamPool(int maxHeaderSize) {
        this.maxHeaderSize = maxHeaderSize;
        try {
            // APISIX does not verify upstream certificates unless told to (upstream.tls.verify)
            this.tls = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for upstreams", e);
        }
    }

    /**
     * An idle connection of {@code loop} to {@code node}, or {@code null} when there is none: then
     * {@link #connect} opens one. Taken at once, without a future: the path of nearly every request.
     */
    @Nullable Channel pollIdle(EventLoop loop, Upstream.Node node, boolean https) {
        ArrayDeque<Channel> list = idleList(loop, node, https);
        Channel channel;
        while ((channel = list.pollFirst()) != null) {
            if (channel.isActive()) {
                return channel;
            }
        }
        return null;
    }

    /** A new connection to {@code node} on {@code loop}; completes on {@code loop}. */
    Future<Channel> connect(EventLoop loop, Upstream.Node node, boolean https, Duration connectTimeout) {
        Promise<Channel> promise = loop.newPromise();
        ArrayDeque<Channel> list = idleList(loop, node, https);
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(Transport.socketChannelFor(loop))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, connectTimeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (https) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), node.host(), node.port()));
                        }
                        UpstreamHandler handler = new UpstreamHandler(IDLE_NANOS);
                        ch.attr(HANDLER).set(handler);
                        ch.pipeline().addLast(new HttpClientCodec(4096, maxHeaderSize, 65536)).addLast(handler);
                    }
                });
        ChannelFuture connect = bootstrap.connect(node.host(), node.port());
        connect.addListener(f -> {
            if (f.isSuccess()) {
                // once per connection: a listener per release would pile up for its whole life
                connect.channel().closeFuture().addListener(closed -> list.remove(connect.channel()));
                promise.trySuccess(connect.channel());
            } else {
                promise.tryFailure(f.cause());
            }
        });
        return promise;
    }

    /** Returns a connection whose last response was read completely and that may be reused. */
    void release(Channel channel, UpstreamHandler handler, Upstream.Node node, boolean https) {
        handler.detach();
        if (!channel.isActive()) {
            return;
        }
        ArrayDeque<Channel> list = idleList(channel.eventLoop(), node, https);
        if (list.size() >= MAX_IDLE_PER_NODE) {
            channel.close();
            return;
        }
        handler.idle();
        list.addFirst(channel);
    }

    private ArrayDeque<Channel> idleList(EventLoop loop, Upstream.Node node, boolean https) {
        IdleLists lists;
        if (loop.inEventLoop()) {
            // the loop's own thread (every request): its lists without the shared map's lookup
            lists = own.getIfExists();
            if (lists == null) {
                lists = idle.computeIfAbsent(loop, l -> new IdleLists());
                own.set(lists);
            }
        } else {
            lists = idle.computeIfAbsent(loop, l -> new IdleLists());
        }
        Map<Upstream.Node, ArrayDeque<Channel>> byNode = https ? lists.https : lists.http;
        ArrayDeque<Channel> list = byNode.get(node);
        if (list == null) {
            list = new ArrayDeque<>();
            byNode.put(node, list);
        }
        return list;
    }

    /** One event loop's idle connections; only that loop touches them. */
    private static final class IdleLists {
        final Map<Upstream.Node, ArrayDeque<Channel>> http = new HashMap<>();
        final Map<Upstream.Node, ArrayDeque<Channel>> https = new HashMap<>();
    }
}
