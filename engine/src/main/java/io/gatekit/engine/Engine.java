package io.gatekit.engine;

import io.gatekit.api.Arguments;
import io.gatekit.api.EngineListener;
import io.gatekit.api.Nullable;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.metrics.Metrics;
import io.gatekit.engine.host.Application;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Transport;
import io.gatekit.engine.internal.EngineCore;
import io.gatekit.engine.internal.upstream.UpstreamPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * The plugin engine: holds the config in force, validates changes to it, and runs plugins for
 * requests a host hands it. Thread-safe; config changes are serialized and swapped in atomically,
 * requests never wait for them.
 *
 * <pre>{@code
 * try (Engine engine = Engine.builder().discoverPlugins().build()) {
 *     engine.put(ResourceKind.ROUTES, "1", """
 *         {"uri": "/hello", "upstream": {"nodes": {"127.0.0.1:1980": 1}},
 *          "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:9797"}}}""");
 *     Call call = engine.newCall(HttpRequest.builder().uri("/hello").build());
 *     ...
 * }
 * }</pre>
 *
 * <p>Every change is checked whole before anything is applied: on any problem it throws
 * {@link ConfigException} listing all of them, and the config in force stays as it was.
 */
public final class Engine implements AutoCloseable {

    /** The default of {@link Builder#bodyBufferLimit}: 10 MiB. */
    public static final long DEFAULT_BODY_BUFFER_LIMIT = 10L << 20;

    private final EngineCore core;
    private final Metrics metrics;

    private Engine(EngineCore core, Metrics metrics) {
        this.core = core;
        this.metrics = metrics;
    }

    /** A builder with no plugins; call {@link Builder#discoverPlugins()} or {@link Builder#plugin}. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- config ----

    /**
     * Creates or replaces {@code kind/id} with {@code json}; applied at once.
     *
     * @return the stored resource, with its store revisions
     * @throws ConfigException when the value is invalid; nothing changes
     */
    public Resource put(ResourceKind kind, String id, String json) {
        return core.put(kind, id, json);
    }

    /** Creates a resource under a generated id, as {@code POST /apisix/admin/routes} does. */
    public Resource create(ResourceKind kind, String json) {
        return core.create(kind, json);
    }

    /**
     * Deletes {@code kind/id}. Refuses while another resource refers to it, unless {@code force}.
     *
     * @return the deleted resource, or empty when there was none
     */
    public Optional<Resource> delete(ResourceKind kind, String id, boolean force) {
        return core.delete(kind, id, force);
    }

    /** One stored resource. */
    public Optional<Resource> get(ResourceKind kind, String id) {
        return core.get(kind, id);
    }

    /** All stored resources of {@code kind}, in creation order. */
    public List<Resource> list(ResourceKind kind) {
        return core.list(kind);
    }

    /**
     * Replaces the whole config with {@code document}, a JSON object in APISIX standalone layout:
     * {@code {"routes": [{"id": "1", ...}], "upstreams": [...], "global_rules": [...], ...}}.
     *
     * @throws ConfigException listing every problem of every resource; nothing changes
     */
    public void replaceAll(String document) {
        core.replaceAll(document);
    }

    /** Checks {@code json} as a {@code kind} without storing it (the Admin API's dry run). */
    public List<Violation> validate(ResourceKind kind, String json) {
        return core.validate(kind, json);
    }

    // ---- for config sources (see ConfigSource) ----

    /**
     * Checks {@code json} as {@code kind/id} against the config in force and returns it as it would
     * be stored, without storing it: {@code id} set, {@code create_time} kept from the resource it
     * replaces, {@code update_time} now; the indexes are the replaced resource's, or 0. A
     * {@link ConfigSource} that keeps the config elsewhere calls this before it writes.
     *
     * @throws ConfigException when the value is invalid
     */
    public Resource prepare(ResourceKind kind, String id, String json) {
        return core.prepare(kind, id, json);
    }

    /**
     * Throws {@link ConfigException} (400, naming the referrer) while another resource refers to
     * {@code kind/id}, as {@link #delete} does without {@code force}.
     */
    public void checkDeletable(ResourceKind kind, String id) {
        core.checkDeletable(kind, id);
    }

