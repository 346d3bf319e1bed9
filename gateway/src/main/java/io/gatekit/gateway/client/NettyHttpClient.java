package io.gatekit.gateway.client;

import io.gatekit.api.Nullable;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.gateway.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The gateway's outbound client for plugins (mirror copies, callouts): Netty, HTTP/1.1,
 * keep-alive pooled per target, connect/read timeouts, TLS with certificate and host name
 * verification unless the request turns it off, SNI from the target host.
 *
 * <p>A request sent from one of the group's event loops (a plugin on the data path, such as a
 * mirror copy) stays on that loop: its connection is taken from that loop's idle list, or opened
 * on that loop, so nothing crosses threads. Other callers are handed to the group's next loop.
 */
public final class NettyHttpClient implements HttpClient, AutoCloseable {

    private static final AttributeKey<ResponseHandler> HANDLER = AttributeKey.valueOf("gatekit.outbound");
    private static final int MAX_RESPONSE = 16 * 1024 * 1024;
    private static final byte[] EMPTY = new byte[0];
    /**
     * Per loop and target. A slow mirror holds a connection per copy in flight (hundreds at a
     * time): keeping only a few idle meant opening and closing hundreds of connections a second.
     */
    private static final int MAX_IDLE_PER_TARGET = 256;
    /** An idle pooled connection is closed after this long. */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final EventLoopGroup group;
    private final SslContext verifying;
    private final SslContext trusting;
    /** Per loop, by target; a loop's lists are only touched on that loop. */
    private final Map<EventLoop, Map<PoolKey, ArrayDeque<Channel>>> idle = new ConcurrentHashMap<>();
    /** The loop of the group the current thread runs, or {@link #NOT_A_LOOP}. */
    private final FastThreadLocal<EventLoop> ownLoop = new FastThreadLocal<>() {
        @Override
        protected EventLoop initialValue() {
            for (EventExecutor executor : group) {
                if (executor.inEventLoop() && executor instanceof EventLoop loop) {
                    return loop;
                }
            }
            return NOT_A_LOOP;
        }
    };
    private static final EventLoop NOT_A_LOOP = null;

