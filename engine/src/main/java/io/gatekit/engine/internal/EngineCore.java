package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.EngineListener;
import io.gatekit.api.Nullable;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.Call;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Explanation;
import io.gatekit.api.metrics.Metrics;
import io.gatekit.engine.PluginInfo;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Upstream;
import io.gatekit.engine.Violation;
import io.gatekit.engine.internal.ConfigState.Stored;
import io.gatekit.engine.internal.host.HostSupport;
import io.gatekit.engine.internal.schema.EveritSchemaValidator;
import io.gatekit.engine.internal.schema.ResourceSchemas;
import io.gatekit.engine.internal.schema.SchemaValidator;
import io.gatekit.engine.internal.upstream.HealthCheckers;
import io.gatekit.engine.internal.upstream.UpstreamPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@link io.gatekit.engine.Engine} delegates to. Writers take one lock, build the next
 * snapshot off to the side and publish it with a volatile write; readers never lock.
 */
public final class EngineCore {

    /** References point at upstreams, services and plugin_configs, so those are staged first. */
    private static final List<ResourceKind> LOAD_ORDER = List.of(ResourceKind.PLUGIN_METADATA,
            ResourceKind.UPSTREAMS, ResourceKind.PLUGIN_CONFIGS, ResourceKind.SERVICES, ResourceKind.GLOBAL_RULES,
            ResourceKind.CONSUMER_GROUPS, ResourceKind.CONSUMERS, ResourceKind.ROUTES, ResourceKind.SSLS);

    private final PluginConfs confs;
    private final ResourceValidator validator;
    private final EngineListener listener;
    /** What each call of this engine shares: the host support and the listener. */
    private final CallEnvironment calls;
    private final HostSupport hosts;
    private final HealthCheckers checkers;
    private final List<PluginInfo> pluginInfos;
    private final Object writeLock = new Object();
    private final AtomicLong generatedIds = new AtomicLong(System.currentTimeMillis() * 1000);
    private volatile Snapshot current;
    /** The plugin instances in force and the snapshots draining. Guarded by {@link #writeLock}. */
    private final InstanceLedger instances = new InstanceLedger();
    private final SecretRedaction redaction;
    private boolean closed;

    private EngineCore(PluginConfs confs, ResourceValidator validator, EngineListener listener,
            HostSupport hosts, HealthCheckers checkers) {
        this.hosts = hosts;
        this.checkers = checkers;
        this.confs = confs;
        this.validator = validator;
        this.listener = listener;
        this.calls = new CallEnvironment(hosts, listener);
        this.pluginInfos = confs.registry().all().stream().map(RegisteredPlugin::info).toList();
        this.redaction = new SecretRedaction(confs.registry());
        SnapshotBuilder.Built empty = new SnapshotBuilder(confs, ConfigState.empty(), null, instances.live(), Map.of())
                .build(0);
        this.current = empty.snapshot();
        instances.account(empty, null);
    }

    /** Builds the core; see {@link io.gatekit.engine.Engine.Builder#build()}. */
    public static EngineCore create(@Nullable ClassLoader discoverFrom, List<PluginFactory<?>> explicit,
            @Nullable List<String> enabled, Map<String, String> pluginAttributes, EngineListener listener,
            @Nullable HttpClient httpClient, Metrics metrics, boolean engineMetrics,
            Upstream.Timeouts upstreamTimeouts, long bodyBufferLimit) {
        List<PluginFactory<?>> factories = new ArrayList<>();
        if (discoverFrom != null) {
            factories.addAll(PluginRegistry.discover(discoverFrom));
        }
        factories.addAll(explicit);
        if (enabled != null) {
            for (String name : enabled) {
                if (factories.stream().noneMatch(f -> f.name().equals(name))) {
                    throw new IllegalStateException("enabled plugin [" + name + "] is not registered (expected: one of "
                            + factories.stream().map(PluginFactory::name).toList() + ")");
                }
            }
            factories.removeIf(f -> !enabled.contains(f.name()));
        }
        SchemaValidator schemaValidator = new EveritSchemaValidator();
        PluginRegistry registry = PluginRegistry.of(factories, schemaValidator);
        Map<String, JsonNode> attributes = new HashMap<>();
        pluginAttributes.forEach((name, json) -> attributes.put(name, ResourceJson.parse(json, "plugin_attr." + name)));
        HttpClient client = httpClient != null ? httpClient : new JdkHttpClient();
        PluginConfs confs = new PluginConfs(registry, client, metrics, attributes);
        EngineListener all = engineMetrics ? EngineListener.of(new EngineMetrics(metrics), listener) : listener;
        return new EngineCore(confs, new ResourceValidator(confs, new ResourceSchemas(schemaValidator)), all,
                new HostSupport(new UpstreamPolicy(upstreamTimeouts), bodyBufferLimit), new HealthCheckers(client));
    }