    /**
     * Replaces the whole config with {@code resources}, as a store outside the engine holds them at
     * store revision {@code revision}; their JSON is kept as given and their indexes become the
     * Admin API's {@code createdIndex}/{@code modifiedIndex}. Applied as one snapshot. Unlike
     * {@link #replaceAll}, an invalid resource does not reject the others: it is left out (its last
     * good value stays, if it had one) and returned with its reason, and the listener hears of it.
     *
     * @return the rejected resources by store key ({@code /apisix/routes/1}), in load order
     */
    public Map<String, ConfigException> load(Collection<Resource> resources, long revision) {
        return core.load(resources, revision);
    }

    /**
     * Applies one resource a store outside the engine changed, keeping its JSON and indexes.
     *
     * @throws ConfigException when it is invalid; nothing changes and the listener hears of it
     */
    public void apply(Resource resource) {
        core.apply(requireNonNull(resource, "resource"));
    }

    /**
     * Removes {@code kind/id} because a store outside the engine deleted it at store revision
     * {@code revision}; no reference check, the store is the truth. Absent ids are ignored.
     */
    public void remove(ResourceKind kind, String id, long revision) {
        core.remove(kind, id, revision);
    }

    /** The version of the config in force; each applied change increments it. */
    public long version() {
        return core.version();
    }

    // ---- requests ----

    /** Starts a request: matches its route on the config in force and pins that config. */
    public Call newCall(HttpRequest request) {
        return core.newCall(request);
    }

    /**
     * Starts a request on stored route {@code routeId} without asking the router, for hosts that
     * route requests themselves (Spring Cloud Gateway's {@code Gatekit} filter): the route's plugins
     * run, after the global rules, as for a matched request. The route may be disabled
     * ({@code "status": 0}), so that only the host sends requests to it.
     *
     * @throws IllegalArgumentException when no route {@code routeId} is stored
     */
    public Call newCall(HttpRequest request, String routeId) {
        requireNonNull(request, "request");
        requireNonNull(routeId, "routeId");
        return core.newCall(request, routeId);
    }

    /**
     * Whether some route may match a request for {@code path} (the path as received,
     * percent-encoding kept, without the query), on the config in force. {@code false} means no
     * route can, whatever the request's method, host, client address or headers: a host in front
     * of its own application may then hand the request to it untouched without building an
     * {@link HttpRequest}, as {@link #serve(HttpRequest, Body, Transport, Application)} would
     * (no plugin runs for a request no route matches). {@code true} only says that some route's
     * uri matches the path; {@link #newCall} decides. Costs one router walk on the path and, for a
     * path that needs no normalizing, no allocation.
     *
     * <pre>{@code
     * if (!engine.mayMatch(servletRequest.getRequestURI())) {
     *     chain.doFilter(servletRequest, servletResponse);   // the application, untouched
     *     return;
     * }
     * }</pre>
     */
    public boolean mayMatch(String path) {
        requireNonNull(path, "path");
        return core.mayMatch(path);
    }

    /**
     * Serves one request whole, the host providing only the network call: the request phases,
     * the node choice, each attempt through {@code transport} and its retry, {@code header_filter}
     * on the answer, {@code body_filter} as the response body streams, and {@code log} when that
     * body ends (read or cancelled). Routes without an upstream answer APISIX's 503.
     *
     * <pre>{@code
     * engine.serve(request, Body.of(bytes), JdkTransport.create())
     *       .thenAccept(response -> reply(response.status(), response.headers(), response.body()));
     * }</pre>
     *
     * @param request   the client's request; the engine and plugins change it in place
     * @param body      the client's request body ({@link Body#empty()} for none)
     * @param transport the host's network call
     * @return the response for the client; the stage never fails (failures become responses)
     */
    public CompletionStage<Response> serve(HttpRequest request, Body body, Transport transport) {
        return serve(request, body, transport, null);
    }

