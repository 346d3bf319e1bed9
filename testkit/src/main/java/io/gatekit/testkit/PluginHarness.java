package io.gatekit.testkit;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Arguments;
import io.gatekit.api.EngineListener;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Call;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Explanation;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Runs plugins in a real {@link Engine}, in memory: no sockets, no gateway. Configure a route,
 * send requests, and assert on what the upstream received, what the client gets, and which plugin
 * ran in which phase.
 *
 * <pre>{@code
 * try (PluginHarness harness = PluginHarness.of(new HeaderStampFactory())) {
 *     harness.route("""
 *             {"header-stamp": {"name": "x-stamp", "value": "v"}}""");
 *     harness.upstreamResponds(HttpResponse.of(201));
 *
 *     RunResult result = harness.request("/anything");
 *
 *     assertEquals("v", result.upstreamRequest().headers().get("x-stamp"));
 *     assertEquals(201, result.response().status());
 * }
 * }</pre>
 *
 * <p>What the harness puts around the engine: a {@link RecordingHttpClient} as the outbound client
 * plugins get ({@link #httpClient()}); a {@link ManualClock} whose schedulers replace
 * {@link PluginContext#scheduler()}, so plugin timers fire when the test advances {@link #clock()};
 * an in-memory upstream ({@link #upstreamResponds}); and a listener that records the trace. Plugin
 * instances are the plugins' own, so the engine runs exactly the phases they implement.
 *
 * <p>One request runs at a time. A request whose plugins complete synchronously is over when
 * {@link #request} returns; an async one is awaited up to {@link #timeout(Duration)}, and a plugin
 * that never completes fails the test with its name instead of hanging it.
 */
public final class PluginHarness implements AutoCloseable {

    /** The id of the route {@link #route(String)} writes. */
    public static final String ROUTE_ID = "harness";

    private static final String UPSTREAM = "{\"type\": \"roundrobin\", \"nodes\": {\"127.0.0.1:1980\": 1}}";

    private final Engine engine;
    private final ManualClock clock;
    private final RecordingHttpClient httpClient;
    private final AtomicReference<Run> current;
    private final WrappedFactory.Hooks hooks;
    private volatile Function<HttpRequest, HttpResponse> upstream =
            request -> HttpResponse.of(200, HttpHeaders.of(), new byte[0]);
    private volatile int bodyChunkSize;
    private volatile Duration timeout = Duration.ofSeconds(5);

    private final @Nullable Transport transport;

    private PluginHarness(Engine engine, ManualClock clock, RecordingHttpClient httpClient,
            AtomicReference<Run> current, WrappedFactory.Hooks hooks, @Nullable Transport transport) {
        this.engine = engine;
        this.transport = transport;
        this.hooks = hooks;
        this.clock = clock;
        this.httpClient = httpClient;
        this.current = current;
    }

    /** A harness with {@code factories} registered (one plugin, or a chain to test together). */
    public static PluginHarness of(PluginFactory<?>... factories) {
        if (factories.length == 0) {
            throw new IllegalArgumentException("factories: none (expected: at least one plugin)");
        }
        Builder builder = builder();
        for (PluginFactory<?> factory : factories) {
            builder.plugin(factory);
        }
        return builder.build();
    }

    /** A builder, for a shared {@link ManualClock}, discovered plugins or plugin attributes. */
    public static Builder builder() {
        return new Builder();
    }

    /** The engine, for config beyond one route: global rules, services, plugin metadata, explain. */
    public Engine engine() {
        return engine;
    }

    /** The clock plugin timers run on. */
    public ManualClock clock() {
        return clock;
    }

    /** The outbound client plugins get: records what they send, answers from canned rules. */
    public RecordingHttpClient httpClient() {
        return httpClient;
    }

    /**
     * Creates or replaces route {@value #ROUTE_ID}, matching every path, with {@code pluginsJson}
     * as its {@code plugins} object: {@code {"key-auth": {}, "limit-count": {...}}}.
     *
     * @throws ConfigException when the config is invalid, with every violation (assert on it)
     */
    public PluginHarness route(String pluginsJson) {
        requireNonNull(pluginsJson, "pluginsJson");
        engine.put(ResourceKind.ROUTES, ROUTE_ID, "{\"uri\": \"/*\", \"upstream\": " + UPSTREAM
                + ", \"plugins\": " + pluginsJson + "}");
        return this;
    }

    /** The upstream answers every request with a copy of {@code response}. Default: 200, empty body. */
    public PluginHarness upstreamResponds(HttpResponse response) {
        HttpResponse canned = Run.copy(requireNonNull(response, "response"));
        this.upstream = request -> canned;
        return this;
    }

    /** The upstream answers with what {@code upstream} returns for the request it receives. */
    public PluginHarness upstream(Function<HttpRequest, HttpResponse> upstream) {
        this.upstream = requireNonNull(upstream, "upstream");
        return this;
    }

    /**
     * Splits a streamed upstream body into chunks of {@code bytes} for {@code body_filter};
     * 0 (the default) passes it as one chunk.
     */
    public PluginHarness bodyChunkSize(int bytes) {
        if (bytes < 0) {
            throw Arguments.invalid("bytes", bytes, ">= 0");
        }
        this.bodyChunkSize = bytes;
        return this;
    }

    /** How long {@link #request} and {@link PendingRun#await()} wait for async plugins. Default: 5 s. */
    public PluginHarness timeout(Duration timeout) {
        requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw Arguments.invalid("timeout", timeout, "> 0");
        }
        this.timeout = timeout;
        return this;
    }

    /** Runs a {@code GET uri} with {@code Host: example.com} and waits for the result. */
    public RunResult request(String uri) {
        return request(HttpRequest.builder().uri(uri).header("Host", "example.com").build());
    }

    /**
     * Runs {@code request} through every phase and waits for the result.
     *
     * @throws AssertionError when an async plugin does not complete within the timeout
     */
    public RunResult request(HttpRequest request) {
        return send(request).await();
    }

    /**
     * Starts {@code request} and returns at once; for plugins that wait for a timer, an outbound
     * answer or anything else the test controls.
     *
     * @throws IllegalStateException while another run is pending
     */
    public PendingRun send(HttpRequest request) {
        requireNonNull(request, "request");
        Explanation plan = engine.explain(request);
        Call call = engine.newCall(request);
        Run run = new Run(call, plan, clock, upstream, bodyChunkSize, hooks::traced);
        if (!current.compareAndSet(null, run)) {
            call.complete();
            throw new IllegalStateException("a run is still pending (expected: await() it before sending another)");
        }
        run.start(() -> current.compareAndSet(run, null));
        return new PendingRun(run, this, timeout);
    }

    /**
     * Serves one request the way every host does ({@link Engine#serve}), its bodies streaming both
     * ways: through the {@link Builder#transport transport} when one was set (a real network
     * call), else to the in-memory upstream. For tests of the host side itself (the host
     * conformance suite runs the harness this way); {@link #request} is the one for plugins.
     *
     * <pre>{@code
     * Response response = harness.serve(request, Body.of(bytes)).toCompletableFuture().get();
     * }</pre>
     */
    public CompletionStage<Response> serve(HttpRequest request, Body body) {
        requireNonNull(request, "request");
        requireNonNull(body, "body");
        Transport to = transport != null ? transport : new InMemoryTransport(() -> upstream, bodyChunkSize, sent -> { });
        return engine.serve(request, body, to);
    }

    void abandon(Run run) {
        run.abandon();
        current.compareAndSet(run, null);
    }

    /** Closes the engine, and so every plugin instance; abandons a pending run first. */
    @Override
    public void close() {
        Run pending = current.get();
        if (pending != null) {
            abandon(pending);
        }
        engine.close();
    }

    /** Records the trace of the run in progress. */
    private static final class TraceListener implements EngineListener {
        private final AtomicReference<Run> current;

        TraceListener(AtomicReference<Run> current) {
            this.current = current;
        }

        @Override
        public void pluginPhase(String plugin, Phase phase, String routeId, long nanos) {
            Run run = current.get();
            if (run != null) {
                run.phaseRan(plugin, phase, nanos);
            }
        }

        @Override
        public void pluginFailed(String plugin, Phase phase, String routeId, Throwable error) {
            Run run = current.get();
            if (run != null) {
                run.pluginFailed(plugin, phase, error);
            }
        }
    }

    /** Configures a {@link PluginHarness}. */
    public static final class Builder {
        private final List<PluginFactory<?>> factories = new ArrayList<>();
        private final Map<String, String> pluginAttributes = new LinkedHashMap<>();
        private boolean discover;
        private ManualClock clock = new ManualClock();
        private RecordingHttpClient httpClient = new RecordingHttpClient();
        private WrappedFactory.@Nullable Hooks hooks;
        private @Nullable Transport transport;

        private Builder() {
        }

        /**
         * The network call {@link PluginHarness#serve} makes instead of the in-memory upstream, for
         * a harness that proxies to real servers, e.g. {@link io.gatekit.engine.host.JdkTransport}.
         */
        public Builder transport(Transport transport) {
            this.transport = requireNonNull(transport, "transport");
            return this;
        }

        /** Registers a plugin. */
        public Builder plugin(PluginFactory<?> factory) {
            factories.add(requireNonNull(factory, "factory"));
            return this;
        }

        /**
         * Also registers every plugin {@link ServiceLoader} finds on the thread's context class
         * loader: checks that {@code META-INF/services} lists yours.
         */
        public Builder discoverPlugins() {
            this.discover = true;
            return this;
        }

        /** The clock timers run on; share it with plugin factories that take a {@link java.time.Clock}. */
        public Builder clock(ManualClock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Node-level attributes of plugin {@code name} ({@code plugin_attr.<name>}), as JSON. */
        public Builder pluginAttributes(String name, String json) {
            pluginAttributes.put(requireNonNull(name, "name"), requireNonNull(json, "json"));
            return this;
        }

        /** For the conformance check: its own hooks (real schedulers, probes) and client. */
        Builder hooks(WrappedFactory.Hooks hooks, RecordingHttpClient httpClient) {
            this.hooks = hooks;
            this.httpClient = httpClient;
            return this;
        }

        /**
         * Builds the harness and its engine.
         *
         * @throws IllegalStateException as {@link Engine.Builder#build()}: duplicate names, a schema
         *         that does not compile
         */
        @SuppressWarnings({"rawtypes", "unchecked"})
        public PluginHarness build() {
            List<PluginFactory<?>> all = new ArrayList<>();
            if (discover) {
                ServiceLoader<PluginFactory> loader = ServiceLoader.load(PluginFactory.class,
                        Thread.currentThread().getContextClassLoader());
                loader.forEach(all::add);
            }
            all.addAll(factories);
            WrappedFactory.Hooks use = hooks != null ? hooks : manualTime(clock);
            AtomicReference<Run> current = new AtomicReference<>();
            Engine.Builder engine = Engine.builder()
                    .httpClient(httpClient)
                    .listener(new TraceListener(current));
            for (PluginFactory<?> factory : all) {
                engine.plugin(WrappedFactory.wrap(factory, use));
            }
            pluginAttributes.forEach(engine::pluginAttributes);
            return new PluginHarness(engine.build(), clock, httpClient, current, use, transport);
        }

        private static WrappedFactory.Hooks manualTime(ManualClock clock) {
            return new WrappedFactory.Hooks() {
                @Override
                public PluginContext context(PluginContext engineContext) {
                    return new ManualTimeContext(engineContext, clock);
                }

                @Override
                public Plugin instance(Plugin created, PluginContext context) {
                    return created;
                }
            };
        }
    }
}
