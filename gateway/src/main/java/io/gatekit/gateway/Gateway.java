package io.gatekit.gateway;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.engine.Engine;
import io.gatekit.gateway.client.NettyHttpClient;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.gateway.metrics.GatewayMetrics;
import io.gatekit.gateway.admin.AdminApi;
import io.gatekit.gateway.admin.AdminRequest;
import io.gatekit.gateway.admin.AdminResponse;
import io.gatekit.gateway.proxy.ProxyContext;
import io.gatekit.gateway.proxy.ProxyHandler;
import io.gatekit.gateway.proxy.ServerCodec;
import io.gatekit.gateway.server.AdminServerHandler;
import io.gatekit.gateway.server.MetricsServerHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The standalone gateway: a Netty data plane that runs every request through the engine and
 * proxies it upstream, the APISIX-compatible Admin API, and a Prometheus endpoint.
 *
 * <pre>{@code
 * GatewayConfig config = ConfigLoader.load(Path.of("conf/config.yaml"), log::warn);
 * try (Gateway gateway = Gateway.start(config)) {
 *     gateway.awaitShutdown();
 * }
 * }</pre>
 */
public final class Gateway implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Gateway.class.getName());

    private final Engine engine;
    private final GatewayConfig config;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final NettyHttpClient outbound;
    private final List<Channel> servers = new ArrayList<>();
    private final List<AutoCloseable> extras = new ArrayList<>();
    private final ProxyContext proxy;
    private final ExtPluginRunner runner;
    private @Nullable StandaloneConfigWatcher watcher;

    private Gateway(GatewayConfig config, Engine.Builder engineBuilder) {
        this.config = config;
        this.boss = new NioEventLoopGroup(1);
        this.workers = new NioEventLoopGroup();
        this.outbound = new NettyHttpClient(workers);
        io.gatekit.engine.MetricsRegistry registry = new io.gatekit.engine.MetricsRegistry();
        GatewayMetrics metrics = new GatewayMetrics(registry);
        engineBuilder.httpClient(outbound).listener(metrics).metrics(registry);
        if (config.enabledPlugins() != null) {
            engineBuilder.enabledPlugins(config.enabledPlugins());
        }
        this.runner = ExtPluginRunner.start(config);
        runner.pluginAttributes(config.pluginAttributes()).forEach(engineBuilder::pluginAttributes);
        try {
            this.engine = engineBuilder.build();
        } catch (RuntimeException e) {
            runner.close();
            throw e;
        }
        Function<AdminRequest, AdminResponse> admin = adminApi(engine, config);
        this.proxy = new ProxyContext(engine, config, metrics, config.adminOnDataPort() ? admin : null);
        try {
            if (config.standaloneConfig() != null) {
                watcher = new StandaloneConfigWatcher(engine, config.standaloneConfig());
                watcher.start();
            }
            servers.add(bind(config.nodeHost(), config.nodePort(), new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new ServerCodec(config.maxHeaderSize()))
                            .addLast(new HttpServerExpectContinueHandler())
                            .addLast(new ProxyHandler(proxy));
                }
            }));
            if (!config.adminOnDataPort()) {
                servers.add(bind(config.adminHost(), config.adminPort(), aggregating(() -> new AdminServerHandler(admin))));
            }
            servers.add(bind(config.prometheusHost(), config.prometheusPort(),
                    aggregating(() -> new MetricsServerHandler(registry))));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (config.defaultAdminKeyInUse()) {
            LOG.log(System.Logger.Level.WARNING, "the Admin API uses the example key of the APISIX docs; change "
                    + "deployment.admin.admin_key before exposing this gateway");
        }
    }

    /**
     * Starts a gateway with every plugin found by {@link java.util.ServiceLoader}.
     *
     * @throws IllegalStateException when a port cannot be bound or the config cannot be applied
     */
    public static Gateway start(GatewayConfig config) {
        return start(config, Engine.builder().discoverPlugins());
    }

    /** Starts a gateway whose engine is configured by {@code engine} (plugins registered in code, say). */
    public static Gateway start(GatewayConfig config, Engine.Builder engine) {
        return new Gateway(requireNonNull(config, "config"), requireNonNull(engine, "engine"));
    }

    private static Function<AdminRequest, AdminResponse> adminApi(Engine engine, GatewayConfig config) {
        AdminApi.Builder builder = AdminApi.builder(engine).allowAdmin(config.allowAdmin());
        for (GatewayConfig.AdminKey key : config.adminKeys()) {
            builder.adminKey(key.name(), key.key(), "viewer".equals(key.role()) ? AdminApi.Role.VIEWER
                    : AdminApi.Role.ADMIN);
        }
        return builder.build()::handle;
    }

    private ChannelInitializer<SocketChannel> aggregating(java.util.function.Supplier<io.netty.channel.ChannelHandler> last) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ServerCodec(config.maxHeaderSize()))
                        .addLast(new HttpServerExpectContinueHandler())
                        .addLast(new HttpObjectAggregator(config.bodyBufferLimit()))
                        .addLast(last.get());
            }
        };
    }

    private Channel bind(String host, int port, ChannelInitializer<SocketChannel> initializer) {
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(initializer);
        try {
            return bootstrap.bind(host, port).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The engine the gateway runs. */
    public Engine engine() {
        return engine;
    }

    /** The data plane's bound port (useful when configured as 0). */
    public int port() {
        return ((InetSocketAddress) servers.get(0).localAddress()).getPort();
    }

    /** The Admin API's bound port (the data port when they are shared). */
    public int adminPort() {
        return config.adminOnDataPort() ? port() : ((InetSocketAddress) servers.get(1).localAddress()).getPort();
    }

    /** The Prometheus endpoint's bound port. */
    public int metricsPort() {
        return ((InetSocketAddress) servers.get(servers.size() - 1).localAddress()).getPort();
    }

    /** Blocks until the gateway's data plane is closed. */
    public void awaitShutdown() throws InterruptedException {
        servers.get(0).closeFuture().sync();
    }

    /** Registers something to close with the gateway (a runner supervisor, say). */
    public void closeWith(AutoCloseable resource) {
        extras.add(requireNonNull(resource, "resource"));
    }

    /**
     * Stops accepting connections, lets requests in flight finish (up to 10 s), then closes the
     * engine (destroying every plugin instance) and the event loops.
     */
    @Override
    public void close() {
        servers.forEach(channel -> channel.close().syncUninterruptibly());
        proxy.awaitIdle(Duration.ofSeconds(10));
        if (watcher != null) {
            watcher.close();
        }
        for (AutoCloseable extra : extras) {
            try {
                extra.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "failed to close " + extra, e);
            }
        }
        engine.close();
        runner.close();
        outbound.close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
