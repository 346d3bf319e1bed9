package io.gatekit.micrometer;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.metrics.Metrics;
import io.gatekit.engine.Engine;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Gatekit's metrics in a Micrometer {@link MeterRegistry}: what plugins record, the engine's own
 * series (the latency of each plugin phase, plugin failures, config changes) and, for an engine
 * inside the gateway, the gateway's (requests by route and status, upstream latency, requests in
 * flight). One line binds an engine:
 *
 * <pre>{@code
 * Engine engine = GatekitMicrometer.bind(Engine.builder().discoverPlugins(), meterRegistry).build();
 * }</pre>
 *
 * <p>Names are Gatekit's Prometheus names in Micrometer's dotted form, without the unit suffix
 * Micrometer adds back: the counter {@code gatekit_mirror_requests_total} is the meter
 * {@code gatekit.mirror.requests}, the timer {@code gatekit_plugin_duration_seconds} the meter
 * {@code gatekit.plugin.duration}, labels are tags. So a {@code PrometheusMeterRegistry} scrapes
 * the same series names as the built-in exporter ({@link io.gatekit.engine.MetricsRegistry}),
 * timers with the same histogram buckets; the built-in one stays the zero-dependency default.
 */
public final class GatekitMicrometer {

    private GatekitMicrometer() {
    }

    /**
     * {@link Metrics} that record into {@code registry}, for {@code Engine.Builder.metrics}.
     *
     * @param registry where the meters go
     * @return the metrics
     */
    public static Metrics metrics(MeterRegistry registry) {
        return new MicrometerMetrics(requireNonNull(registry, "registry"));
    }

    /**
     * Makes {@code builder}'s engine record into {@code registry}: the plugins' metrics and the
     * engine's own series ({@code Engine.Builder.engineMetrics}).
     *
     * @param builder the engine's builder
     * @param registry where the meters go
     * @return {@code builder}
     */
    public static Engine.Builder bind(Engine.Builder builder, MeterRegistry registry) {
        requireNonNull(builder, "builder");
        return builder.metrics(metrics(registry)).engineMetrics(true);
    }
}
