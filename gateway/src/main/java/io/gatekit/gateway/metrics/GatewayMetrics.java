package io.gatekit.gateway.metrics;

import io.gatekit.api.EngineListener;
import io.gatekit.api.Phase;
import io.gatekit.api.metrics.Counter;
import io.gatekit.api.metrics.Timer;
import io.gatekit.engine.MetricsRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's own numbers, recorded into the engine's registry so one scrape shows everything:
 * requests by route and status, request and upstream latency, and (as the engine's listener)
 * per-plugin, per-phase time and errors.
 */
public final class GatewayMetrics implements EngineListener {

    private final MetricsRegistry registry;
    private final Counter configApplied;
    private final Counter configRejected;
    private final Map<String, RouteSeries> routes = new ConcurrentHashMap<>();
    private final Map<String, Timer[]> pluginTimers = new ConcurrentHashMap<>();

    public GatewayMetrics(MetricsRegistry registry) {
        this.registry = registry;
        this.configApplied = registry.counter("gatekit_config_changes_total", "result", "applied");
        this.configRejected = registry.counter("gatekit_config_changes_total", "result", "rejected");
    }

    /** One finished request. */
    public void request(String route, int status, long nanos) {
        RouteSeries series = route(route);
        series.requests(status).increment();
        series.duration.record(nanos);
    }

    /** Time from sending a request upstream to its response head. */
    public void upstreamLatency(String route, long nanos) {
        route(route).upstream.record(nanos);
    }

    /** The series of one route, looked up without building label strings on every request. */
    private RouteSeries route(String route) {
        RouteSeries series = routes.get(route);
        return series != null ? series : routes.computeIfAbsent(route, RouteSeries::new);
    }

    private final class RouteSeries {
        private final String route;
        private final Timer duration;
        private final Timer upstream;
        private final Map<Integer, Counter> byStatus = new ConcurrentHashMap<>();

        RouteSeries(String route) {
            this.route = route;
            this.duration = registry.timer("gatekit_http_request_duration_seconds", "route", route);
            this.upstream = registry.timer("gatekit_upstream_latency_seconds", "route", route);
        }

        Counter requests(int status) {
            Counter counter = byStatus.get(status);
            return counter != null ? counter : byStatus.computeIfAbsent(status, code ->
                    registry.counter("gatekit_http_requests_total", "route", route, "code", Integer.toString(code)));
        }
    }

    /** A node that could not be reached. */
    public void upstreamFailure(String route, String node) {
        registry.counter("gatekit_upstream_failures_total", "route", route, "node", node).increment();
    }

    /**
     * An upstream that closed its connection before the end of a response it had begun: short of
     * its Content-Length, or chunked without the last chunk.
     */
    public void upstreamResponseCut(String route, String node) {
        registry.counter("gatekit_upstream_cut_responses_total", "route", route, "node", node).increment();
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
            timers[phase.ordinal()] = registry.timer("gatekit_plugin_duration_seconds", "plugin", plugin,
                    "phase", phase.apisixName());
        }
        return timers;
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