    /**
     * As {@link #serve(HttpRequest, Body, Transport)}, in front of the host's own application: a
     * route without an upstream runs its plugins around {@code application}, and a request no
     * route matches goes to {@code application} untouched.
     */
    public CompletionStage<Response> serve(HttpRequest request, Body body, Transport transport,
            @Nullable Application application) {
        requireNonNull(request, "request");
        requireNonNull(body, "body");
        requireNonNull(transport, "transport");
        return core.newCall(request).serve(body, transport, application);
    }

    /**
     * {@code resource} as it may be shown: a consumer's secrets (the fields its authentication
     * plugins declare in {@link io.gatekit.api.PluginFactory#secretFields()}, e.g. key-auth's
     * {@code key}, basic-auth's {@code password}) read {@code ******}; an SSL has no private keys
     * ({@code key}, {@code keys}), as APISIX's {@code admin/resource.lua} leaves them out "for
     * security". Unlike APISIX, answers to writes leave them out too: Gatekit stores keys
     * unencrypted (APISIX's {@code data_encryption} is not implemented), so no answer carries one
     * in clear. Other kinds are returned as they are. The Admin API shows every resource through this.
     */
    public Resource redact(Resource resource) {
        return core.redact(java.util.Objects.requireNonNull(resource, "resource"));
    }

    /** What would run for {@code request}, in which order, and why, without running anything. */
    public Explanation explain(HttpRequest request) {
        return core.explain(request, null);
    }

    /**
     * What would run for {@code request} once an authentication plugin identified consumer
     * {@code username}: its plugins and its group's laid over the route's, each step naming the
     * level its config came from ({@link Origin#CONSUMER}, {@link Origin#CONSUMER_GROUP},
     * {@link Origin#ROUTE}, ...) and each overridden config listed as skipped.
     *
     * @throws IllegalArgumentException when there is no such consumer
     */
    public Explanation explain(HttpRequest request, String username) {
        return core.explain(request, java.util.Objects.requireNonNull(username, "username"));
    }

    /**
     * The node health of every upstream with {@code checks} that some route uses: by APISIX's
     * resource key ({@code /upstreams/<id>}, or {@code /routes/<id>} and {@code /services/<id>}
     * for inline upstreams), each node address ({@code host:port}, the probe port) mapped to
     * whether it is healthy. Unhealthy nodes leave the node choice until they recover.
     */
    public java.util.Map<String, java.util.Map<String, Boolean>> upstreamHealth() {
        return core.upstreamHealth();
    }

    /**
     * Every health checker (one per checked upstream some route uses) with its targets' states
     * and counters, as APISIX's control API ({@code /v1/healthcheck}) shows them.
     */
    public List<HealthCheckStatus> healthChecks() {
        return core.healthChecks();
    }

    // ---- plugins ----

    /** The registered plugins, in registration order. */
    public List<PluginInfo> plugins() {
        return core.plugins();
    }