    // ---- writes ----

    public Resource put(ResourceKind kind, String id, String json) {
        JsonNode value = ResourceJson.parseBody(json);
        synchronized (writeLock) {
            checkOpen();
            ConfigState state = current.state();
            JsonNode stored = ResourceTimes.withTimes(kind, id, value, state.get(kind, id));
            Map<JsonNode, List<PluginConfs.Checked>> checked = new IdentityHashMap<>();
            remember(checked, stored, validator.check(kind, id, stored, state));
            ConfigState next = state.put(kind, id, stored);
            apply(next, kind == ResourceKind.ROUTES ? id : null, checked);
            return ResourceJson.resource(kind, next.get(kind, id));
        }
    }

    public Resource create(ResourceKind kind, String json) {
        String id = String.format("%020d", generatedIds.incrementAndGet());
        return put(kind, id, json);
    }

    public Optional<Resource> delete(ResourceKind kind, String id, boolean force) {
        synchronized (writeLock) {
            checkOpen();
            ConfigState state = current.state();
            Stored old = state.get(kind, id);
            if (old == null) {
                return Optional.empty();
            }
            if (!force) {
                validator.checkDeletable(kind, id, state);
            }
            apply(state.remove(kind, id), kind == ResourceKind.ROUTES ? id : null, Map.of());
            return Optional.of(ResourceJson.resource(kind, old));
        }
    }

    public void replaceAll(String document) {
        JsonNode root = ResourceJson.parseBody(document);
        synchronized (writeLock) {
            checkOpen();
            Map<ResourceKind, Map<String, JsonNode>> resources = new EnumMap<>(ResourceKind.class);
            List<Violation> violations = new ArrayList<>();
            List<String> messages = new ArrayList<>();
            Map<JsonNode, List<PluginConfs.Checked>> checked = new IdentityHashMap<>();
            ConfigState staged = collect(root, resources, violations, messages, checked);
            if (!violations.isEmpty()) {
                ConfigException e = new ConfigException(400, messages.get(0), violations);
                listener.configRejected(messages);
                throw e;
            }
            apply(staged, null, checked);
        }
    }

    /**
     * Reads a standalone document, checking each resource against what precedes it. Resources are
     * staged into plain maps and the state is built once at the end: a new state per resource
     * would copy everything staged so far, which is quadratic in the document's size.
     */
    private ConfigState collect(JsonNode root, Map<ResourceKind, Map<String, JsonNode>> resources,
            List<Violation> violations, List<String> messages, Map<JsonNode, List<PluginConfs.Checked>> checked) {
        if (!root.isObject()) {
            throw ConfigException.invalid("invalid configuration: expected an object of resource lists",
                    new Violation("", "type", "expected a JSON object such as {\"routes\": [...]}"));
        }
        root.fieldNames().forEachRemaining(name -> {
            if (ResourceKind.ofPath(name) == null) {
                violations.add(new Violation("/" + name, "additionalProperties", "unknown resource kind \"" + name
                        + "\" (expected: one of routes, services, upstreams, plugin_configs, global_rules, "
                        + "plugin_metadata, consumers, consumer_groups, ssls)"));
                messages.add("unknown resource kind " + name);
            }
        });
        ResourceValidator.Refs staged = (kind, id) -> {
            Map<String, JsonNode> byId = resources.get(kind);
            return byId != null && byId.containsKey(id);
        };
        for (ResourceKind kind : LOAD_ORDER) {
            JsonNode list = root.path(kind.path());
            Map<String, JsonNode> byId = new LinkedHashMap<>();
            resources.put(kind, byId);
            int index = 0;
            for (JsonNode item : list) {
                String pointer = "/" + kind.path() + "/" + index++;
                String id = kind == ResourceKind.PLUGIN_METADATA ? item.path("id").asText(null)
                        : kind == ResourceKind.CONSUMERS ? item.path("username").asText(null)
                        : item.hasNonNull("id") ? item.get("id").asText() : null;
                if (id == null) {
                    violations.add(new Violation(pointer + "/id", "required", "missing id (expected: every "
                            + kind.singular() + " in a standalone file has an \"id\")"));
                    messages.add("invalid configuration: property \"id\" is required");
                    continue;
                }
                try {
                    remember(checked, item, validator.check(kind, id, item, staged));
                    byId.put(id, item);
                } catch (ConfigException e) {
                    e.violations().forEach(v -> violations.add(v.under(pointer)));
                    messages.add(e.errorMsg());
                }
            }
        }
        return current.state().replaceAll(resources);
    }

