package io.gatekit.engine.internal.upstream;

import io.gatekit.api.Nullable;
import io.gatekit.api.client.HttpClient;
import io.gatekit.engine.Upstream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Every health checker of an engine, one per checked upstream resource however many routes use
 * it (APISIX's {@code healthcheck_manager}): created when a route using an upstream with
 * {@code checks} enters the config, updated when that upstream changes, stopped when the last
 * route using it leaves. Probes run on one daemon thread ("gatekit-healthcheck") started with the
 * first checker. Mutated under the engine's config lock only.
 */
public final class HealthCheckers {

    private final Map<String, UpstreamHealth> checkers = new LinkedHashMap<>();
    private final HttpClient client;
    private @Nullable ScheduledThreadPoolExecutor timer;
    private boolean closed;

    public HealthCheckers(HttpClient client) {
        this.client = client;
    }

    /**
     * A route using {@code upstream} (checked by {@code checks} under {@code key}) entered the
     * config: returns the upstream's health, created or updated.
     */
    public synchronized UpstreamHealth acquire(String key, Upstream upstream, HealthChecks checks) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        UpstreamHealth health = checkers.computeIfAbsent(key, k -> new UpstreamHealth(k, checks));
        health.users++;
        health.update(upstream, checks, probers());
        return health;
    }

    /** A route using the upstream under {@code key} left the config; the last one stops its checker. */
    public synchronized void release(String key) {
        UpstreamHealth health = checkers.get(key);
        if (health != null && --health.users <= 0) {
            checkers.remove(key);
            health.stop();
        }
    }

    /** The checker under {@code key}, or {@code null}. */
    public synchronized @Nullable UpstreamHealth get(String key) {
        return checkers.get(key);
    }

    /** Every checker's node health by resource key; for status APIs. */
    public synchronized Map<String, Map<String, Boolean>> status() {
        Map<String, Map<String, Boolean>> out = new LinkedHashMap<>();
        checkers.forEach((key, health) -> out.put(key, health.status()));
        return out;
    }

    /** Every checker as APISIX's control API shows it. */
    public synchronized java.util.List<io.gatekit.engine.HealthCheckStatus> report() {
        java.util.List<io.gatekit.engine.HealthCheckStatus> out = new java.util.ArrayList<>();
        checkers.values().forEach(health -> out.add(health.report()));
        return out;
    }

    /** Stops every checker and the probe thread. */
    public synchronized void close() {
        closed = true;
        checkers.values().forEach(UpstreamHealth::stop);
        checkers.clear();
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private ActiveProber.Factory probers() {
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, "gatekit-healthcheck");
                thread.setDaemon(true);
                return thread;
            });
            timer.setRemoveOnCancelPolicy(true);
        }
        return new ActiveProber.Factory(timer, client);
    }
}
