package io.gatekit.engine.internal;

import io.gatekit.api.Nullable;
import io.gatekit.engine.internal.route.Router;
import io.gatekit.engine.internal.route.ShardedMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One immutable, versioned config in force: the stored resources, the compiled routes and the
 * router. Requests pin the snapshot they started on ({@link #acquire()}) and release it when
 * done. The plugin instances a change drops stay open until every snapshot that may still run
 * them has been retired and drained of requests: each such snapshot {@link #hold holds} them,
 * and lets them go when its last request finishes.
 */
final class Snapshot {

    private final long version;
    private final ConfigState state;
    private final Router<CompiledRoute> router;
    private final ShardedMap<String, CompiledRoute> routes;
    private final CompiledRoute globalOnly;
    private final List<PluginEntry> globals;
    private final Map<String, io.gatekit.engine.Upstream> upstreams;
    private final ConsumerSet consumers;
    private final ConsumerMerge consumerRoutes = new ConsumerMerge();
    /**
     * Requests in flight, plus {@link #RETIRED} once this snapshot is replaced: one word, so that
     * "the last request left a retired snapshot" is decided on one value. With the count and the
     * flag apart, a request leaving before the retirement could read the flag after it, and
     * drain the snapshot under a request that pinned it in between.
     */
    private final AtomicInteger pins = new AtomicInteger();
    private static final int RETIRED = 1 << 30;
    private final AtomicBoolean released = new AtomicBoolean();
    /** Instances to release once drained; {@code null} once drained. Guarded by {@code this}. */
    private @Nullable List<PluginInstance> held = new ArrayList<>();

    Snapshot(long version, ConfigState state, Router<CompiledRoute> router, ShardedMap<String, CompiledRoute> routes,
            CompiledRoute globalOnly, List<PluginEntry> globals, Map<String, io.gatekit.engine.Upstream> upstreams) {
        this(version, state, router, routes, globalOnly, globals, upstreams, ConsumerSet.EMPTY);
    }

    Snapshot(long version, ConfigState state, Router<CompiledRoute> router, ShardedMap<String, CompiledRoute> routes,
            CompiledRoute globalOnly, List<PluginEntry> globals, Map<String, io.gatekit.engine.Upstream> upstreams,
            ConsumerSet consumers) {
        this.consumers = consumers;
        this.version = version;
        this.state = state;
        this.router = router;
        this.routes = routes;
        this.globalOnly = globalOnly;
        this.globals = globals;
        this.upstreams = upstreams;
    }

    /** The version; increases with every applied change. */
    public long version() {
        return version;
    }

    /** The stored resources this snapshot was built from. */
    public ConfigState state() {
        return state;
    }

    /** The router over enabled routes. */
    public Router<CompiledRoute> router() {
        return router;
    }

    /** A compiled route by id, or {@code null}. */
    public @Nullable CompiledRoute route(String id) {
        return routes.get(id);
    }

    /** All compiled routes by id. */
    ShardedMap<String, CompiledRoute> routes() {
        return routes;
    }

    /** The chain of global rules, for requests that match no route. */
    public CompiledRoute globalOnly() {
        return globalOnly;
    }

    /** The entries of the global rules, in order, as every route runs them first. */
    List<PluginEntry> globals() {
        return globals;
    }

    /** Upstreams referred to by id, keyed {@code id@modifiedIndex}, for reuse by the next snapshot. */
    Map<String, io.gatekit.engine.Upstream> upstreams() {
        return upstreams;
    }

    /** The consumers and consumer groups. */
    ConsumerSet consumers() {
        return consumers;
    }

    /**
     * {@code route} with {@code consumer}'s plugins and its group's laid over it, or
     * {@code route} itself when they bring none; {@code null} when the consumer's group is
     * missing (APISIX answers 503).
     */
    @Nullable CompiledRoute withConsumer(CompiledRoute route, ConsumerSet.Found consumer) {
        ConsumerSet.Level group = null;
        if (consumer.groupId() != null) {
            group = consumers.group(consumer.groupId());
            if (group == null) {
                return null;
            }
        }
        return consumerRoutes.merge(route, consumer, group, globals);
    }

    /** Pins this snapshot for a request; the caller checks it is still current afterwards. */
    void acquire() {
        pins.incrementAndGet();
    }

    /** Unpins; the last request out of a retired snapshot releases what it holds. */
    public void release() {
        if (pins.decrementAndGet() == RETIRED) {
            drain();
        }
    }

    /** Marks this snapshot replaced; lets go of what it holds now if no request uses it. */
    void retire() {
        if (pins.accumulateAndGet(RETIRED, (current, flag) -> current | flag) == RETIRED) {
            drain();
        }
    }

    /** Requests still running on this snapshot. */
    int inFlight() {
        return pins.get() & ~RETIRED;
    }

    /**
     * Keeps {@code instance} open until this snapshot is drained, since a request on it may still
     * run the instance; returns false, holding nothing, if it is drained already.
     */
    synchronized boolean hold(PluginInstance instance) {
        if (held == null) {
            return false;
        }
        instance.retain();
        held.add(instance);
        return true;
    }

    /** Whether this snapshot was retired and its last request has finished. */
    synchronized boolean drained() {
        return held == null;
    }

    private void drain() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        List<PluginInstance> toRelease;
        synchronized (this) {
            toRelease = held;
            held = null;
        }
        toRelease.forEach(PluginInstance::release);
    }
}