    // ---- changes from a config source outside the engine ----

    public Resource prepare(ResourceKind kind, String id, String json) {
        JsonNode value = ResourceJson.parseBody(json);
        ConfigState state = current.state();
        Stored old = state.get(kind, id);
        JsonNode stored = ResourceTimes.withTimes(kind, id, value, old);
        validator.check(kind, id, stored, state);
        return new Resource(kind, id, stored.toString(), old == null ? 0 : old.createdIndex(),
                old == null ? 0 : old.modifiedIndex());
    }

    public void checkDeletable(ResourceKind kind, String id) {
        validator.checkDeletable(kind, id, current.state());
    }

    public void apply(Resource resource) {
        synchronized (writeLock) {
            checkOpen();
            ConfigState state = current.state();
            JsonNode value;
            Map<JsonNode, List<PluginConfs.Checked>> checked = new IdentityHashMap<>();
            try {
                value = ResourceJson.parseSourced(resource);
                remember(checked, value, validator.check(resource.kind(), resource.id(), value, state));
            } catch (ConfigException e) {
                listener.configRejected(List.of(resource.key() + ": " + e.errorMsg()));
                throw e;
            }
            apply(state.putStored(resource.kind(), ResourceJson.stored(resource, value),
                    Math.max(state.revision(), resource.modifiedIndex())),
                    resource.kind() == ResourceKind.ROUTES ? resource.id() : null, checked);
        }
    }

    public void remove(ResourceKind kind, String id, long revision) {
        synchronized (writeLock) {
            checkOpen();
            ConfigState state = current.state();
            if (state.get(kind, id) != null) {
                apply(state.removeAt(kind, id, Math.max(state.revision(), revision)),
                        kind == ResourceKind.ROUTES ? id : null, Map.of());
            }
        }
    }

    public Map<String, ConfigException> load(Collection<Resource> resources, long revision) {
        List<Resource> ordered = new ArrayList<>(resources);
        ordered.sort(Comparator.comparingInt((Resource r) -> LOAD_ORDER.indexOf(r.kind()))
                .thenComparingLong(Resource::createdIndex).thenComparing(Resource::id));
        synchronized (writeLock) {
            checkOpen();
            ConfigState previous = current.state();
            ConfigState staged = ConfigState.empty();
            Map<String, ConfigException> rejected = new LinkedHashMap<>();
            Map<JsonNode, List<PluginConfs.Checked>> checked = new IdentityHashMap<>();
            for (Resource resource : ordered) {
                try {
                    JsonNode value = ResourceJson.parseSourced(resource);
                    remember(checked, value, validator.check(resource.kind(), resource.id(), value, staged));
                    staged = staged.putStored(resource.kind(), ResourceJson.stored(resource, value), revision);
                } catch (ConfigException e) {
                    rejected.put(resource.key(), e);
                    staged = keepLastGood(previous, staged, resource, revision);
                }
            }
            apply(staged.atRevision(revision), null, checked);
            if (!rejected.isEmpty()) {
                List<String> messages = new ArrayList<>();
                rejected.forEach((key, e) -> messages.add(key + ": " + e.errorMsg()));
                listener.configRejected(messages);
            }
            return rejected;
        }
    }

    /** The value a rejected resource had before, when there was one and it still fits. */
    private ConfigState keepLastGood(ConfigState previous, ConfigState staged, Resource resource, long revision) {
        Stored old = previous.get(resource.kind(), resource.id());
        if (old == null) {
            return staged;
        }
        try {
            validator.check(resource.kind(), resource.id(), old.value(), staged);
            return staged.putStored(resource.kind(), old, revision);
        } catch (ConfigException e) {
            return staged;
        }
    }

    public List<Violation> validate(ResourceKind kind, String json) {
        JsonNode value = ResourceJson.parseBody(json);
        String id = value.hasNonNull("id") ? value.get("id").asText() : "dry-run";
        try {
            validator.check(kind, id, value, current.state());
            return List.of();
        } catch (ConfigException e) {
            return e.violations();
        }
    }

    /**
     * Keeps what validating {@code resource} found of its plugins, so that building the snapshot
     * does not validate and bind every plugin conf a second time. Keyed by identity: the builder
     * sees the very node that was validated.
     */
    private static void remember(Map<JsonNode, List<PluginConfs.Checked>> checked, JsonNode resource,
            List<PluginConfs.Checked> plugins) {
        JsonNode node = resource.get("plugins");
        if (node != null) {
            checked.put(node, plugins);
        }
    }

