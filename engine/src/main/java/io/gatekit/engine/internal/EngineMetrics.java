package io.gatekit.engine.internal;

import io.gatekit.api.EngineListener;
import io.gatekit.api.Phase;
import io.gatekit.api.metrics.Counter;
import io.gatekit.api.metrics.Metrics;
import io.gatekit.api.metrics.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's own series, recorded into the engine's {@link Metrics} when the builder asks for
 * them ({@code Engine.Builder.engineMetrics}): per plugin and phase latency
 * ({@code gatekit_plugin_duration_seconds}), plugin failures ({@code gatekit_plugin_errors_total})
 * and config changes ({@code gatekit_config_changes_total}). Series are looked up once and kept,
 * so recording allocates nothing.
 */
public final class EngineMetrics implements EngineListener {

    private final Metrics metrics;
    private final Counter configApplied;
    private final Counter configRejected;
    private final Map<String, Timer[]> pluginTimers = new ConcurrentHashMap<>();

    public EngineMetrics(Metrics metrics) {
        this.metrics = metrics;
        this.configApplied = metrics.counter("gatekit_config_changes_total", "result", "applied");
        this.configRejected = metrics.counter("gatekit_config_changes_total", "result", "rejected");
    }

    @Override
    public void pluginPhase(String plugin, Phase phase, String routeId, long nanos) {
        Timer[] timers = pluginTimers.get(plugin);
        if (timers == null) {
            timers = pluginTimers.computeIfAbsent(plugin, this::timersOf);
        }
        timers[phase.ordinal()].record(nanos);
    }

    /** One timer per phase of {@code plugin}, looked up once instead of on every call. */
    private Timer[] timersOf(String plugin) {
        Timer[] timers = new Timer[Phase.values().length];
        for (Phase phase : Phase.values()) {
            timers[phase.ordinal()] = metrics.timer("gatekit_plugin_duration_seconds", "plugin", plugin,
                    "phase", phase.apisixName());
        }
        return timers;
    }

    @Override
    public void pluginFailed(String plugin, Phase phase, String routeId, Throwable error) {
        metrics.counter("gatekit_plugin_errors_total", "plugin", plugin, "phase", phase.apisixName(),
                "route", routeId).increment();
    }

    @Override
    public void configApplied(long version) {
        configApplied.increment();
    }

    @Override
    public void configRejected(List<String> reasons) {
        configRejected.increment();
    }
}
