package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.engine.Engine;
import io.gatekit.gateway.accesslog.AccessLogFormat;
import io.gatekit.gateway.accesslog.AccessLogWriter;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.gateway.metrics.ApisixMetrics;
import io.gatekit.gateway.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * What every client connection of the data plane shares: the engine, the upstream pool, the
 * limits, and a count of requests in flight for graceful shutdown.
 */
public final class ProxyContext {

    final Engine engine;
    final UpstreamPool pool;
    final GatewayMetrics metrics;
    /** The access log, or {@code null} when {@code nginx_config.http.enable_access_log} is false. */
    final @Nullable AccessLog accessLog;
    private final GatewayConfig config;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder accepted = new java.util.concurrent.atomic.LongAdder();
    /** APISIX's metric names ({@code gatekit.apisix_metrics}), or {@code null} when off. */
    @Nullable ApisixMetrics apisix;

    public ProxyContext(Engine engine, GatewayConfig config, GatewayMetrics metrics) {
        this(engine, config, metrics, null, null);
    }

    /**
     * @param accessLog      where access log lines go, or {@code null} for none
     * @param accessLogFormat the lines' format (required with {@code accessLog})
     */
    public ProxyContext(Engine engine, GatewayConfig config, GatewayMetrics metrics,
            @Nullable AccessLogWriter accessLog, @Nullable AccessLogFormat accessLogFormat) {
        this.accessLog = accessLog == null || accessLogFormat == null ? null
                : new AccessLog(accessLogFormat, accessLog);
        this.engine = engine;
        this.config = config;
        this.metrics = metrics;
        this.pool = new UpstreamPool(config.maxHeaderSize());
        metrics.inFlight(active::get);
    }

    /** Records APISIX's series too, from now on. */
    public void apisixMetrics(ApisixMetrics metrics) {
        this.apisix = metrics;
    }

    /** A client connection was accepted; it counts as open until it closes. */
    void connectionOpened(io.netty.channel.Channel channel) {
        connections.incrementAndGet();
        accepted.increment();
        channel.closeFuture().addListener(f -> connections.decrementAndGet());
    }

    /** The data plane's client connections open now. */
    public int openConnections() {
        return connections.get();
    }

    /** The data plane's client connections accepted since the start. */
    public long acceptedConnections() {
        return accepted.sum();
    }

    /** The node config. */
    GatewayConfig config() {
        return config;
    }

    void started() {
        active.incrementAndGet();
    }

    void ended() {
        active.decrementAndGet();
    }

    /** Waits until no request is in flight, or {@code timeout} passed. */
    public void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (active.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
        }
    }
}
