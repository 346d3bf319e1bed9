package io.gatekit.engine;

import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.plugins.mirror.ProxyMirrorFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Goal P4: applying a config of 10,000 routes, each with 3 plugin confs of about 200 B of JSON,
 * takes at most 1 s; updating one route while 10,000 are in force takes at most 5 ms.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ConfigApplyBenchmark -prof gc</pre>
 *
 * <p>The routes mix exact uris, prefixes and parameters, with methods and hosts on some, an inline
 * upstream each, and three plugins with real schemas: {@code proxy-mirror} (the built-in one),
 * plus two stand-ins shaped like APISIX's {@code limit-count} and {@code response-rewrite}
 * schemas. Each measured apply covers all the engine does: parsing the document, validating every
 * resource and plugin conf against its schema, binding the typed configs, creating the plugin
 * instances, compiling the routes and building the router, and swapping the snapshot in.
 * <ul>
 *   <li>{@code applyAll}: the whole document into a new engine (start-up, or a standalone file
 *       first read). Single shot; each shot gets a fresh engine, built outside the timing.</li>
 *   <li>{@code replaceAllChanged}: the whole document again over one in force whose every route
 *       differs (a standalone file rewritten), so no compiled route can be reused.</li>
 *   <li>{@code updateOneRoute}: one Admin API {@code PUT} of one route among 10,000; each call
 *       changes that route's mirror conf, so each builds and swaps a new snapshot.</li>
 * </ul>
 * Each benchmark checks its result: the route count, the plugins compiled into a sampled route,
 * and that the route it updated serves the new conf.
 */
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ConfigApplyBenchmark {

    static final int ROUTES = 10_000;

    // ---------------------------------------------------------------- applyAll

    /** The document, and a new empty engine before every shot (built outside the timing). */
    @State(Scope.Thread)
    public static class Fresh {
        String document;
        Engine engine;
        long versionBefore;

        @Setup(Level.Trial)
        public void build() {
            document = document(0);
        }

        @Setup(Level.Invocation)
        public void freshEngine() {
            close();
            engine = newEngine();
            versionBefore = engine.version();
        }

        @TearDown(Level.Trial)
        public void close() {
            if (engine != null) {
                engine.close();
                engine = null;
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 5)
    @Measurement(iterations = 10)
    public Engine applyAll(Fresh state) {
        state.engine.replaceAll(state.document);
        check(state.engine, state.versionBefore + 1, 0);
        return state.engine;
    }

    // ---------------------------------------------------------------- replaceAllChanged

    /** An engine holding one of two documents that differ in every route. */
    @State(Scope.Thread)
    public static class Reloading {
        Engine engine;
        String[] documents;
        int next;

        @Setup(Level.Trial)
        public void load() {
            documents = new String[] {document(0), document(1)};
            engine = newEngine();
            engine.replaceAll(documents[0]);
            next = 1;
        }

        @TearDown(Level.Trial)
        public void close() {
            engine.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 5)
    @Measurement(iterations = 10)
    public Engine replaceAllChanged(Reloading state) {
        long before = state.engine.version();
        int which = state.next;
        state.engine.replaceAll(state.documents[which]);
        state.next = 1 - which;
        check(state.engine, before + 1, which);
        return state.engine;
    }

    // ---------------------------------------------------------------- updateOneRoute

    /** An engine holding 10,000 routes, and 64 versions of route r4242 to cycle through. */
    @State(Scope.Thread)
    public static class Loaded {
        Engine engine;
        String[] updates;
        int update;

        @Setup(Level.Trial)
        public void load() {
            engine = newEngine();
            engine.replaceAll(document(0));
            updates = new String[64];
            for (int k = 0; k < updates.length; k++) {
                updates[k] = route(4242, 100 + k);
            }
        }

        /** The route holds its last update, and the other routes are all still there. */
        @TearDown(Level.Iteration)
        public void checkLastUpdate() {
            if (update == 0) {
                return;
            }
            int k = (update - 1) & (updates.length - 1);
            String json = engine.get(ResourceKind.ROUTES, "r4242").orElseThrow().json();
            if (!json.contains("\"/shadow/" + (100 + k) + "\"")) {
                throw new IllegalStateException("route r4242 does not hold its last update: " + json);
            }
            Explanation explained = engine.explain(request(4242));
            if (!"r4242".equals(explained.routeId()) || engine.list(ResourceKind.ROUTES).size() != ROUTES) {
                throw new IllegalStateException("after updates: " + explained);
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            engine.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public Resource updateOneRoute(Loaded state) {
        Engine engine = state.engine;
        long before = engine.version();
        int k = state.update++ & (state.updates.length - 1);
        Resource stored = engine.put(ResourceKind.ROUTES, "r4242", state.updates[k]);
        if (engine.version() != before + 1 || !stored.id().equals("r4242")) {
            throw new IllegalStateException("update not applied: version " + engine.version() + " after " + before);
        }
        return stored;
    }

    // ---------------------------------------------------------------- config

    static Engine newEngine() {
        return Engine.builder().plugin(new ProxyMirrorFactory()).plugin(new LimitCountLike())
                .plugin(new ResponseRewriteLike())
                .httpClient(request -> {
                    throw new IllegalStateException("no request is sent while applying config");
                })
                .build();
    }

    /** Checks the route count and that a sampled route runs its three plugins, in priority order. */
    static void check(Engine engine, long expectedVersion, int variant) {
        if (engine.version() != expectedVersion) {
            throw new IllegalStateException("version " + engine.version() + " (expected: " + expectedVersion + ")");
        }
        for (int r : new int[] {0, 1, 2, 3, 7_777, ROUTES - 1}) {
            Explanation explained = engine.explain(request(r));
            if (!("r" + r).equals(explained.routeId())) {
                throw new IllegalStateException("request for route r" + r + " matched " + explained.routeId());
            }
            Set<String> plugins = new HashSet<>();
            for (Phase phase : Phase.values()) {
                explained.phases().get(phase).forEach(step -> plugins.add(step.plugin()));
            }
            if (!plugins.equals(Set.of("proxy-mirror", "bench-limit-count", "bench-response-rewrite"))) {
                throw new IllegalStateException("route r" + r + " runs " + plugins);
            }
        }
        String stored = engine.get(ResourceKind.ROUTES, "r7777").orElseThrow().json();
        if (!stored.contains("\"count\":" + (1000 + variant))) {
            throw new IllegalStateException("route r7777 is not variant " + variant + ": " + stored);
        }
    }

    /** A standalone document of {@link #ROUTES} routes; {@code variant} changes every route's confs. */
    static String document(int variant) {
        StringBuilder doc = new StringBuilder(ROUTES * 900).append("{\"routes\": [\n");
        for (int r = 0; r < ROUTES; r++) {
            doc.append(r == 0 ? "" : ",\n").append(route(r, variant));
        }
        String text = doc.append("\n]}").toString();
        if (variant == 0 && text.length() < ROUTES * 600) {
            throw new IllegalStateException("document smaller than planned: " + text.length() + " chars");
        }
        return text;
    }

    /** Route {@code r}; its three plugin confs are about 200 B of JSON each. */
    static String route(int r, int variant) {
        String uri = switch (r % 4) {
            case 0, 1 -> "/api/v" + (r % 3) + "/svc" + r + "/items";
            case 2 -> "/static/site" + r + "/*";
            default -> "/api/v1/users" + r + "/:id/orders/:order";
        };
        String methods = r % 5 == 0 ? "\"methods\": [\"GET\", \"POST\"], " : "";
        String hosts = r % 7 == 0 ? "\"hosts\": [\"*.example.com\", \"example.com\"], " : "";
        return "{\"id\": \"r" + r + "\", \"uri\": \"" + uri + "\", " + methods + hosts
                + "\"upstream\": {\"type\": \"roundrobin\", \"nodes\": {\"127.0.0.1:" + (2000 + r % 50) + "\": 1}},"
                + " \"plugins\": {"
                + "\"proxy-mirror\": {\"host\": \"http://127.0.0.1:9797\", \"path\": \"/shadow/" + variant + "\","
                + " \"path_concat_mode\": \"prefix\", \"sample_ratio\": 0.25,"
                + " \"timeout\": {\"connect\": 1, \"send\": 2, \"read\": 5},"
                + " \"headers\": {\"set\": {\"X-Mirror-Route\": \"r" + r + "\"}, \"remove\": [\"Authorization\"]}},"
                + " \"bench-limit-count\": {\"count\": " + (1000 + variant) + ", \"time_window\": 60,"
                + " \"key_type\": \"var\", \"key\": \"remote_addr\", \"rejected_code\": 429,"
                + " \"rejected_msg\": \"too many requests on route r" + r + "\", \"policy\": \"local\","
                + " \"allow_degradation\": false, \"show_limit_quota_header\": true},"
                + " \"bench-response-rewrite\": {\"status_code\": 200, \"headers\": {\"set\": {\"X-Route\": \"r" + r
                + "\", \"X-Server\": \"gatekit\", \"Cache-Control\": \"no-store\"}, \"remove\": [\"X-Powered-By\"]},"
                + " \"vars\": [[\"status\", \"==\", 200]]}}}";
    }

    /** A request that route {@code r}, and no other specific route, matches. */
    static HttpRequest request(int r) {
        String path = switch (r % 4) {
            case 0, 1 -> "/api/v" + (r % 3) + "/svc" + r + "/items";
            case 2 -> "/static/site" + r + "/app.js";
            default -> "/api/v1/users" + r + "/u1/orders/42";
        };
        return HttpRequest.builder().method("GET").uri(path).header("Host", "shop.example.com").build();
    }

    // ---------------------------------------------------------------- stand-in plugins

    /** Config shaped like APISIX's {@code limit-count}. */
    public record LimitCountConfig(int count, int time_window, String key_type, String key, int rejected_code,
            String rejected_msg, String policy, boolean allow_degradation, boolean show_limit_quota_header) {
    }

    /** Config shaped like APISIX's {@code response-rewrite}. */
    public record ResponseRewriteConfig(Integer status_code, java.util.Map<String, Object> headers,
            List<List<Object>> vars) {
    }

    /** The schema of APISIX's {@code limit-count} (local policy), on a plugin that lets everything through. */
    static final class LimitCountLike implements PluginFactory<LimitCountConfig> {
        @Override
        public String name() {
            return "bench-limit-count";
        }

        @Override
        public int priority() {
            return 1002;
        }

        @Override
        public String configSchema() {
            return """
                    {"type": "object",
                     "properties": {
                       "count": {"type": "integer", "exclusiveMinimum": 0},
                       "time_window": {"type": "integer", "exclusiveMinimum": 0},
                       "group": {"type": "string"},
                       "key": {"type": "string", "default": "remote_addr"},
                       "key_type": {"type": "string", "enum": ["var", "var_combination", "constant"], "default": "var"},
                       "rejected_code": {"type": "integer", "minimum": 200, "maximum": 599, "default": 503},
                       "rejected_msg": {"type": "string", "minLength": 1},
                       "policy": {"type": "string", "enum": ["local", "redis", "redis-cluster"], "default": "local"},
                       "allow_degradation": {"type": "boolean", "default": false},
                       "show_limit_quota_header": {"type": "boolean", "default": true}
                     },
                     "required": ["count", "time_window"]}""";
        }

        @Override
        public Class<LimitCountConfig> configType() {
            return LimitCountConfig.class;
        }

        @Override
        public Plugin create(LimitCountConfig config, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome access(Exchange exchange) {
                    return Outcome.proceed();
                }
            };
        }
    }

    /** The schema of APISIX's {@code response-rewrite} (headers form), on a plugin that changes nothing. */
    static final class ResponseRewriteLike implements PluginFactory<ResponseRewriteConfig> {
        @Override
        public String name() {
            return "bench-response-rewrite";
        }

        @Override
        public int priority() {
            return 899;
        }

        @Override
        public String configSchema() {
            return """
                    {"type": "object",
                     "properties": {
                       "status_code": {"type": "integer", "minimum": 200, "maximum": 598},
                       "body": {"type": "string"},
                       "body_base64": {"type": "boolean", "default": false},
                       "headers": {"type": "object",
                                   "properties": {
                                     "add": {"type": "array", "minItems": 1,
                                             "items": {"type": "string", "pattern": "^[^:]+:[^:]*[^/]$"}},
                                     "set": {"type": "object", "minProperties": 1,
                                             "patternProperties": {"^[^:]+$": {"oneOf": [{"type": "string"},
                                                                                        {"type": "number"}]}}},
                                     "remove": {"type": "array", "minItems": 1,
                                                "items": {"type": "string", "pattern": "^[^:]+$"}}}},
                       "vars": {"type": "array"}
                     }}""";
        }

        @Override
        public Class<ResponseRewriteConfig> configType() {
            return ResponseRewriteConfig.class;
        }

        @Override
        public Plugin create(ResponseRewriteConfig config, PluginContext context) {
            return new Plugin() {
                @Override
                public io.gatekit.api.Completion headerFilter(Exchange exchange) {
                    return io.gatekit.api.Completion.done();
                }
            };
        }
    }
}
