package io.gatekit.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.metrics.Counter;
import io.gatekit.api.metrics.Gauge;
import io.gatekit.api.metrics.Metrics;
import io.gatekit.api.metrics.Timer;
import io.gatekit.engine.Call;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The engine's and the plugins' metrics in a real Micrometer registry, and Prometheus output through it. */
class GatekitMicrometerTest {

    private final AtomicInteger inFlight = new AtomicInteger(4);

    /** A plugin that counts, times and exports a gauge, as a real plugin records its own work. */
    private PluginFactory<Void> counting() {
        return PluginFactory.of("counting", 10, "{\"type\": \"object\"}", Void.class, (config, context) -> {
            Counter hits = context.metrics().counter("gatekit_counting_hits_total", "route", "1");
            Timer work = context.metrics().timer("gatekit_counting_work_seconds");
            context.metrics().gauge("gatekit_counting_in_flight", inFlight::get);
            return new Plugin() {
                @Override
                public Outcome access(Exchange exchange) {
                    hits.increment();
                    work.record(2_000_000);
                    return Outcome.respond(200, "counted");
                }
            };
        });
    }

    private static void request(Engine engine) {
        Call call = engine.newCall(HttpRequest.builder().uri("/count").build());
        Outcome outcome = call.runRequestPhases();
        call.localResponse(outcome.response());
        call.complete();
    }

    private static Engine engine(MeterRegistry registry, PluginFactory<?> plugin) {
        Engine engine = GatekitMicrometer.bind(Engine.builder().plugin(plugin), registry).build();
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/count\", \"plugins\": {\"counting\": {}}}");
        return engine;
    }

    @Test
    void thePluginsAndTheEnginesMetricsLandInTheMeterRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Engine engine = engine(registry, counting())) {
            request(engine);
            request(engine);

            assertEquals(2.0, registry.get("gatekit.counting.hits").tag("route", "1").counter().count());
            assertEquals(2, registry.get("gatekit.counting.work").timer().count());
            assertEquals(4.0, registry.get("gatekit.counting.in.flight").gauge().value());
            assertEquals(2, registry.get("gatekit.plugin.duration").tag("plugin", "counting").tag("phase", "access")
                    .timer().count(), "the engine times each plugin phase into the same registry");
            assertEquals(1.0, registry.get("gatekit.config.changes").tag("result", "applied").counter().count());
            assertEquals(2, engine.metrics().counter("gatekit_counting_hits_total", "route", "1").count(),
                    "the engine's Metrics read back what Micrometer holds");
        }
    }

    @Test
    void aPrometheusRegistryScrapesTheSameSeriesNamesAsTheBuiltInExporter() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Engine engine = engine(registry, counting())) {
            request(engine);

            String scrape = registry.scrape();
            assertTrue(scrape.contains("gatekit_counting_hits_total{route=\"1\"} 1"), scrape);
            assertTrue(scrape.contains("gatekit_plugin_duration_seconds_bucket{phase=\"access\",plugin=\"counting\",le=\"0.005\"}"),
                    scrape);
            assertTrue(scrape.contains("gatekit_counting_work_seconds_count 1"), scrape);
            assertTrue(scrape.contains("gatekit_counting_in_flight 4"), scrape);
            assertTrue(scrape.contains("gatekit_config_changes_total{result=\"applied\"} 1"), scrape);
        }
    }

    @Test
    void aGaugeRegisteredAgainTakesOverAndOnlyItsLatestOwnerRemovesIt() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics metrics = GatekitMicrometer.metrics(registry);
        Gauge old = metrics.gauge("gatekit_pool_size", () -> 1, "pool", "a");
        Gauge current = metrics.gauge("gatekit_pool_size", () -> 2, "pool", "a");

        old.remove();
        assertEquals(2.0, registry.get("gatekit.pool.size").tag("pool", "a").gauge().value());
        current.remove();
        assertTrue(registry.find("gatekit.pool.size").gauges().isEmpty());
    }

    @Test
    void badNamesAndLabelsAreRefusedAsTheBuiltInRegistryRefusesThem() {
        Metrics metrics = GatekitMicrometer.metrics(new SimpleMeterRegistry());

        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> metrics.counter("gatekit-bad"));
        assertEquals("name: \"gatekit-bad\" (expected: a Prometheus metric name)", name.getMessage());
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> metrics.timer("gatekit_ok_seconds", "route"));
        assertEquals("labels: [route] (expected: alternating names and values)", labels.getMessage());
        assertThrows(IllegalArgumentException.class, () -> metrics.counter("gatekit_ok_total").add(-1));
    }

    @Test
    void timersKeepNanosecondsAsTheyWereRecorded() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Timer timer = GatekitMicrometer.metrics(registry).timer("gatekit_step_seconds");
        timer.record(1_500);
        timer.record(2_500);

        assertEquals(2, timer.count());
        assertEquals(4_000, timer.totalNanos());
        assertEquals(4_000, (long) registry.get("gatekit.step").timer().totalTime(TimeUnit.NANOSECONDS));
        assertFalse(registry.getMeters().isEmpty());
    }
}