    public NettyHttpClient(EventLoopGroup group) {
        this.group = group;
        try {
            this.verifying = SslContextBuilder.forClient().build();
            this.trusting = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }

    @Override
    public CompletionStage<OutboundResponse> send(OutboundRequest request) {
        CompletableFuture<OutboundResponse> result = new CompletableFuture<>();
        EventLoop loop = Thread.currentThread() instanceof FastThreadLocalThread ? ownLoop.get() : NOT_A_LOOP;
        if (loop != NOT_A_LOOP) {
            // after what the caller is doing now (a request on its way upstream): the send is the
            // loop's next task, so it never sits between a client's request and its upstream write
            loop.execute(() -> sendOn(loop, request, result));
        } else {
            EventLoop next = group.next();
            next.execute(() -> sendOn(next, request, result));
        }
        return result;
    }

    private void sendOn(EventLoop loop, OutboundRequest request, CompletableFuture<OutboundResponse> result) {
        URI uri = request.uri();
        boolean https = "https".equals(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        ArrayDeque<Channel> list = idleList(loop, new PoolKey(https, uri.getHost(), port, request.verifyTls()));
        Channel pooled;
        while ((pooled = list.pollFirst()) != null) {
            if (pooled.isActive()) {
                write(pooled, list, request, result);
                return;
            }
        }
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(Transport.socketChannelFor(loop))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, request.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (https) {
                            ch.pipeline().addLast(sslHandler(ch, uri.getHost(), port, request.verifyTls()));
                        }
                        ResponseHandler handler = new ResponseHandler();
                        ch.attr(HANDLER).set(handler);
                        ch.pipeline().addLast(new HttpClientCodec(), handler);
                    }
                });
        bootstrap.connect(uri.getHost(), port).addListener(f -> {
            Channel channel = ((io.netty.channel.ChannelFuture) f).channel();
            if (f.isSuccess()) {
                // once per connection: a listener per release would pile up for its whole life
                channel.closeFuture().addListener(closed -> list.remove(channel));
                write(channel, list, request, result);
            } else {
                result.completeExceptionally(f.cause());
            }
        });
    }

    private ArrayDeque<Channel> idleList(EventLoop loop, PoolKey key) {
        Map<PoolKey, ArrayDeque<Channel>> lists = idle.get(loop);
        if (lists == null) {
            lists = idle.computeIfAbsent(loop, l -> new HashMap<>());
        }
        ArrayDeque<Channel> list = lists.get(key);
        if (list == null) {
            list = new ArrayDeque<>();
            lists.put(key, list);
        }
        return list;
    }

    private SslHandler sslHandler(SocketChannel ch, String host, int port, boolean verify) {
        SslHandler handler = (verify ? verifying : trusting).newHandler(ch.alloc(), host, port);
        if (verify) {
            SSLParameters params = handler.engine().getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            handler.engine().setSSLParameters(params);
        }
        return handler;
    }

    private void write(Channel channel, ArrayDeque<Channel> list, OutboundRequest request,
            CompletableFuture<OutboundResponse> result) {
        URI uri = request.uri();
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        byte[] body = request.body();
        FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method()),
                target, body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        request.headers().forEach((name, value) -> out.headers().add(name, value));
        if (!out.headers().contains(HttpHeaderNames.HOST)) {
            out.headers().set(HttpHeaderNames.HOST, uri.getPort() > 0 ? uri.getHost() + ":" + uri.getPort()
                    : uri.getHost());
        }
        out.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        HttpUtil.setContentLength(out, body == null ? 0 : body.length);
        HttpUtil.setKeepAlive(out, true);
        ResponseHandler handler = channel.attr(HANDLER).get();
        // the read timeout runs on the connection's one timer: no task scheduled and cancelled per request
        handler.begin(result, () -> release(list, channel), request.discardResponseBody(),
                System.nanoTime() + request.readTimeout().toNanos(),
                () -> "no response from " + uri.getHost() + ":" + uri.getPort() + " within "
                        + request.readTimeout().toMillis() + " ms");
        channel.writeAndFlush(out).addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                channel.close();
            }
        });
    }

    /** Which connections a request may reuse: a record, so a copy builds no key string. */
    private record PoolKey(boolean https, String host, int port, boolean verifyTls) {
    }

    /** On the connection's loop, which owns {@code list}. */
    private void release(ArrayDeque<Channel> list, Channel channel) {
        if (list.size() >= MAX_IDLE_PER_TARGET || !channel.isActive()) {
            channel.close();
            return;
        }
        list.addFirst(channel);
    }

    @Override
    public void close() {
        idle.forEach((loop, lists) -> {
            Runnable closeAll = () -> lists.values().forEach(list -> {
                List<Channel> channels = new ArrayList<>(list);
                list.clear();
                channels.forEach(Channel::close);
            });
            if (loop.inEventLoop()) {
                closeAll.run();
            } else {
                try {
                    loop.execute(closeAll);
                } catch (RejectedExecutionException e) {
                    // the loop is shutting down and closes its channels itself
                }
            }
        });
    }

    /**
     * Completes the request in flight on its connection, from the response's head and content as
     * the codec hands them over: the body is gathered up to {@link #MAX_RESPONSE} bytes, or
     * released chunk by chunk when the caller does not want it. Its one timer, re-armed lazily,
     * enforces the read timeout of the request in flight and closes the connection once idle in
     * the pool for {@link #IDLE_NANOS}: a timer already due earlier is kept, and whatever it finds
     * when it fires decides whether it is asked again, so a request on a kept-alive connection
     * schedules nothing.
     */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        private @Nullable ChannelHandlerContext ctx;
        private @Nullable CompletableFuture<OutboundResponse> pending;
        private @Nullable Runnable onReusable;
        private boolean discardBody;
        /** The head of the response being read, or {@code null} before it came. */
        private @Nullable HttpResponse head;
        private @Nullable CompositeByteBuf body;
        /** When the request in flight times out ({@link System#nanoTime()}). */
        private long deadline;
        private @Nullable Supplier<String> timeoutMessage;
        /** When the connection last finished a request (it is idle in the pool from then on). */
        private long idleSince = System.nanoTime();
        private @Nullable ScheduledFuture<?> timer;
        private long timerDeadline;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            wakeAt(idleSince + IDLE_NANOS);
        }

        void begin(CompletableFuture<OutboundResponse> result, Runnable reusable, boolean discardBody, long deadline,
                Supplier<String> timeoutMessage) {
            this.pending = result;
            this.onReusable = reusable;
            this.discardBody = discardBody;
            this.deadline = deadline;
            this.timeoutMessage = timeoutMessage;
            wakeAt(deadline);
        }

        private void wakeAt(long at) {
            if (timer != null) {
                if (timerDeadline - at <= 0) {
                    return;
                }
                timer.cancel(false);
            }
            timerDeadline = at;
            timer = ctx.executor().schedule(this::timerFired, Math.max(1, at - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        }

        private void timerFired() {
            timer = null;
            if (!ctx.channel().isActive()) {
                return;
            }
            long now = System.nanoTime();
            CompletableFuture<OutboundResponse> result = pending;
            if (result != null) {
                if (now - deadline < 0) {
                    wakeAt(deadline);
                    return;
                }
                fail(new TimeoutException(timeoutMessage.get()));
                ctx.close();
                return;
            }
            if (now - (idleSince + IDLE_NANOS) < 0) {
                wakeAt(idleSince + IDLE_NANOS);
            } else {
                ctx.close(); // idle in the pool for IDLE_NANOS: nobody needs it
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (pending == null || pending.isDone()) {
                // nothing asked for it, or it timed out already: the connection's state is unknown
                fail(new IOException("unexpected response data"));
                ctx.close();
                return;
            }
            if (msg.decoderResult().isFailure()) {
                fail(msg.decoderResult().cause());
                ctx.close();
                return;
            }
            if (msg instanceof HttpResponse response) {
                head = response;
            }
            if (msg instanceof HttpContent content) {
                if (!discardBody && content.content().isReadable()) {
                    if (body == null) {
                        body = ctx.alloc().compositeBuffer();
                    }
                    if (body.readableBytes() + content.content().readableBytes() > MAX_RESPONSE) {
                        fail(new IOException("response body over " + MAX_RESPONSE + " bytes"));
                        ctx.close();
                        return;
                    }
                    body.addComponent(true, content.content().retain());
                }
                if (msg instanceof LastHttpContent) {
                    responseEnded(ctx);
                }
            }
        }

        private void responseEnded(ChannelHandlerContext ctx) {
            HttpResponse response = head;
            head = null;
            if (response == null) {
                fail(new IOException("response content without a head"));
                ctx.close();
                return;
            }
            int status = response.status().code();
            if (status >= 100 && status < 200 && status != 101) {
                return; // an interim answer (103 Early Hints): the real one follows
            }
            CompletableFuture<OutboundResponse> result = pending;
            Runnable reusable = onReusable;
            pending = null;
            onReusable = null;
            idleSince = System.nanoTime();
            HttpHeaders headers = HttpHeaders.of();
            response.headers().forEach(e -> headers.add(e.getKey(), e.getValue()));
            byte[] bytes = EMPTY;
            if (body != null) {
                bytes = ByteBufUtil.getBytes(body);
                body.release();
                body = null;
            }
            // back in the pool before the caller hears of it, so its next request can reuse it
            if (HttpUtil.isKeepAlive(response) && reusable != null) {
                reusable.run();
            } else {
                ctx.close();
            }
            result.complete(new OutboundResponse(status, headers, bytes));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            fail(new IOException("connection closed before the response"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause);
            ctx.close();
        }

        private void fail(Throwable cause) {
            CompletableFuture<OutboundResponse> result = pending;
            pending = null;
            onReusable = null;
            head = null;
            if (body != null) {
                body.release();
                body = null;
            }
            if (result != null) {
                result.completeExceptionally(cause);
            }
        }
    }
}
