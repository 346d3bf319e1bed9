package io.gatekit.plugins.ext;

import io.gatekit.api.metrics.Counter;
import io.gatekit.api.metrics.Metrics;
import io.gatekit.api.metrics.Timer;
import java.util.EnumMap;
import java.util.Map;

/**
 * One plugin's runner-call series, looked up once per instance (lookups allocate, recording does
 * not): {@code gatekit_ext_plugin_calls_total{plugin,result}}, where {@code result} is {@code ok}
 * or a {@link Failure#label()}; {@code gatekit_ext_plugin_degraded_total{plugin}}, failures let
 * through by {@code allow_degradation}; and {@code gatekit_ext_plugin_latency_seconds{plugin}},
 * the time from sending a call to its answer or failure.
 */
final class RunnerMetrics {

    static final String CALLS = "gatekit_ext_plugin_calls_total";
    static final String DEGRADED = "gatekit_ext_plugin_degraded_total";
    static final String LATENCY = "gatekit_ext_plugin_latency_seconds";

    private final Counter ok;
    private final Map<Failure, Counter> failures = new EnumMap<>(Failure.class);
    private final Counter degraded;
    private final Timer latency;

    RunnerMetrics(Metrics metrics, String plugin) {
        ok = metrics.counter(CALLS, "plugin", plugin, "result", "ok");
        for (Failure failure : Failure.values()) {
            failures.put(failure, metrics.counter(CALLS, "plugin", plugin, "result", failure.label()));
        }
        degraded = metrics.counter(DEGRADED, "plugin", plugin);
        latency = metrics.timer(LATENCY, "plugin", plugin);
    }

    /** A call sent at {@code startNanos} was answered and applied. */
    void succeeded(long startNanos) {
        latency.record(System.nanoTime() - startNanos);
        ok.increment();
    }

    /** A call sent at {@code startNanos} failed. */
    void failed(Failure failure, long startNanos) {
        latency.record(System.nanoTime() - startNanos);
        failures.get(failure).increment();
    }

    /** No call could be sent at all. */
    void notSent(Failure failure) {
        failures.get(failure).increment();
    }

    void degraded() {
        degraded.increment();
    }
}
