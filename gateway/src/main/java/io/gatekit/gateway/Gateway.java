package io.gatekit.gateway;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.config.etcd.EtcdConfigSource;
import io.gatekit.engine.ConfigSource;
import io.gatekit.engine.Engine;
import io.gatekit.engine.StandaloneConfig;
import io.gatekit.engine.Upstream;
import io.gatekit.gateway.client.NettyHttpClient;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.gateway.metrics.ApisixMetrics;
import io.gatekit.gateway.metrics.EtcdReachability;
import io.gatekit.gateway.metrics.GatewayMetrics;
import io.gatekit.gateway.accesslog.AccessLogFormat;
import io.gatekit.gateway.accesslog.AccessLogWriter;
import io.gatekit.gateway.admin.AdminApi;
import io.gatekit.gateway.admin.AdminRequest;
import io.gatekit.gateway.admin.AdminResponse;
import io.gatekit.gateway.proxy.DataPlaneInitializer;
import io.gatekit.gateway.proxy.ProxyContext;
import io.gatekit.gateway.proxy.ServerCodec;
import io.gatekit.gateway.server.AdminServerHandler;
import io.gatekit.gateway.server.ControlServerHandler;
import io.gatekit.gateway.server.MetricsServerHandler;
import io.gatekit.gateway.tls.CertificateCatalog;
import io.gatekit.gateway.server.StatusServerHandler;
import io.gatekit.gateway.tracing.GatewayTracing;
import io.gatekit.gateway.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
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
 * <p>The config lives where {@link GatewayConfig} says: in this node's memory (the default), in a
 * standalone {@code apisix.yaml} file (read-only), or in etcd, shared by every node of a cluster
 * ({@code deployment.role_traditional.config_provider: etcd}, see
 * {@link io.gatekit.config.etcd.EtcdConfigSource}). The Admin API writes through that source.
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
    private final Transport transport;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final NettyHttpClient outbound;
    private final List<Channel> servers = new ArrayList<>();
    private final List<AutoCloseable> extras = new ArrayList<>();
    private final ProxyContext proxy;
    private final ExtPluginRunner runner;
    private final ConfigSource source;
    private final EventExecutorGroup adminExecutor;
    private final @Nullable GatewayTracing tracing;
    private final CertificateCatalog certificates;
    private final List<Channel> tlsServers = new ArrayList<>();
    /** The status API's listener ({@code apisix.status}), or {@code null} when not configured. */
    private @Nullable Channel statusServer;
    /** The control API's listener ({@code apisix.enable_control}), or {@code null} when off. */
    private @Nullable Channel controlServer;
    /** Whether the config source has loaded the config: {@code /status/ready} answers 200 from then on. */
    private volatile boolean configLoaded;

    private Gateway(GatewayConfig config, Engine.Builder engineBuilder) {
        this.config = config;
        // APISIX's opentelemetry plugin, exporting as plugin_attr.opentelemetry says; a bad value
        // there stops the start with the key named, before any thread is started
        boolean tracingEnabled = config.enabledPlugins() == null || config.enabledPlugins().contains(GatewayTracing.PLUGIN);
        this.tracing = tracingEnabled ? GatewayTracing.create(config.pluginAttributes().get(GatewayTracing.PLUGIN)) : null;
        this.transport = Transport.select(config.transport());
        this.boss = transport.newGroup(1);
        this.workers = transport.newWorkers(config.workerProcesses());
        this.outbound = new NettyHttpClient(workers);
        // the engine's metrics: a MetricsRegistry served on the Prometheus port unless the builder
        // was given other Metrics (gatekit-micrometer's), which then hold the gateway's series too
        engineBuilder.httpClient(outbound).engineMetrics(true)
                .upstreamTimeouts(new Upstream.Timeouts(seconds(config.upstreamConnectTimeout()),
                        seconds(config.upstreamSendTimeout()), seconds(config.upstreamReadTimeout())))
                .bodyBufferLimit(config.bodyBufferLimit());
        if (config.enabledPlugins() != null) {
            engineBuilder.enabledPlugins(config.enabledPlugins());
        }
        if (tracing != null) {
            engineBuilder.plugin(tracing.plugin());
        }
        this.runner = ExtPluginRunner.start(config);
        runner.pluginAttributes(config.pluginAttributes()).forEach(engineBuilder::pluginAttributes);
        try {
            this.engine = engineBuilder.build();
        } catch (RuntimeException e) {
            runner.close();
            if (tracing != null) {
                tracing.close();
            }
            throw e;
        }
        this.source = source(config);
        GatewayMetrics metrics = new GatewayMetrics(engine.metrics());
        Function<AdminRequest, AdminResponse> admin = adminApi(engine, source, config);
        this.certificates = new CertificateCatalog(engine, config.tls());
        GatewayConfig.Operations ops = config.operations();
        if (ops.accessLog() != null) {
            // the file is opened here: a path the gateway cannot write stops the start, naming the key
            AccessLogWriter writer = new AccessLogWriter(ops.accessLog(), 16_384);
            closeWith(writer);
            engine.metrics().gauge("gatekit_access_log_dropped_lines", () -> (double) writer.dropped());
            this.proxy = new ProxyContext(engine, config, metrics, writer,
                    AccessLogFormat.compile(ops.accessLogFormat(), "nginx_config.http.access_log_format"));
        } else {
            this.proxy = new ProxyContext(engine, config, metrics);
        }
        metrics.connectionsAndJvm(proxy::openConnections, proxy::acceptedConnections);
        ApisixMetrics apisixMetrics = null;
        if (ops.apisixMetrics()) {
            GatewayConfig.Etcd etcd = config.etcd();
            apisixMetrics = new ApisixMetrics(engine, etcd != null ? etcd.prefix() : "/apisix", GatewayMain.version(),
                    etcd != null, etcd != null ? new EtcdReachability(etcd.hosts().get(0)) : () -> false,
                    proxy::openConnections, proxy::acceptedConnections);
            proxy.apisixMetrics(apisixMetrics);
        }
        ApisixMetrics apisix = apisixMetrics;
        // Admin writes may wait for etcd: they run here, never on the data plane's event loops
        this.adminExecutor = new DefaultEventExecutorGroup(1, r -> {
            Thread thread = new Thread(r, "gatekit-admin");
            thread.setDaemon(true);
            return thread;
        });
        try {
            if (ops.statusHost() != null) {
                // bound before the config loads, so that /status/ready can say it has not yet
                statusServer = bind(ops.statusHost(), ops.statusPort(),
                        aggregating(null, () -> new StatusServerHandler(() -> configLoaded)));
            }
            source.start(engine);
            configLoaded = true;
            Function<AdminRequest, AdminResponse> dataPortAdmin = config.adminOnDataPort() ? admin : null;
            servers.add(bind(config.nodeHost(), config.nodePort(),
                    new DataPlaneInitializer(proxy, dataPortAdmin, null, config.tls().http2())));
            if (config.tls().enabled()) {
                for (GatewayConfig.Listen listen : config.tls().listen()) {
                    tlsServers.add(bind(listen.ip(), listen.port(),
                            new DataPlaneInitializer(proxy, dataPortAdmin, certificates, config.tls().http2())));
                }
                LOG.log(System.Logger.Level.INFO, "TLS on " + config.tls().listen().size() + " listener(s) with "
                        + certificates.provider());
            }
            if (ops.controlHost() != null) {
                String prefix = config.etcd() != null ? config.etcd().prefix() : "/apisix";
                controlServer = bind(ops.controlHost(), ops.controlPort(),
                        aggregating(null, () -> new ControlServerHandler(engine, prefix)));
            }
            if (!config.adminOnDataPort()) {
                servers.add(bind(config.adminHost(), config.adminPort(), aggregating(adminExecutor,
                        () -> new AdminServerHandler(admin))));
            }
            servers.add(bind(config.prometheusHost(), config.prometheusPort(),
                    aggregating(null, () -> new MetricsServerHandler(engine.metrics(),
                            apisix == null ? () -> "" : apisix::prometheusText))));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (config.etcd() != null && config.adminOnDataPort()) {
            LOG.log(System.Logger.Level.WARNING, "the Admin API shares the data port while the config is in etcd: "
                    + "its writes wait for etcd on a data plane event loop; give deployment.admin.admin_listen.port "
                    + "a port of its own");
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

    private static double seconds(java.time.Duration duration) {
        return duration.toNanos() / 1e9;
    }

    /** Where the config lives: etcd, the standalone file, or this node's memory. */
    private static ConfigSource source(GatewayConfig config) {
        GatewayConfig.Etcd etcd = config.etcd();
        if (etcd != null) {
            return EtcdConfigSource.builder().endpoints(etcd.hosts()).prefix(etcd.prefix()).timeout(etcd.timeout())
                    .build();
        }
        if (config.standaloneConfig() != null) {
            return StandaloneConfig.file(config.standaloneConfig());
        }
        return ConfigSource.memory();
    }

    private static Function<AdminRequest, AdminResponse> adminApi(Engine engine, ConfigSource source,
            GatewayConfig config) {
        AdminApi.Builder builder = AdminApi.builder(engine).source(source).allowAdmin(config.allowAdmin());
        if (config.etcd() != null) {
            builder.keyPrefix(config.etcd().prefix());
        }
        for (GatewayConfig.AdminKey key : config.adminKeys()) {
            builder.adminKey(key.name(), key.key(), "viewer".equals(key.role()) ? AdminApi.Role.VIEWER
                    : AdminApi.Role.ADMIN);
        }
        return builder.build()::handle;
    }

    private ChannelInitializer<SocketChannel> aggregating(@Nullable EventExecutorGroup group,
            java.util.function.Supplier<io.netty.channel.ChannelHandler> last) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ServerCodec(config.maxHeaderSize()))
                        .addLast(new HttpServerExpectContinueHandler())
                        .addLast(new HttpObjectAggregator(config.bodyBufferLimit()))
                        .addLast(group, "handler", last.get());
            }
        };
    }

    private Channel bind(String host, int port, ChannelInitializer<SocketChannel> initializer) {
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers).channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(initializer);
        try {
            return bootstrap.bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) {
            // Netty rethrows the checked BindException undeclared; let it escape and the gateway
            // would not be closed, its non-daemon threads keeping a failed process alive
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * The engine the gateway runs. Its write methods change this node only: with etcd, change the
     * config through the Admin API (or etcd) so that every node gets it.
     */
    public Engine engine() {
        return engine;
    }

    /** The data plane's bound port (useful when configured as 0). */
    public int port() {
        return ((InetSocketAddress) servers.get(0).localAddress()).getPort();
    }

    /** The bound port of TLS listener {@code index} ({@code apisix.ssl.listen[index]}). */
    public int tlsPort(int index) {
        return ((InetSocketAddress) tlsServers.get(index).localAddress()).getPort();
    }

    /** The Admin API's bound port (the data port when they are shared). */
    public int adminPort() {
        return config.adminOnDataPort() ? port() : ((InetSocketAddress) servers.get(1).localAddress()).getPort();
    }

    /** The Prometheus endpoint's bound port. */
    public int metricsPort() {
        return ((InetSocketAddress) servers.get(servers.size() - 1).localAddress()).getPort();
    }

    /** The status API's bound port; -1 when {@code apisix.status} is not configured. */
    public int statusPort() {
        Channel status = statusServer;
        return status == null ? -1 : ((InetSocketAddress) status.localAddress()).getPort();
    }

    /** The socket transport the gateway's event loops run ({@code gatekit.transport}). */
    public Transport transport() {
        return transport;
    }

    /** The control API's bound port; -1 when {@code apisix.enable_control} is false. */
    public int controlPort() {
        Channel control = controlServer;
        return control == null ? -1 : ((InetSocketAddress) control.localAddress()).getPort();
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
        tlsServers.forEach(channel -> channel.close().syncUninterruptibly());
        if (statusServer != null) {
            statusServer.close().syncUninterruptibly();
        }
        if (controlServer != null) {
            controlServer.close().syncUninterruptibly();
        }
        proxy.awaitIdle(Duration.ofSeconds(10));
        source.close();
        for (AutoCloseable extra : extras) {
            try {
                extra.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "failed to close " + extra, e);
            }
        }
        engine.close();
        if (tracing != null) {
            tracing.close(); // after the engine: the last calls' spans are exported too
        }
        runner.close();
        outbound.close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        // after the workers: closing admin connections still hands events to this executor
        adminExecutor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
