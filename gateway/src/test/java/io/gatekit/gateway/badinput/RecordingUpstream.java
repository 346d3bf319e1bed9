package io.gatekit.gateway.badinput;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 upstream on loopback that records every request it parses and every byte it
 * receives, so a test can tell whether a smuggled second request ever reached it. Paths:
 * {@code /slow?ms=N} answers after N ms, {@code /bytes?n=N} streams N bytes as fast as the
 * gateway takes them (counting what it handed over), anything else answers {@code ok <uri>}.
 */
final class RecordingUpstream implements AutoCloseable {

    /** A request as the upstream parsed it. */
    record Received(String method, String uri, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicLong streamedBytes = new AtomicLong();
    private final ByteArrayOutputStream wire = new ByteArrayOutputStream();
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;

    RecordingUpstream() {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new WireTap())
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(16 * 1024 * 1024))
                                .addLast(new Responder());
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    String address() {
        return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Everything received on every connection, as ISO-8859-1 text. */
    String wire() {
        synchronized (wire) {
            return wire.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Forgets what was received so far. */
    void reset() {
        received.clear();
        synchronized (wire) {
            wire.reset();
        }
    }

    /** The request lines the upstream received, in order ("GET /x"). */
    List<String> requestLines() {
        return received.stream().map(r -> r.method() + " " + r.uri()).toList();
    }

    private final class WireTap extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            byte[] copy = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), copy);
            synchronized (wire) {
                wire.writeBytes(copy);
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
        private long toStream;
        private final byte[] block = new byte[64 * 1024];

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.decoderResult().isFailure()) {
                // cut short (the gateway closed mid-body): not a request a server would serve
                ctx.close();
                return;
            }
            byte[] body = new byte[request.content().readableBytes()];
            request.content().getBytes(request.content().readerIndex(), body);
            Map<String, String> headers = new HashMap<>();
            request.headers().forEach(h -> headers.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(),
                    (a, b) -> a + "," + b));
            received.add(new Received(request.method().name(), request.uri(), headers, body));
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            switch (query.path()) {
                case "/slow" -> {
                    long ms = Long.parseLong(query.parameters().get("ms").get(0));
                    FullHttpResponse response = text("slow done");
                    ctx.executor().schedule(() -> ctx.writeAndFlush(response), ms, TimeUnit.MILLISECONDS);
                }
                case "/bytes" -> {
                    toStream = Long.parseLong(query.parameters().get("n").get(0));
                    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    HttpUtil.setContentLength(head, toStream);
                    ctx.write(head);
                    stream(ctx);
                }
                default -> ctx.writeAndFlush(text("ok " + request.uri()
                        + (body.length > 0 ? " body=" + new String(body, StandardCharsets.UTF_8) : "")));
            }
        }

        /** Writes while the gateway keeps up: what is handed over is bounded by its reading. */
        private void stream(ChannelHandlerContext ctx) {
            while (toStream > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(block.length, toStream);
                toStream -= n;
                streamedBytes.addAndGet(n);
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(block, 0, n)));
                if (toStream == 0) {
                    ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
                }
                ctx.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            stream(ctx);
        }

        private static FullHttpResponse text(String text) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            HttpUtil.setContentLength(response, response.content().readableBytes());
            return response;
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
