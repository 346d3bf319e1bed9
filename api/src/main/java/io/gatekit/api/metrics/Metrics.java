package io.gatekit.api.metrics;

import java.util.function.DoubleSupplier;

/**
 * Where a plugin records its own numbers: counters, timers and gauges. The host exports them (the gateway in Prometheus
 * format); without a host exporter they are kept in memory and cost a few atomic adds. Look up
 * each series once, when the instance is created, and keep it: lookups allocate, recording does
 * not.
 *
 * <pre>{@code
 * Counter dropped = context.metrics().counter("gatekit_mirror_dropped_total",
 *         "route", routeId, "target", host);
 * dropped.increment();
 * }</pre>
 *
 * <p>Names follow Prometheus conventions ({@code snake_case}, counters end in {@code _total});
 * labels are alternating names and values.
 */
public interface Metrics {

    /**
     * The counter for {@code name} and {@code labels}; the same series returns the same counter.
     *
     * @param name the metric name
     * @param labels label names and values, alternating
     * @return the counter of that series
     */
    Counter counter(String name, String... labels);

    /**
     * The latency timer for {@code name} and {@code labels}.
     *
     * @param name the metric name
     * @param labels label names and values, alternating
     * @return the timer of that series
     */
    Timer timer(String name, String... labels);

    /**
     * Exports {@code value} as the gauge {@code name} with {@code labels}: a number read when the
     * metrics are exported (copies in flight, a pool's size), not recorded. Registering a series
     * again replaces its value (a new instance of a plugin after a config change takes over);
     * {@link Gauge#remove()} stops exporting it.
     *
     * @param name the metric name
     * @param value read at each export; fast, thread-safe, never throws
     * @param labels label names and values, alternating
     * @return the gauge, to read or remove
     */
    Gauge gauge(String name, DoubleSupplier value, String... labels);
}
