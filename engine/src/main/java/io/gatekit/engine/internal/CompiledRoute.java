package io.gatekit.engine.internal;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.api.Plugin;
import io.gatekit.engine.Explanation;
import io.gatekit.engine.Upstream;
import io.gatekit.engine.internal.route.RouteSpec;
import java.util.List;

/**
 * A route ready to serve: its upstream resolved and, for each phase, the plugins to call in order
 * (global rules first), with plugins that do not implement the phase already left out. Built when
 * config is applied, immutable, shared by all requests.
 */
final class CompiledRoute {

    private static final PluginEntry[] NONE = new PluginEntry[0];

    private final @Nullable String id;
    private final @Nullable Upstream upstream;
    private final Upstream.@Nullable Timeouts timeout;
    private final PluginEntry[][] chains;
    /*
     * The fast path's view of the chains: per phase, just the plugins, or null when some entry
     * of that phase has a _meta.filter (then the call walks the entries). Phases that run the
     * same plugins share one array, so a request reads less memory. Package-private fields,
     * read directly by PhaseRunner.
     */
    final Plugin @Nullable [] rewrite;
    final Plugin @Nullable [] access;
    final Plugin @Nullable [] beforeProxy;
    final Plugin @Nullable [] headerFilter;
    final Plugin @Nullable [] log;
    /** The entries whose plugin follows whole calls ({@code Plugin.observe}), globals first; null for none. */
    final PluginEntry @Nullable [] observers;
    private final BodyBuffering bodyBuffering;
    private final List<Explanation.Skipped> skipped;
    private final Inputs inputs;
    private final PluginInstance[] instances;
    /** The route's own entries (service, plugin config, route), merged, without the globals. */
    private final List<PluginEntry> own;
    /**
     * On a route merged with a consumer's plugins: those whose {@code rewrite} runs after the
     * route's (APISIX's {@code rewrite_in_consumer}). Set once by {@link ConsumerMerge}, before
     * publication.
     */
    PluginEntry[] consumerRewrite = NONE;
    /** The upstream's health-check key and checks, or {@code null} when it has none; set by the builder. */
    private @Nullable String healthKey;
    private io.gatekit.engine.internal.upstream.@Nullable HealthChecks checks;
    /** The upstream's checker state; set by the engine before the snapshot is published. */
    io.gatekit.engine.internal.upstream.@Nullable UpstreamHealth health;
    /**
     * The balancer of the route's upstream, looked up by the first call and kept: every call
     * after it skips the lookup. A race stores the same object twice (the policy holds one
     * balancer per upstream), and a balancer's fields are final, so no lock is needed.
     */
    io.gatekit.engine.internal.upstream.@Nullable Balancer balancer;
    /**
     * The node order of every request when the upstream has one usable node
     * ({@link io.gatekit.engine.internal.upstream.Balancer#soleNodeOrder}), else {@code null}:
     * kept here so that such a request reads no balancer.
     */
    final @Nullable List<Upstream.Node> soleNodeOrder;
    /** What the router files this route under; set once by the builder, before publication. */
    private @Nullable RouteSpec<CompiledRoute> spec;
    /** The route's name and its service's id and name; set once by the builder, before publication. */
    private Names names = Names.NONE;

    CompiledRoute(@Nullable String id, @Nullable Upstream upstream, Upstream.@Nullable Timeouts timeout,
            List<PluginEntry> globals, List<PluginEntry> own, List<Explanation.Skipped> skipped,
            Inputs inputs) {
        this.id = id;
        this.upstream = upstream;
        this.soleNodeOrder = upstream == null ? null : io.gatekit.engine.internal.upstream.Balancer.soleNodeOrder(upstream);
        this.timeout = timeout;
        this.skipped = List.copyOf(skipped);
        this.inputs = inputs;
        this.own = List.copyOf(own);
        java.util.Set<PluginInstance> distinct = new java.util.LinkedHashSet<>();
        globals.forEach(e -> distinct.add(e.instance()));
        own.forEach(e -> distinct.add(e.instance()));
        this.instances = distinct.toArray(new PluginInstance[0]);
        this.chains = new PluginEntry[Phase.values().length][];
        BodyBuffering buffering = BodyBuffering.NONE;
        for (Phase phase : Phase.values()) {
            chains[phase.ordinal()] = chainFor(phase, globals, own);
        }
        List<Plugin[]> made = new java.util.ArrayList<>();
        this.rewrite = plugins(chains[Phase.REWRITE.ordinal()], made);
        this.access = plugins(chains[Phase.ACCESS.ordinal()], made);
        this.beforeProxy = plugins(chains[Phase.BEFORE_PROXY.ordinal()], made);
        this.headerFilter = plugins(chains[Phase.HEADER_FILTER.ordinal()], made);
        this.log = plugins(chains[Phase.LOG.ordinal()], made);
        PluginEntry[] observing = java.util.stream.Stream.concat(globals.stream(), own.stream())
                .filter(e -> e.instance().observes()).toArray(PluginEntry[]::new);
        this.observers = observing.length == 0 ? null : observing;
        for (PluginEntry entry : globals) {
            buffering = buffering.with(entry.instance().plugin().bodyBuffering());
        }
        for (PluginEntry entry : own) {
            buffering = buffering.with(entry.instance().plugin().bodyBuffering());
        }
        this.bodyBuffering = buffering;
    }

