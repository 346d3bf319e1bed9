package io.gatekit.benchmarks.e2e;

import io.gatekit.gateway.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The P9 baseline: the least a Netty HTTP/1.1 keep-alive reverse proxy must do, with the
 * gateway's upstream pooling idea (one idle list per event loop, the upstream connection on the
 * client connection's loop, so nothing crosses threads) and the same thread counts and socket
 * options, but no engine, no routing, no header rewriting and no metrics. Headers and bodies pass
 * through as Netty decoded them.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.gatekit.benchmarks.e2e.BareForwarder --port 19081 --upstream 127.0.0.1:18080 [--transport auto|epoll|nio] [--workers auto|N]</pre>
 */
public final class BareForwarder {

    private static final AttributeKey<ClientHandler> OWNER = AttributeKey.valueOf("bench.owner");

    private final String upstreamHost;
    private final int upstreamPort;
    private final FastThreadLocal<ArrayDeque<Channel>> idle = new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<Channel> initialValue() {
            return new ArrayDeque<>();
        }
    };

    private BareForwarder(String upstreamHost, int upstreamPort) {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
    }

    public static void main(String[] argv) throws InterruptedException {
        Args args = new Args(argv);
        int port = args.number("port", 19081);
        String upstream = args.text("upstream", "127.0.0.1:18080");
        int colon = upstream.lastIndexOf(':');
        BareForwarder forwarder = new BareForwarder(upstream.substring(0, colon),
                Integer.parseInt(upstream.substring(colon + 1)));
        // the gateway's own choices: its transport (gatekit.transport), one acceptor, its worker
        // loops (nginx_config.worker_processes, auto: one per processor), the same options
        Transport transport = Transport.select(args.text("transport", "auto"));
        boolean autoWorkers = "auto".equals(args.text("workers", "auto"));
        int workerCount = autoWorkers ? 0 : args.number("workers", 0); // 0: auto, as the gateway's config
        if (!autoWorkers && workerCount < 1) {
            throw new IllegalArgumentException("--workers: " + workerCount + " (expected: auto or a number >= 1)");
        }
        EventLoopGroup boss = transport.newGroup(1);
        EventLoopGroup workers = transport.newWorkers(workerCount);
        Channel server = new ServerBootstrap().group(boss, workers).channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(8192, 8192, 65536),
                                forwarder.new ClientHandler());
                    }
                })
                .bind("127.0.0.1", port).syncUninterruptibly().channel();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }));
        System.out.println("bare forwarder on 127.0.0.1:" + port + " -> " + upstream + " (" + transport + ")");
        server.closeFuture().sync();
    }

    /** An idle upstream connection of this event loop, or a new one on it. */
    private void acquire(EventLoop loop, ClientHandler owner) {
        ArrayDeque<Channel> list = idle.get();
        Channel channel;
        while ((channel = list.pollFirst()) != null) {
            if (channel.isActive()) {
                owner.upstreamReady(channel);
                return;
            }
        }
        new Bootstrap().group(loop).channel(Transport.socketChannelFor(loop))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(4096, 8192, 65536), new UpstreamHandler());
                        // registered once per connection, not per use
                        ch.closeFuture().addListener(f -> idle.get().remove(ch));
                    }
                })
                .connect(upstreamHost, upstreamPort).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        owner.upstreamReady(f.channel());
                    } else {
                        owner.upstreamFailed();
                    }
                });
    }

    private void release(Channel channel) {
        channel.attr(OWNER).set(null);
        if (channel.isActive()) {
            idle.get().addFirst(channel);
        }
    }

    /** One client connection; one request at a time (reading pauses until its response is out). */
    private final class ClientHandler extends ChannelInboundHandlerAdapter {
        private ChannelHandlerContext ctx;
        private Channel upstream;
        private final List<Object> pending = new ArrayList<>(2);
        private boolean keepAlive;
        private boolean inFlight;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                keepAlive = HttpUtil.isKeepAlive(request);
                HttpUtil.setKeepAlive(request, true);
                inFlight = true;
                pending.add(msg);
                acquire(ctx.channel().eventLoop(), this);
            } else if (upstream != null) {
                upstream.write(msg);
            } else if (inFlight) {
                pending.add(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
            if (msg instanceof LastHttpContent) {
                ctx.channel().config().setAutoRead(false);
                if (upstream != null) {
                    upstream.flush();
                }
            }
        }

        void upstreamReady(Channel channel) {
            if (!ctx.channel().isActive()) {
                pending.forEach(ReferenceCountUtil::release);
                pending.clear();
                release(channel);
                return;
            }
            upstream = channel;
            channel.attr(OWNER).set(this);
            for (Object msg : pending) {
                channel.write(msg);
            }
            pending.clear();
            channel.flush();
        }

        void upstreamFailed() {
            pending.forEach(ReferenceCountUtil::release);
            pending.clear();
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY,
                    Unpooled.EMPTY_BUFFER)).addListener(ChannelFutureListener.CLOSE);
        }

        void upstreamRead(Object msg) {
            if (msg instanceof HttpResponse response) {
                HttpUtil.setKeepAlive(response, keepAlive);
            }
            if (!(msg instanceof LastHttpContent)) {
                ctx.write(msg);
                return;
            }
            Channel done = upstream;
            upstream = null;
            inFlight = false;
            release(done);
            if (keepAlive) {
                ctx.writeAndFlush(msg, ctx.voidPromise());
                ctx.channel().config().setAutoRead(true);
            } else {
                ctx.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
            }
        }

        void upstreamClosed() {
            upstream = null;
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            pending.forEach(ReferenceCountUtil::release);
            pending.clear();
            if (upstream != null) {
                upstream.attr(OWNER).set(null);
                upstream.close();
                upstream = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Hands an upstream connection's response to the client that owns the connection. */
    private static final class UpstreamHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ClientHandler owner = ctx.channel().attr(OWNER).get();
            if (owner == null) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            owner.upstreamRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ClientHandler owner = ctx.channel().attr(OWNER).get();
            if (owner != null) {
                owner.upstreamClosed();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
