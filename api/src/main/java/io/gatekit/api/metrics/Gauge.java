package io.gatekit.api.metrics;

/**
 * A value exported as it is when read (copies in flight, say), from
 * {@link Metrics#gauge(String, java.util.function.DoubleSupplier, String...)}. Thread-safe.
 */
public interface Gauge {

    /** {@return the value now} */
    double value();

    /**
     * Stops exporting this series, unless it was registered again since (then the newer
     * registration stays). A plugin instance removes its gauges when it closes.
     */
    void remove();
}