    /** One registered plugin. */
    public Optional<PluginInfo> plugin(String name) {
        return core.plugins().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * Where plugins (and the engine, with {@link Builder#engineMetrics}) record their metrics: the
     * builder's {@link Builder#metrics}, by default a {@link MetricsRegistry} the host exports.
     */
    public Metrics metrics() {
        return metrics;
    }

    /**
     * Stops accepting changes and closes every plugin instance once the requests in flight have
     * completed.
     */
    @Override
    public void close() {
        core.close();
    }

    /** Configures and builds an {@link Engine}. */
    public static final class Builder {
        private final List<PluginFactory<?>> factories = new ArrayList<>();
        private final Map<String, String> pluginAttributes = new LinkedHashMap<>();
        private @Nullable ClassLoader discoverFrom;
        private boolean discover;
        private final List<EngineListener> listeners = new ArrayList<>();
        private @Nullable HttpClient httpClient;
        private @Nullable List<String> enabled;
        private Metrics metrics = new MetricsRegistry();
        private boolean engineMetrics;
        private Upstream.Timeouts upstreamTimeouts = UpstreamPolicy.DEFAULT_TIMEOUTS;
        private long bodyBufferLimit = DEFAULT_BODY_BUFFER_LIMIT;

        private Builder() {
        }

        /** Finds plugins with {@link java.util.ServiceLoader} on the thread's context class loader. */
        public Builder discoverPlugins() {
            return discoverPlugins(Thread.currentThread().getContextClassLoader());
        }

        /** Finds plugins with {@link java.util.ServiceLoader} on {@code loader} (a plugin folder's, say). */
        public Builder discoverPlugins(ClassLoader loader) {
            this.discoverFrom = requireNonNull(loader, "loader");
            this.discover = true;
            return this;
        }

        /** Registers a plugin in code, after discovered ones. */
        public Builder plugin(PluginFactory<?> factory) {
            factories.add(requireNonNull(factory, "factory"));
            return this;
        }

        /**
         * Only these plugins are usable in config (APISIX's {@code plugins} list in the node
         * config); by default, all registered ones. Names must be registered.
         */
        public Builder enabledPlugins(List<String> names) {
            this.enabled = List.copyOf(names);
            return this;
        }

        /** Node-level attributes of plugin {@code name} as JSON ({@code plugin_attr.<name>}). */
        public Builder pluginAttributes(String name, String json) {
            pluginAttributes.put(requireNonNull(name, "name"), requireNonNull(json, "json"));
            return this;
        }

        /**
         * Adds a listener for timings, failures, config events and calls (a tracer, say). Every
         * listener added hears every event, in the order they were added. Default: none.
         */
        public Builder listener(EngineListener listener) {
            listeners.add(requireNonNull(listener, "listener"));
            return this;
        }

        /** The outbound client plugins use. Default: one on {@code java.net.http}. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = requireNonNull(httpClient, "httpClient");
            return this;
        }

        /**
         * Where plugins record their metrics, and the engine its own with {@link #engineMetrics}:
         * any {@link Metrics}, such as {@code gatekit-micrometer}'s over a Micrometer
         * {@code MeterRegistry}. Default: a new {@link MetricsRegistry}, which renders the
         * Prometheus text format itself.
         */
        public Builder metrics(Metrics metrics) {
            this.metrics = requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Whether the engine records its own series into {@link #metrics}: the latency of each
         * plugin phase ({@code gatekit_plugin_duration_seconds{plugin,phase}}), plugin failures
         * ({@code gatekit_plugin_errors_total{plugin,phase,route}}) and config changes
         * ({@code gatekit_config_changes_total{result}}). Default: off, since timing costs two clock
         * reads per plugin and phase.
         */
        public Builder engineMetrics(boolean record) {
            this.engineMetrics = record;
            return this;
        }

        /**
         * The upstream timeouts in seconds when neither a route nor its upstream sets any.
         * Default: 60 s each, as nginx and APISIX.
         */
        public Builder upstreamTimeouts(Upstream.Timeouts timeouts) {
            requireNonNull(timeouts, "timeouts");
            checkPositive("upstreamTimeouts.connect", timeouts.connect());
            checkPositive("upstreamTimeouts.send", timeouts.send());
            checkPositive("upstreamTimeouts.read", timeouts.read());
            this.upstreamTimeouts = timeouts;
            return this;
        }

        /**
         * The most {@link #serve} reads of a body a plugin needs whole; a longer request body is
         * answered 413, a longer upstream body 502. Default: 10 MiB.
         */
        public Builder bodyBufferLimit(long bytes) {
            if (bytes < 1) {
                throw Arguments.invalid("bodyBufferLimit", bytes, ">= 1");
            }
            this.bodyBufferLimit = bytes;
            return this;
        }

        private static void checkPositive(String name, double seconds) {
            if (!(seconds > 0)) {
                throw Arguments.invalid(name, seconds, "> 0 seconds");
            }
        }

        /**
         * Builds the engine with an empty config.
         *
         * @throws IllegalStateException on duplicate plugin names (both classes named), a plugin
         *         schema that does not compile, or an enabled plugin that is not registered
         */
        public Engine build() {
            return new Engine(EngineCore.create(discover ? discoverFrom : null, factories, enabled,
                    pluginAttributes, EngineListener.of(listeners), httpClient, metrics, engineMetrics, upstreamTimeouts,
                    bodyBufferLimit), metrics);
        }
    }
}
