package io.gatekit.benchmarks.e2e;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP/1.1 keep-alive server for the end-to-end runs: answers every request with
 * {@code --body-bytes} bytes, after {@code --delay-ms} milliseconds when asked to (scheduled on the
 * event loop, never blocking it), and counts what it served. {@code GET /__count} answers the
 * count so far, which is how the script checks that a mirror really received copies.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.gatekit.benchmarks.e2e.TestServer --port 18082 --delay-ms 200</pre>
 */
public final class TestServer {

    private TestServer() {
    }

    public static void main(String[] argv) throws InterruptedException {
        Args args = new Args(argv);
        int port = args.number("port", 18082);
        int delayMs = args.number("delay-ms", 0);
        byte[] body = new byte[args.number("body-bytes", 1024)];
        Arrays.fill(body, (byte) 'x');
        AtomicLong served = new AtomicLong();
        NioEventLoopGroup loop = new NioEventLoopGroup(1);
        Channel server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new Handler(body, delayMs, served));
                    }
                })
                .bind("127.0.0.1", port).syncUninterruptibly().channel();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> loop.shutdownGracefully(0, 1, TimeUnit.SECONDS)));
        System.out.println("test server on 127.0.0.1:" + port + ", delay " + delayMs + " ms, body " + body.length
                + " B");
        server.closeFuture().sync();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final byte[] body;
        private final int delayMs;
        private final AtomicLong served;

        Handler(byte[] body, int delayMs, AtomicLong served) {
            this.body = body;
            this.delayMs = delayMs;
            this.served = served;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (request.uri().equals("/__count")) {
                byte[] count = (served.get() + "\n").getBytes(StandardCharsets.US_ASCII);
                respond(ctx, Unpooled.wrappedBuffer(count), keepAlive);
                return;
            }
            served.incrementAndGet();
            ByteBuf content = Unpooled.wrappedBuffer(body);
            if (delayMs <= 0) {
                respond(ctx, content, keepAlive);
            } else {
                ctx.executor().schedule(() -> respond(ctx, content, keepAlive), delayMs, TimeUnit.MILLISECONDS);
            }
        }

        private static void respond(ChannelHandlerContext ctx, ByteBuf content, boolean keepAlive) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            HttpUtil.setContentLength(response, content.readableBytes());
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response, ctx.voidPromise());
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
