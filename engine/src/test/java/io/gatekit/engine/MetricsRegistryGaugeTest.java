package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.metrics.Gauge;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Gauges of the built-in registry: read at each scrape, replaced by a newer registration, removable. */
class MetricsRegistryGaugeTest {

    @Test
    void aGaugeIsReadWhenTheMetricsAreRendered() {
        MetricsRegistry metrics = new MetricsRegistry();
        AtomicInteger inFlight = new AtomicInteger(3);
        metrics.gauge("gatekit_mirror_in_flight", inFlight::get, "target", "http://127.0.0.1:9797");

        assertTrue(metrics.prometheusText().contains("# TYPE gatekit_mirror_in_flight gauge\n"
                + "gatekit_mirror_in_flight{target=\"http://127.0.0.1:9797\"} 3\n"), metrics.prometheusText());
        inFlight.set(7);
        assertTrue(metrics.prometheusText().contains("gatekit_mirror_in_flight{target=\"http://127.0.0.1:9797\"} 7\n"));
    }

    @Test
    void aNewerRegistrationTakesOverAndTheOlderOneCannotRemoveIt() {
        MetricsRegistry metrics = new MetricsRegistry();
        Gauge old = metrics.gauge("gatekit_pool_size", () -> 1.5);
        Gauge current = metrics.gauge("gatekit_pool_size", () -> 2);

        old.remove();
        assertTrue(metrics.prometheusText().contains("gatekit_pool_size 2\n"), metrics.prometheusText());
        assertEquals(2, current.value());

        current.remove();
        assertFalse(metrics.prometheusText().contains("gatekit_pool_size"), metrics.prometheusText());
    }

    @Test
    void aSupplierThatThrowsReadsAsNotANumberAndTheScrapeGoesOn() {
        MetricsRegistry metrics = new MetricsRegistry();
        metrics.gauge("gatekit_broken", () -> {
            throw new IllegalStateException("gone");
        });
        metrics.counter("gatekit_ok_total").increment();

        String text = metrics.prometheusText();
        assertTrue(text.contains("gatekit_broken NaN\n"), text);
        assertTrue(text.contains("gatekit_ok_total 1\n"), text);
    }
}
