package io.gatekit.gateway.metrics;

import io.gatekit.api.metrics.Counter;
import io.gatekit.api.metrics.Metrics;
import io.gatekit.api.metrics.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;

/**
 * The gateway's own numbers, recorded into the engine's {@link Metrics} so one scrape (or one
 * Micrometer registry) shows everything: requests by route and status, request and upstream
 * latency, upstream failures and requests in flight. The engine records the per plugin and phase
 * series itself ({@code Engine.Builder.engineMetrics}).
 */
public final class GatewayMetrics {

    private final Metrics registry;
    private final Map<String, RouteSeries> routes = new ConcurrentHashMap<>();

    public GatewayMetrics(Metrics registry) {
        this.registry = registry;
    }

    /** Exports how many requests are being served now ({@code gatekit_http_requests_in_flight}). */
    public void inFlight(IntSupplier requests) {
        registry.gauge("gatekit_http_requests_in_flight", requests::getAsInt);
    }

    /**
     * Exports the data plane's client connections ({@code gatekit_http_connections}: open now,
     * {@code gatekit_http_connections_accepted}: since the start) and the JVM's heap, non-heap,
     * threads and collections ({@code gatekit_jvm_*}).
     */
    public void connectionsAndJvm(IntSupplier open, java.util.function.LongSupplier accepted) {
        registry.gauge("gatekit_http_connections", open::getAsInt);
        registry.gauge("gatekit_http_connections_accepted", accepted::getAsLong);
        java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        registry.gauge("gatekit_jvm_memory_used_bytes", () -> memory.getHeapMemoryUsage().getUsed(), "area", "heap");
        registry.gauge("gatekit_jvm_memory_used_bytes", () -> memory.getNonHeapMemoryUsage().getUsed(),
                "area", "nonheap");
        registry.gauge("gatekit_jvm_memory_max_bytes", () -> memory.getHeapMemoryUsage().getMax(), "area", "heap");
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        registry.gauge("gatekit_jvm_threads_live", threads::getThreadCount);
        for (java.lang.management.GarbageCollectorMXBean gc
                : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            registry.gauge("gatekit_jvm_gc_collections", gc::getCollectionCount, "gc", gc.getName());
            registry.gauge("gatekit_jvm_gc_seconds", () -> gc.getCollectionTime() / 1000.0, "gc", gc.getName());
        }
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

    /**
     * The series of one route, looked up without building label strings on every request; a
     * request that records more than once keeps it rather than looking it up again.
     */
    public RouteSeries route(String route) {
        RouteSeries series = routes.get(route);
        return series != null ? series : routes.computeIfAbsent(route, RouteSeries::new);
    }

    /** The request series of one route. */
    public final class RouteSeries {
        private final String route;
        private final Timer duration;
        private final Timer upstream;
        private final Map<Integer, Counter> byStatus = new ConcurrentHashMap<>();
        /** The counters of statuses 100..599, by {@code status - 100}, filled as they are first seen. */
        private final AtomicReferenceArray<Counter> common = new AtomicReferenceArray<>(500);

        private RouteSeries(String route) {
            this.route = route;
            this.duration = registry.timer("gatekit_http_request_duration_seconds", "route", route);
            this.upstream = registry.timer("gatekit_upstream_latency_seconds", "route", route);
        }

        /** One finished request. */
        public void request(int status, long nanos) {
            requests(status).increment();
            duration.record(nanos);
        }

        /** Time from sending a request upstream to its response head. */
        public void upstreamLatency(long nanos) {
            upstream.record(nanos);
        }

        private Counter requests(int status) {
            // the usual statuses without boxing the code (an Integer per request above 127)
            int slot = status - 100;
            if (slot >= 0 && slot < common.length()) {
                Counter counter = common.get(slot);
                if (counter == null) {
                    counter = byStatus.computeIfAbsent(status, code -> registry.counter("gatekit_http_requests_total",
                            "route", route, "code", Integer.toString(code)));
                    common.set(slot, counter);
                }
                return counter;
            }
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
}
