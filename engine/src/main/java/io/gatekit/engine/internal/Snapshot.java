package io.gatekit.engine.internal;

import io.gatekit.api.Nullable;
import io.gatekit.engine.internal.route.Router;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One immutable, versioned config in force: the stored resources, the compiled routes and the
 * router. Requests pin the snapshot they started on ({@link #tryAcquire()}) and release it when
 * done; once a newer snapshot replaced it and its last request finished, it releases its plugin
 * instances, which closes those no other live snapshot holds.
 */
public final class Snapshot {

    private final long version;
    private final ConfigState state;
    private final Router<CompiledRoute> router;
    private final Map<String, CompiledRoute> routes;
    private final CompiledRoute globalOnly;
    private final Set<PluginInstance> instances;
    private final Map<String, io.gatekit.engine.Upstream> upstreams;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean retired = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();

    Snapshot(long version, ConfigState state, Router<CompiledRoute> router,
            Map<String, CompiledRoute> routes, CompiledRoute globalOnly, Set<PluginInstance> instances,
            Map<String, io.gatekit.engine.Upstream> upstreams) {
        this.version = version;
        this.state = state;
        this.router = router;
        this.routes = routes;
        this.globalOnly = globalOnly;
        this.instances = instances;
        this.upstreams = upstreams;
        instances.forEach(PluginInstance::retain);
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
    Map<String, CompiledRoute> routes() {
        return routes;
    }

    /** The chain of global rules, for requests that match no route. */
    public CompiledRoute globalOnly() {
        return globalOnly;
    }

    /** Upstreams referred to by id, keyed {@code id@modifiedIndex}, for reuse by the next snapshot. */
    Map<String, io.gatekit.engine.Upstream> upstreams() {
        return upstreams;
    }

    /** The instances this snapshot holds. */
    Set<PluginInstance> instances() {
        return instances;
    }

    /** Pins this snapshot for a request; the caller checks it is still current afterwards. */
    void acquire() {
        inFlight.incrementAndGet();
    }

    /** Unpins; the last request out of a retired snapshot releases its instances. */
    public void release() {
        if (inFlight.decrementAndGet() == 0 && retired.get()) {
            releaseInstances();
        }
    }

    /** Marks this snapshot replaced; releases its instances now if no request uses it. */
    void retire() {
        retired.set(true);
        if (inFlight.get() == 0) {
            releaseInstances();
        }
    }

    /** Requests still running on this snapshot. */
    int inFlight() {
        return inFlight.get();
    }

    private void releaseInstances() {
        if (released.compareAndSet(false, true)) {
            instances.forEach(PluginInstance::release);
        }
    }
}
