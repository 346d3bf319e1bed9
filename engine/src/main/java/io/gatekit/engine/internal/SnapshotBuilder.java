package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Explanation;
import io.gatekit.engine.Origin;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Upstream;
import io.gatekit.engine.Violation;
import io.gatekit.engine.internal.ConfigState.Stored;
import io.gatekit.engine.internal.route.RouteSpec;
import io.gatekit.engine.internal.route.Router;
import io.gatekit.engine.internal.route.ShardedMap;
import io.gatekit.engine.internal.upstream.HealthChecks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the next {@link Snapshot} from a config state, off to the side of the one in force.
 * Routes whose inputs did not change (the same revisions) are reused as they are. A change to one
 * route alone ({@link #buildRouteChange}) goes further: it compiles that route, patches the
 * router and shares everything else, so its cost does not grow with the number of routes.
 */
final class SnapshotBuilder {

    private static final CredentialRefs REFS = CredentialRefs.fromEnvironment();

    private static final Comparator<PluginEntry> ORDER = Comparator
            .comparingInt(PluginEntry::priority).reversed()
            .thenComparing(PluginEntry::name);

    /**
     * A built snapshot and what changed against the previous one, for the engine to account its
     * plugin instances once the snapshot is in force.
     *
     * @param snapshot the snapshot
     * @param added    compiled routes (the global-only chain among them) new in it
     * @param removed  compiled routes of the previous snapshot no longer in it
     * @param seen     every instance the build used or created, by key
     */
    record Built(Snapshot snapshot, List<CompiledRoute> added, List<CompiledRoute> removed,
            Map<String, PluginInstance> seen) {
    }

    private final PluginConfs confs;
    private final ConfigState state;
    private final @Nullable Snapshot previous;
    /** The instances of the config in force, by key; read only here. */
    private final Map<String, PluginInstance> live;
    private final Map<String, PluginInstance> instances = new HashMap<>();
    private final Map<String, List<PluginConfs.Checked>> checkedByOwner = new HashMap<>();
    /** Plugin confs this change validated already, by the identity of their {@code plugins} node. */
    private final Map<JsonNode, List<PluginConfs.Checked>> alreadyChecked;
    private final Map<String, Upstream> upstreams = new HashMap<>();
    private final List<Violation> violations = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();
    private final String globalKey;
    private final long metadataRevision;

    SnapshotBuilder(PluginConfs confs, ConfigState state, @Nullable Snapshot previous,
            Map<String, PluginInstance> live, Map<JsonNode, List<PluginConfs.Checked>> alreadyChecked) {
        this.confs = confs;
        this.alreadyChecked = alreadyChecked;
        this.state = state;
        this.previous = previous;
        this.live = live;
        StringBuilder key = new StringBuilder();
        state.all(ResourceKind.GLOBAL_RULES).values().forEach(s -> key.append(s.id()).append(':')
                .append(s.modifiedIndex()).append(','));
        this.globalKey = key.toString();
        this.metadataRevision = state.all(ResourceKind.PLUGIN_METADATA).values().stream()
                .mapToLong(Stored::modifiedIndex).max().orElse(0) * 31
                + state.all(ResourceKind.PLUGIN_METADATA).size();
    }

    /**
     * Builds the snapshot from the whole state.
     *
     * @throws ConfigException listing every problem; nothing created for it is left running
     */
    Built build(long version) {
        try {
            List<PluginEntry> globals = globals();
            CompiledRoute globalOnly = new CompiledRoute(null, null, null, globals, List.of(), List.of(),
                    CompiledRoute.Inputs.NONE);
            Map<String, CompiledRoute> routes = new HashMap<>();
            List<CompiledRoute> added = new ArrayList<>();
            added.add(globalOnly);
            ConsumerSet consumers = consumers();
            added.addAll(consumers.holders());
            Router.Builder<CompiledRoute> router = Router.builder();
            for (Stored route : state.all(ResourceKind.ROUTES).values()) {
                CompiledRoute compiled = route(route, globals);
                routes.put(route.id(), compiled);
                if (previous == null || previous.route(route.id()) != compiled) {
                    added.add(compiled);
                }
                if (enabled(route)) {
                    router.add(spec(route, compiled));
                }
            }
            failOnViolations();
            List<CompiledRoute> removed = new ArrayList<>();
            if (previous != null) {
                removed.add(previous.globalOnly());
                removed.addAll(previous.consumers().holders());
                previous.routes().forEach((id, old) -> {
                    if (routes.get(id) != old) {
                        removed.add(old);
                    }
                });
            }
            Snapshot snapshot = new Snapshot(version, state, router.build(), ShardedMap.of(routes), globalOnly, globals,
                    Map.copyOf(upstreams), consumers);
            return new Built(snapshot, added, removed, instances);
        } catch (RuntimeException e) {
            throw failed(e);
        }
    }

    /**
     * Builds the snapshot when only route {@code id} differs between the previous snapshot's
     * state and this one (put or deleted): that route is compiled and checked, the router is
     * patched, and every other route, the global rules and the instances are shared as they are.
     *
     * @throws ConfigException listing every problem; nothing created for it is left running
     */
    Built buildRouteChange(long version, String id) {
        if (previous == null) {
            return build(version);
        }
        try {
            Stored route = state.get(ResourceKind.ROUTES, id);
            CompiledRoute old = previous.route(id);
            RouteSpec<CompiledRoute> oldSpec = old == null ? null : old.spec();
            if (old != null && oldSpec == null && route != null && enabled(route)) {
                // re-enabled: a full build files it at its place in the order routes were added
                return build(version);
            }
            CompiledRoute compiled = route == null ? null : route(route, previous.globals());
            failOnViolations();
            ShardedMap<String, CompiledRoute> routes = previous.routes();
            Router<CompiledRoute> router = previous.router();
            RouteSpec<CompiledRoute> newSpec = null;
            if (compiled == null) {
                routes = routes.without(id);
            } else {
                routes = routes.with(id, compiled);
                newSpec = enabled(route) ? spec(route, compiled) : null;
            }
            if (oldSpec != null || newSpec != null) {
                router = router.replace(oldSpec, newSpec);
            }
            Map<String, Upstream> keptUpstreams = previous.upstreams();
            if (!upstreams.isEmpty()) {
                Map<String, Upstream> merged = new HashMap<>(keptUpstreams);
                merged.putAll(upstreams);
                keptUpstreams = Map.copyOf(merged);
            }
            Snapshot snapshot = new Snapshot(version, state, router, routes, previous.globalOnly(),
                    previous.globals(), keptUpstreams, previous.consumers());
            return new Built(snapshot, compiled == null ? List.of() : List.of(compiled),
                    old == null ? List.of() : List.of(old), instances);
        } catch (RuntimeException e) {
            throw failed(e);
        }
    }

    private static boolean enabled(Stored route) {
        return route.value().path("status").asInt(1) == 1;
    }

    private void failOnViolations() {
        if (!violations.isEmpty()) {
            throw new ConfigException(400, messages.isEmpty() ? violations.get(0).message() : messages.get(0),
                    violations);
        }
    }

    /** Closes what this build created and turns a plugin's failure to start into a rejection. */
    private RuntimeException failed(RuntimeException e) {
        closeCreated();
        if (e instanceof PluginConfs.PluginCreationException creation) {
            return new ConfigException(400, creation.getMessage(),
                    List.of(new Violation("", "create", creation.getMessage())));
        }
        return e;
    }

    /**
     * The route as the router files it. Its uris, hosts, methods and vars are parsed again only
     * when the route itself changed; a route rebuilt for another reason (its service, say)
     * shares the previous parse.
     */
    private RouteSpec<CompiledRoute> spec(Stored route, CompiledRoute compiled) {
        RouteSpec<CompiledRoute> spec = compiled.spec();
        if (spec != null) {
            return spec;
        }
        CompiledRoute old = previous == null ? null : previous.route(route.id());
        RouteSpec<CompiledRoute> parsed = old == null || old.inputs().route() != route.modifiedIndex()
                ? null : old.spec();
        spec = parsed != null ? parsed.withPayload(compiled) : RouteSpecs.spec(route.id(), route.value(), compiled);
        compiled.spec(spec);
        return spec;
    }

    private void closeCreated() {
        for (PluginInstance instance : instances.values()) {
            if (live.get(instance.key()) != instance) {
                instance.close();
            }
        }
    }

    /**
     * The consumers and groups: their plugins as entries (created, or reused when unchanged),
     * and the index by the identifying field of each authentication plugin. A key two consumers
     * share is refused, as APISIX refuses it.
     */
    private ConsumerSet consumers() {
        Map<String, ConsumerSet.Level> groups = new HashMap<>();
        for (Stored group : state.all(ResourceKind.CONSUMER_GROUPS).values()) {
            groups.put(group.id(), level(ResourceKind.CONSUMER_GROUPS, group, Origin.CONSUMER_GROUP));
        }
        Map<String, ConsumerSet.Found> consumers = new HashMap<>();
        Map<String, ConsumerSet.Found> byKey = new HashMap<>();
        Map<String, Long> modified = new HashMap<>();
        for (Stored stored : state.all(ResourceKind.CONSUMERS).values()) {
            modified.put(stored.id(), stored.modifiedIndex());
            Map<String, JsonNode> credentials = new HashMap<>();
            for (PluginConfs.Checked checked : checked(ResourceKind.CONSUMERS, stored)) {
                if (PluginConfs.credentials(checked)) {
                    credentials.put(checked.plugin().name(), REFS.resolve(checked.json()));
                }
            }
            JsonNode group = stored.value().get("group_id");
            ConsumerSet.Found consumer = new ConsumerSet.Found(stored.id(),
                    group == null || group.isNull() ? null : group.asText(), Map.copyOf(credentials),
                    level(ResourceKind.CONSUMERS, stored, Origin.CONSUMER));
            consumers.put(stored.id(), consumer);
            credentials.forEach((plugin, conf) -> index(byKey, modified, plugin, conf, consumer));
        }
        return new ConsumerSet(consumers, groups, byKey);
    }

    private void index(Map<String, ConsumerSet.Found> byKey, Map<String, Long> modified, String plugin, JsonNode conf,
            ConsumerSet.Found consumer) {
        String field = confs.registry().get(plugin).factory().consumerKeyField();
        JsonNode value = field == null ? null : conf.get(field);
        if (value == null || !value.isTextual()) {
            return;
        }
        ConsumerSet.Found owner = byKey.putIfAbsent(ConsumerSet.indexKey(plugin, field, value.textValue()), consumer);
        if (owner != null) {
            // APISIX's consumer.check_duplicate_key names the consumer that already had the key: the
            // one written earlier; among consumers written together, the first by name
            long ownerIndex = modified.get(owner.username());
            long consumerIndex = modified.get(consumer.username());
            boolean ownerFirst = ownerIndex != consumerIndex ? ownerIndex < consumerIndex
                    : owner.username().compareTo(consumer.username()) < 0;
            String first = ownerFirst ? owner.username() : consumer.username();
            String second = first.equals(owner.username()) ? consumer.username() : owner.username();
            String msg = "duplicate " + field + " of plugin " + plugin + " found with consumer: " + first;
            violations.add(new Violation("/consumers/" + PluginConfs.escape(second) + "/plugins/"
                    + PluginConfs.escape(plugin) + "/" + field, "unique", msg));
            messages.add(msg);
        }
    }

    private ConsumerSet.Level level(ResourceKind kind, Stored owner, Origin origin) {
        List<PluginEntry> entries = new ArrayList<>();
        List<Explanation.Skipped> skipped = new ArrayList<>();
        for (PluginConfs.Checked checked : checked(kind, owner)) {
            String name = checked.plugin().name();
            if (PluginConfs.credentials(checked)) {
                continue;
            }
            if (checked.meta().disable()) {
                skipped.add(new Explanation.Skipped(name, origin, owner.id(), "_meta.disable is true"));
                continue;
            }
            entries.add(confs.entry(checked, origin, owner.id(), live, instances, metadataIndex(name),
                    metadata(name)));
        }
        entries.sort(ORDER);
        CompiledRoute holder = new CompiledRoute(null, null, null, List.of(), entries, List.of(),
                CompiledRoute.Inputs.NONE);
        return new ConsumerSet.Level(owner.id(), owner.modifiedIndex(), entries, skipped, holder);
    }

    private List<PluginEntry> globals() {
        List<PluginEntry> entries = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (Stored rule : state.all(ResourceKind.GLOBAL_RULES).values()) {
            for (PluginConfs.Checked checked : checked(ResourceKind.GLOBAL_RULES, rule)) {
                String name = checked.plugin().name();
                if (checked.meta().disable() || seen.putIfAbsent(name, rule.id()) != null) {
                    continue;
                }
                entries.add(confs.entry(checked, Origin.GLOBAL_RULE, rule.id(), live, instances,
                        metadataIndex(name), metadata(name)));
            }
        }
        entries.sort(ORDER);
        return entries;
    }

    private CompiledRoute route(Stored route, List<PluginEntry> globals) {
        JsonNode json = route.value();
        Stored service = ref(ResourceKind.SERVICES, json.get("service_id"));
        Stored pluginConfig = ref(ResourceKind.PLUGIN_CONFIGS, json.get("plugin_config_id"));
        long serviceRevision = service == null ? -1 : service.modifiedIndex();
        long pluginConfigRevision = pluginConfig == null ? -1 : pluginConfig.modifiedIndex();
        long upstreamRevision = upstreamRevision(json, service);
        CompiledRoute old = previous == null ? null : previous.route(route.id());
        if (old != null && old.inputs().same(route.modifiedIndex(), serviceRevision, pluginConfigRevision,
                upstreamRevision, globalKey, metadataRevision) && reuseInstances(old)) {
            return old;
        }
        Map<String, PluginEntry> merged = new LinkedHashMap<>();
        List<Explanation.Skipped> skipped = new ArrayList<>();
        merge(merged, skipped, ResourceKind.SERVICES, service, Origin.SERVICE);
        merge(merged, skipped, ResourceKind.PLUGIN_CONFIGS, pluginConfig, Origin.PLUGIN_CONFIG);
        merge(merged, skipped, ResourceKind.ROUTES, route, Origin.ROUTE);
        List<PluginEntry> own = new ArrayList<>(merged.values());
        own.sort(ORDER);
        for (PluginEntry global : globals) {
            if (merged.containsKey(global.name())) {
                // APISIX runs both copies; say so, since it surprises people
                skipped.add(new Explanation.Skipped(global.name(), Origin.GLOBAL_RULE, global.originId(),
                        "also configured on the route; both copies run, the global one first"));
            }
        }
        Upstream upstream = upstream(json, service);
        CompiledRoute compiled = new CompiledRoute(route.id(), upstream, UpstreamParser.timeouts(json.get("timeout")),
                globals, own, skipped, new CompiledRoute.Inputs(route.modifiedIndex(), serviceRevision,
                        pluginConfigRevision, upstreamRevision, globalKey, metadataRevision));
        compiled.names(new CompiledRoute.Names(text(json.get("name")), service == null ? null : service.id(),
                service == null ? null : text(service.value().get("name"))));
        if (upstream != null) {
            checks(compiled, route, service);
        }
        return compiled;
    }

    /**
     * Gives {@code compiled} its upstream's {@code checks} under APISIX's resource key: the
     * upstream's own for {@code upstream_id}, else the route's or service's that holds it inline.
     */
    private void checks(CompiledRoute compiled, Stored route, @Nullable Stored service) {
        JsonNode json = route.value();
        String key;
        JsonNode upstream;
        if (json.hasNonNull("upstream")) {
            key = "/routes/" + route.id();
            upstream = json.get("upstream");
        } else if (json.hasNonNull("upstream_id")) {
            key = "/upstreams/" + json.get("upstream_id").asText();
            upstream = state.get(ResourceKind.UPSTREAMS, json.get("upstream_id").asText()).value();
        } else if (service != null && service.value().hasNonNull("upstream")) {
            key = "/services/" + service.id();
            upstream = service.value().get("upstream");
        } else if (service != null) {
            key = "/upstreams/" + service.value().get("upstream_id").asText();
            upstream = state.get(ResourceKind.UPSTREAMS, service.value().get("upstream_id").asText()).value();
        } else {
            return;
        }
        HealthChecks checks = HealthChecks.parse(upstream.get("checks"));
        if (checks != null) {
            compiled.checks(key, checks);
        }
    }

    /** A reused route keeps its entries; their instances must be carried into the new snapshot. */
    private boolean reuseInstances(CompiledRoute old) {
        PluginInstance[] used = old.instances();
        for (PluginInstance instance : used) {
            if (instance.isClosed()) {
                return false;
            }
        }
        for (PluginInstance instance : used) {
            instances.putIfAbsent(instance.key(), instance);
        }
        return true;
    }

    private void merge(Map<String, PluginEntry> merged, List<Explanation.Skipped> skipped, ResourceKind kind,
            @Nullable Stored owner, Origin origin) {
        if (owner == null) {
            return;
        }
        for (PluginConfs.Checked checked : checked(kind, owner)) {
            String name = checked.plugin().name();
            PluginEntry overridden = merged.remove(name);
            if (overridden != null) {
                skipped.add(new Explanation.Skipped(name, overridden.origin(), overridden.originId(),
                        "overridden by " + origin.label() + " " + owner.id()));
            }
            if (checked.meta().disable()) {
                skipped.add(new Explanation.Skipped(name, origin, owner.id(), "_meta.disable is true"));
                continue;
            }
            merged.put(name, confs.entry(checked, origin, owner.id(), live, instances,
                    metadataIndex(name), metadata(name)));
        }
    }

    private List<PluginConfs.Checked> checked(ResourceKind kind, Stored owner) {
        JsonNode plugins = owner.value().get("plugins");
        List<PluginConfs.Checked> known = plugins == null ? null : alreadyChecked.get(plugins);
        if (known != null) {
            return known;
        }
        String pointer = "/" + kind.path() + "/" + PluginConfs.escape(owner.id()) + "/plugins";
        return checkedByOwner.computeIfAbsent(kind.path() + "/" + owner.id(), k -> kind == ResourceKind.CONSUMERS
                ? confs.checkConsumer(owner.value().get("plugins"), pointer, violations, messages)
                : confs.check(owner.value().get("plugins"), pointer, violations, messages));
    }

    private @Nullable Upstream upstream(JsonNode route, @Nullable Stored service) {
        if (route.hasNonNull("upstream")) {
            return UpstreamParser.parse(route.get("upstream").path("id").asText(null), route.get("upstream"));
        }
        if (route.hasNonNull("upstream_id")) {
            return upstreamById(route.get("upstream_id").asText());
        }
        if (service != null && service.value().hasNonNull("upstream")) {
            return UpstreamParser.parse(null, service.value().get("upstream"));
        }
        if (service != null && service.value().hasNonNull("upstream_id")) {
            return upstreamById(service.value().get("upstream_id").asText());
        }
        return null;
    }

    private @Nullable Upstream upstreamById(String id) {
        Stored stored = state.get(ResourceKind.UPSTREAMS, id);
        if (stored == null) {
            return null;
        }
        // the same object while its config is unchanged, so hosts can key state (balancers) by it
        String key = id + "@" + stored.modifiedIndex();
        return upstreams.computeIfAbsent(key, k -> {
            Upstream kept = previous == null ? null : previous.upstreams().get(k);
            return kept != null ? kept : UpstreamParser.parse(stored.id(), stored.value());
        });
    }

    private static @Nullable String text(@Nullable JsonNode value) {
        return value == null || value.isNull() ? null : value.asText();
    }

    private @Nullable Stored ref(ResourceKind kind, @Nullable JsonNode id) {
        return id == null || id.isNull() ? null : state.get(kind, id.asText());
    }

    /** The revision of the upstream {@code route} refers to by id, directly or through its service; -1 for none. */
    private long upstreamRevision(JsonNode route, @Nullable Stored service) {
        JsonNode id = route.get("upstream_id");
        if ((id == null || id.isNull()) && service != null) {
            id = service.value().get("upstream_id");
        }
        if (id == null || id.isNull()) {
            return -1;
        }
        Stored upstream = state.get(ResourceKind.UPSTREAMS, id.asText());
        return upstream == null ? -1 : upstream.modifiedIndex();
    }

    private long metadataIndex(String plugin) {
        Stored stored = state.get(ResourceKind.PLUGIN_METADATA, plugin);
        return stored == null ? 0 : stored.modifiedIndex();
    }

    private @Nullable JsonNode metadata(String plugin) {
        Stored stored = state.get(ResourceKind.PLUGIN_METADATA, plugin);
        return stored == null ? null : stored.value();
    }
}