    /**
     * Builds and publishes the snapshot of {@code next}. With {@code changedRoute} set, that
     * route is all that differs from the state in force, and only it is compiled.
     */
    private void apply(ConfigState next, @Nullable String changedRoute,
            Map<JsonNode, List<PluginConfs.Checked>> checked) {
        Snapshot old = current;
        SnapshotBuilder.Built built;
        try {
            SnapshotBuilder builder = new SnapshotBuilder(confs, next, old, instances.live(), checked);
            built = changedRoute != null ? builder.buildRouteChange(old.version() + 1, changedRoute)
                    : builder.build(old.version() + 1);
        } catch (ConfigException e) {
            listener.configRejected(List.of(e.errorMsg()));
            throw e;
        }
        check(built);
        current = built.snapshot();
        instances.account(built, old);
        listener.configApplied(built.snapshot().version());
    }

    /**
     * Gives the routes a snapshot adds their upstream's checker before it is published (starting
     * it for a newly checked upstream), and lets go of those of the routes it drops: a checker
     * whose last route left stops.
     */
    private void check(SnapshotBuilder.Built built) {
        for (CompiledRoute route : built.added()) {
            String key = route.healthKey();
            if (key != null && route.upstream() != null && route.checks() != null) {
                route.health = checkers.acquire(key, route.upstream(), route.checks());
            }
        }
        for (CompiledRoute route : built.removed()) {
            String key = route.healthKey();
            if (key != null && route.health != null) {
                checkers.release(key);
            }
        }
    }

    /** Every health checker's node health, by APISIX resource key, then node address. */
    public Map<String, Map<String, Boolean>> upstreamHealth() {
        return checkers.status();
    }

    /** Every health checker with its targets' states and counters. */
    public java.util.List<io.gatekit.engine.HealthCheckStatus> healthChecks() {
        return checkers.report();
    }

    // ---- reads ----

    public Optional<Resource> get(ResourceKind kind, String id) {
        Stored stored = current.state().get(kind, id);
        return stored == null ? Optional.empty() : Optional.of(ResourceJson.resource(kind, stored));
    }

    /** See {@link io.gatekit.engine.Engine#redact}. */
    public Resource redact(Resource resource) {
        return redaction.redact(resource);
    }

    public List<Resource> list(ResourceKind kind) {
        return current.state().all(kind).values().stream().map(s -> ResourceJson.resource(kind, s)).toList();
    }

    public long version() {
        return current.version();
    }

    public List<PluginInfo> plugins() {
        return pluginInfos;
    }

    /** The snapshot in force (tests and the explain endpoint). */
    public Snapshot snapshot() {
        return current;
    }

    // ---- requests ----

    /**
     * Whether a route may match a request for {@code path} as received; see
     * {@link io.gatekit.engine.Engine#mayMatch}. Reads the snapshot in force without pinning it:
     * nothing of it is kept.
     */
    public boolean mayMatch(String path) {
        String uri;
        try {
            uri = NginxUri.normalize(path);
        } catch (NginxUri.Invalid e) {
            return false; // newCall would match nothing either: no phase runs for such a path
        }
        return current.router().mayMatch(uri);
    }

    public Call newCall(HttpRequest request) {
        Snapshot snapshot = pin();
        try {
            return new HostCall(new DefaultCall(snapshot, calls, request).route().start());
        } catch (RuntimeException e) {
            snapshot.release();
            throw e;
        }
    }

    public Call newCall(HttpRequest request, String routeId) {
        Snapshot snapshot = pin();
        try {
            CompiledRoute named = snapshot.route(routeId);
            if (named == null) {
                throw new IllegalArgumentException("routeId: \"" + routeId + "\" (expected: a stored route)");
            }
            return new HostCall(new DefaultCall(snapshot, calls, request).route(named).start());
        } catch (RuntimeException e) {
            snapshot.release();
            throw e;
        }
    }

    /** Pins the current snapshot; re-reads if a change swapped it in between. */
    private Snapshot pin() {
        while (true) {
            Snapshot snapshot = current;
            snapshot.acquire();
            if (snapshot == current) {
                return snapshot;
            }
            snapshot.release();
        }
    }

    public Explanation explain(HttpRequest request, @Nullable String username) {
        Snapshot snapshot = pin();
        try {
            DefaultCall call = new DefaultCall(snapshot, calls, request).route();
            return Explanations.of(call, snapshot, username);
        } finally {
            snapshot.release();
        }
    }

    public void close() {
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            closed = true;
            instances.closeAll(current);
            hosts.close();
            checkers.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
    }


}
