package io.gatekit.gateway.client;

import io.gatekit.api.Nullable;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The gateway's outbound client for plugins (mirror copies, callouts): Netty, HTTP/1.1,
 * keep-alive pooled per target, connect/read timeouts, TLS with certificate and host name
 * verification unless the request turns it off, SNI from the target host.
 */
public final class NettyHttpClient implements HttpClient, AutoCloseable {

    private static final AttributeKey<ResponseHandler> HANDLER = AttributeKey.valueOf("gatekit.outbound");
    private static final int MAX_RESPONSE = 16 * 1024 * 1024;
    private static final int MAX_IDLE_PER_TARGET = 32;

    private final EventLoopGroup group;
    private final SslContext verifying;
    private final SslContext trusting;
    private final Map<String, ArrayDeque<Channel>> idle = new ConcurrentHashMap<>();

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
        URI uri = request.uri();
        boolean https = "https".equals(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        String key = uri.getScheme() + "://" + uri.getHost() + ":" + port + (request.verifyTls() ? "" : "#insecure");
        Channel pooled = poll(key);
        if (pooled != null) {
            pooled.eventLoop().execute(() -> write(pooled, key, request, result));
            return result;
        }
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
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
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE), handler);
                    }
                });
        bootstrap.connect(uri.getHost(), port).addListener(f -> {
            Channel channel = ((io.netty.channel.ChannelFuture) f).channel();
            if (f.isSuccess()) {
                // once per connection: a listener per release would pile up for its whole life
                ArrayDeque<Channel> list = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
                channel.closeFuture().addListener(closed -> {
                    synchronized (list) {
                        list.remove(channel);
                    }
                });
                write(channel, key, request, result);
            } else {
                result.completeExceptionally(f.cause());
            }
        });
        return result;
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

    private void write(Channel channel, String key, OutboundRequest request, CompletableFuture<OutboundResponse> result) {
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
        handler.begin(result, () -> release(key, channel));
        io.netty.util.concurrent.ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> {
            if (result.completeExceptionally(new TimeoutException("no response from " + uri.getHost() + ":"
                    + uri.getPort() + " within " + request.readTimeout().toMillis() + " ms"))) {
                channel.close();
            }
        }, request.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((r, e) -> timer.cancel(false));
        channel.writeAndFlush(out).addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                channel.close();
            }
        });
    }

    private @Nullable Channel poll(String key) {
        ArrayDeque<Channel> list = idle.get(key);
        if (list == null) {
            return null;
        }
        synchronized (list) {
            Channel channel;
            while ((channel = list.pollFirst()) != null) {
                if (channel.isActive()) {
                    return channel;
                }
            }
        }
        return null;
    }

    private void release(String key, Channel channel) {
        ArrayDeque<Channel> list = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (list) {
            if (list.size() >= MAX_IDLE_PER_TARGET || !channel.isActive()) {
                channel.close();
                return;
            }
            list.addFirst(channel);
        }
    }

    @Override
    public void close() {
        idle.values().forEach(list -> {
            synchronized (list) {
                list.forEach(Channel::close);
                list.clear();
            }
        });
    }

    /** Completes the request in flight on its connection. */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private @Nullable CompletableFuture<OutboundResponse> pending;
        private @Nullable Runnable onReusable;

        void begin(CompletableFuture<OutboundResponse> result, Runnable reusable) {
            this.pending = result;
            this.onReusable = reusable;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
            CompletableFuture<OutboundResponse> result = pending;
            Runnable reusable = onReusable;
            pending = null;
            onReusable = null;
            if (result == null) {
                ctx.close();
                return;
            }
            if (result.isDone()) {
                ctx.close(); // timed out already: the connection's state is unknown
                return;
            }
            HttpHeaders headers = HttpHeaders.of();
            msg.headers().forEach(e -> headers.add(e.getKey(), e.getValue()));
            OutboundResponse response = new OutboundResponse(msg.status().code(), headers,
                    ByteBufUtil.getBytes(msg.content()));
            // back in the pool before the caller hears of it, so its next request can reuse it
            if (HttpUtil.isKeepAlive(msg) && reusable != null) {
                reusable.run();
            } else {
                ctx.close();
            }
            result.complete(response);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(new java.io.IOException("connection closed before the response"));
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
            if (result != null) {
                result.completeExceptionally(cause);
            }
        }
    }
}