    /** A route with no plugin at all, not even global rules, and no upstream. */
    static CompiledRoute none() {
        return new CompiledRoute(null, null, null, List.of(), List.of(), List.of(), Inputs.NONE);
    }

    /** The plugins of {@code chain}, or null if one has a filter; an equal array already made is reused. */
    private static Plugin @Nullable [] plugins(PluginEntry[] chain, List<Plugin[]> made) {
        Plugin[] plugins = new Plugin[chain.length];
        for (int i = 0; i < chain.length; i++) {
            if (chain[i].filter() != null) {
                return null;
            }
            plugins[i] = chain[i].plugin();
        }
        for (Plugin[] existing : made) {
            if (sameElements(existing, plugins)) {
                return existing;
            }
        }
        made.add(plugins);
        return plugins;
    }

    private static boolean sameElements(Plugin[] a, Plugin[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    private static PluginEntry[] chainFor(Phase phase, List<PluginEntry> globals, List<PluginEntry> own) {
        PluginEntry[] chain = java.util.stream.Stream.concat(
                        globals.stream().filter(e -> e.instance().phases().contains(phase)),
                        own.stream().filter(e -> e.instance().phases().contains(phase)))
                .toArray(PluginEntry[]::new);
        return chain.length == 0 ? NONE : chain;
    }

    /** The route id, or {@code null} for the chain of global rules run when no route matched. */
    public @Nullable String id() {
        return id;
    }

    /** The resolved upstream, or {@code null} when the route has none. */
    public @Nullable Upstream upstream() {
        return upstream;
    }

    /** The route's own timeouts, which override the upstream's. */
    public Upstream.@Nullable Timeouts timeout() {
        return timeout;
    }

    /** The plugins of {@code phase}, in order. Do not modify. */
    PluginEntry[] chain(Phase phase) {
        return chains[phase.ordinal()];
    }

    /** Which bodies some plugin on this route needs whole. */
    public BodyBuffering bodyBuffering() {
        return bodyBuffering;
    }

    /** The route's own entries, without the globals, in order. */
    List<PluginEntry> own() {
        return own;
    }

    /** The configured plugins that do not run, for explain. */
    List<Explanation.Skipped> skipped() {
        return skipped;
    }

    /** The revisions of everything this route was built from; equal means reusable as is. */
    Inputs inputs() {
        return inputs;
    }

    /** Every plugin instance this route runs, globals included, each once. */
    PluginInstance[] instances() {
        return instances;
    }

    /** The route as the router files it, or {@code null} while unset or for a disabled route. */
    @Nullable RouteSpec<CompiledRoute> spec() {
        return spec;
    }

    /** Sets the health checks of the route's upstream, checked under APISIX's resource key {@code key}. */
    void checks(String key, io.gatekit.engine.internal.upstream.HealthChecks checks) {
        this.healthKey = key;
        this.checks = checks;
    }

    @Nullable String healthKey() {
        return healthKey;
    }

    io.gatekit.engine.internal.upstream.@Nullable HealthChecks checks() {
        return checks;
    }

    void spec(RouteSpec<CompiledRoute> spec) {
        this.spec = spec;
    }

    /** The route's {@code name} and its service's id and {@code name}: APISIX's vars of those names. */
    Names names() {
        return names;
    }

    void names(Names names) {
        this.names = names;
    }

    /**
     * What APISIX's {@code route_name}, {@code service_id} and {@code service_name} vars read;
     * each {@code null} when unset.
     */
    record Names(@Nullable String route, @Nullable String serviceId, @Nullable String service) {
        static final Names NONE = new Names(null, null, null);
    }

    /**
     * The store revisions a compiled route depends on: its own, those of the service, plugin
     * config and upstream it refers to ({@code -1} for none), the global rules and the plugin
     * metadata. Compared as numbers, so checking that ten thousand routes are unchanged
     * allocates nothing.
     *
     * @param route        the route's revision
     * @param service      its service's, or -1
     * @param pluginConfig its plugin config's, or -1
     * @param upstream     the revision of the upstream it refers to by id, or -1
     * @param globals      the ids and revisions of every global rule
     * @param metadata     a digest of the plugin metadata revisions
     */
    record Inputs(long route, long service, long pluginConfig, long upstream, String globals, long metadata) {

        static final Inputs NONE = new Inputs(-1, -1, -1, -1, "", -1);

        boolean same(long route, long service, long pluginConfig, long upstream, String globals, long metadata) {
            return this.route == route && this.service == service && this.pluginConfig == pluginConfig
                    && this.upstream == upstream && this.metadata == metadata && this.globals.equals(globals);
        }
    }
}
