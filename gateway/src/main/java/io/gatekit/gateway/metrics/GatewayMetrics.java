package io.gatekit.gateway.metrics;

import io.gatekit.api.EngineListener;
import io.gatekit.api.Phase;
import io.gatekit.api.metrics.Counter;
import io.gatekit.engine.MetricsRegistry;
import java.util.List;

/**
 * The gateway's own numbers, recorded into the engine's registry so one scrape shows everything:
 * requests by route and status, request and upstream latency, and (as the engine's listener)
 * per-plugin, per-phase time and errors.
 */
public final class GatewayMetrics implements EngineListener {

    private final MetricsRegistry registry;
    private final Counter configApplied;
    private final Counter configRejected;

    public GatewayMetrics(MetricsRegistry registry) {
        this.registry = registry;
        this.configApplied = registry.counter("gatekit_config_changes_total", "result", "applied");
        this.configRejected = registry.counter("gatekit_config_changes_total", "result", "rejected");
    }

    /** One finished request. */
    public void request(String route, int status, long nanos) {
        registry.counter("gatekit_http_requests_total", "route", route, "code", Integer.toString(status)).increment();
        registry.timer("gatekit_http_request_duration_seconds", "route", route).record(nanos);
    }

    /** Time from sending a request upstream to its response head. */
    public void upstreamLatency(String route, long nanos) {
        registry.timer("gatekit_upstream_latency_seconds", "route", route).record(nanos);
    }

    /** A node that could not be reached. */
    public void upstreamFailure(String route, String node) {
        registry.counter("gatekit_upstream_failures_total", "route", route, "node", node).increment();
    }

    @Override
    public void pluginPhase(String plugin, Phase phase, String routeId, long nanos) {
        registry.timer("gatekit_plugin_duration_seconds", "plugin", plugin, "phase", phase.apisixName()).record(nanos);
    }

    @Override
    public void pluginFailed(String plugin, Phase phase, String routeId, Throwable error) {
        registry.counter("gatekit_plugin_errors_total", "plugin", plugin, "phase", phase.apisixName(),
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
