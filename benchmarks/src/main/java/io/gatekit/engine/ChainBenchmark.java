package io.gatekit.engine;

import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Goals P1 and P2: the cost of a request through the engine (route match, rewrite, access,
 * header_filter, log) with 0, 1, 4 or 16 no-op plugins, over 1,024 distinct routes, against a
 * direct loop over as many distinct plugin instances (one array per route) with no engine. The
 * plugins are of one class ({@code kinds=1}: monomorphic call sites, the JIT's best case) or spread
 * over four ({@code kinds=4}: megamorphic, as with several real plugins).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ChainBenchmark -prof gc</pre>
 *
 * P1 is the slope between plugin counts (ns and B/op per added plugin; each no-op plugin
 * implements four phases, so one plugin is four hops); P2 is {@code gc.alloc.rate.norm} at 4
 * plugins. Every engine call checks that the intended route matched and that every phase
 * proceeded synchronously.
 *
 * <p>Next to the no-op chains, {@link #realisticRequest} runs a realistic chain of built-in plugins
 * ({@code key-auth}, {@code limit-count}, {@code proxy-rewrite}, {@code proxy-mirror} sampled out)
 * against the same fresh request through routes without plugins:
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar 'ChainBenchmark.realisticRequest' -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ChainBenchmark {

    private static final int ROUTES = 1024;
    private static final int MASK = ROUTES - 1;

    /** Which path runs the plugins. */
    public enum Runner { ENGINE, DIRECT_CALL }

    /** The no-op chains' benchmark: a request through routes of {@code plugins} no-op plugins, or the direct loop. */
    @Benchmark
    public static int request(NoopChains state) {
        return state.request();
    }

    /** The no-op chains: {@code plugins} no-op plugins of {@code kinds} classes on each of 1,024 routes. */
    @State(Scope.Thread)
    public static class NoopChains {

        @Param({"0", "1", "4", "16"})
        public int plugins;

        @Param({"ENGINE", "DIRECT_CALL"})
        public Runner runner;

        /**
         * How many plugin classes the no-op plugins are spread over: 1 keeps every call site
         * monomorphic (the JIT's best case), 4 makes them megamorphic, as several real plugins do.
         */
        @Param({"1", "4"})
        public int kinds;

        private Engine engine;
        private HttpRequest[] requests;
        private String[] routeIds;
        private Plugin[][] direct;
        private final HttpResponse response = HttpResponse.of(200);
        private int i;

        @Setup(Level.Trial)
        public void setUp() {
            Engine.Builder builder = Engine.builder();
            for (int p = 0; p < 16; p++) {
                builder.plugin(new NoopFactory("noop-" + p, 1000 + p, p, kinds));
            }
            engine = builder.build();
            StringBuilder doc = new StringBuilder("{\"routes\": [");
            for (int r = 0; r < ROUTES; r++) {
                doc.append(r == 0 ? "" : ",").append("{\"id\": \"").append(r).append("\", \"uri\": \"/r/").append(r)
                        .append("\", \"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}}, \"plugins\": {");
                for (int p = 0; p < plugins; p++) {
                    doc.append(p == 0 ? "" : ",").append("\"noop-").append(p).append("\": {\"route\": ").append(r)
                            .append('}');
                }
                doc.append("}}");
            }
            engine.replaceAll(doc.append("]}").toString());
            requests = new HttpRequest[ROUTES];
            routeIds = new String[ROUTES];
            for (int r = 0; r < ROUTES; r++) {
                requests[r] = HttpRequest.builder().uri("/r/" + r).header("Host", "example.com").build();
                routeIds[r] = Integer.toString(r);
            }
            // the baseline gets as many distinct instances as the engine holds, so both pay the same
            // cache misses and only the engine's own work differs
            direct = new Plugin[ROUTES][plugins];
            for (int r = 0; r < ROUTES; r++) {
                for (int p = 0; p < plugins; p++) {
                    direct[r][p] = noop(r, p, kinds);
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            engine.close();
        }

        int request() {
            int r = i++ & MASK;
            return runner == Runner.ENGINE ? throughEngine(requests[r], routeIds[r]) : directly(direct[r]);
        }

        private int throughEngine(HttpRequest request, String routeId) {
            Call call = engine.newCall(request);
            if (!routeId.equals(call.exchange().routeId())) {
                throw new IllegalStateException(request + " matched route " + call.exchange().routeId()
                        + " (expected: " + routeId + ")");
            }
            Outcome outcome = call.runRequestPhases();
            if (!outcome.proceeds()) {
                throw new IllegalStateException("expected proceed, got " + outcome);
            }
            call.beforeProxy();
            Completion done = call.upstreamResponse(response);
            if (!done.isDone()) {
                throw new IllegalStateException("no-op plugins completed asynchronously");
            }
            call.complete();
            return call.exchange().response().status();
        }

        private int directly(Plugin[] chain) {
            for (Plugin p : chain) {
                if (!p.rewrite(null).proceeds()) {
                    throw new IllegalStateException();
                }
            }
            for (Plugin p : chain) {
                if (!p.access(null).proceeds()) {
                    throw new IllegalStateException();
                }
            }
            for (Plugin p : chain) {
                p.headerFilter(null);
            }
            for (Plugin p : chain) {
                p.log(null);
            }
            return response.status();
        }
    }

    /**
     * The realistic chain's benchmark: its own state, so the no-op chains' parameters do not
     * multiply it. Compare {@code chain=REALISTIC} with {@code chain=NONE} (the same fresh request
     * through routes without plugins) and with {@link #request()} at {@code plugins=4}.
     */
    @Benchmark
    public static int realisticRequest(RealisticChain state) {
        return state.request();
    }

    /**
     * A realistic chain over 1,024 distinct routes: {@code key-auth} (the key in a header, the
     * consumer found and attached, so the consumer merge runs), {@code limit-count} keyed by
     * {@code consumer_name} (a count never reached, quota headers on), {@code proxy-rewrite} (a
     * {@code $uri} template and a header from a variable) and {@code proxy-mirror} sampled out
     * ({@code sample_ratio} 0.00001). Each call builds a fresh request, since the chain rewrites it.
     */
    @State(Scope.Thread)
    public static class RealisticChain {

        /** What the routes carry: nothing, or the four plugins. */
        public enum Chain { NONE, REALISTIC }

        private static final String PLUGINS = """
                "key-auth": {},
                "limit-count": {"count": 1000000000, "time_window": 60, "key": "consumer_name"},
                "proxy-rewrite": {"uri": "/v2$uri", "headers": {"set": {"X-Client": "$remote_addr"}}},
                "proxy-mirror": {"host": "http://127.0.0.1:9797", "sample_ratio": 0.00001}""";

        @Param({"NONE", "REALISTIC"})
        public Chain chain;

        private Engine engine;
        private String[] uris;
        private String[] routeIds;
        private int i;

        @Setup(Level.Trial)
        public void setUp() {
            // copies sampled in (about 1 in 100,000) are answered at once, with no socket
            engine = Engine.builder().discoverPlugins()
                    .httpClient(request -> CompletableFuture.completedFuture(
                            new OutboundResponse(200, HttpHeaders.of(), new byte[0])))
                    .build();
            StringBuilder doc = new StringBuilder("{\"consumers\": [{\"username\": \"jack\", \"plugins\":"
                    + " {\"key-auth\": {\"key\": \"auth-jack\"}}}], \"routes\": [");
            for (int r = 0; r < ROUTES; r++) {
                doc.append(r == 0 ? "" : ",").append("{\"id\": \"").append(r).append("\", \"uri\": \"/r/")
                        .append(r).append("\", \"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}}, \"plugins\": {")
                        .append(chain == Chain.REALISTIC ? PLUGINS : "").append("}}");
            }
            engine.replaceAll(doc.append("]}").toString());
            uris = new String[ROUTES];
            routeIds = new String[ROUTES];
            for (int r = 0; r < ROUTES; r++) {
                uris[r] = "/r/" + r;
                routeIds[r] = Integer.toString(r);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            engine.close();
        }

        int request() {
            int r = i++ & MASK;
            HttpRequest request = HttpRequest.builder().uri(uris[r]).header("Host", "example.com")
                    .header("apikey", "auth-jack").build();
            Call call = engine.newCall(request);
            if (!routeIds[r].equals(call.exchange().routeId())) {
                throw new IllegalStateException(request + " matched route " + call.exchange().routeId());
            }
            Outcome outcome = call.runRequestPhases();
            if (outcome.proceeds()) {
                outcome = call.beforeProxy();
            }
            if (!outcome.proceeds()) {
                throw new IllegalStateException("expected proceed, got " + outcome);
            }
            Completion done = call.upstreamResponse(HttpResponse.of(200));
            if (!done.isDone()) {
                throw new IllegalStateException("the chain completed asynchronously");
            }
            call.complete();
            if (chain == Chain.REALISTIC && (!request.path().startsWith("/v2/")
                    || !"jack".equals(call.exchange().var("consumer_name"))
                    || call.exchange().response().headers().get("X-RateLimit-Remaining") == null)) {
                throw new IllegalStateException("the chain did not run: " + request + " " + call.exchange().response());
            }
            return call.exchange().response().status();
        }
    }

    /** Config of a no-op plugin. */
    public record NoopConfig(int route) {
    }

    static final class NoopFactory implements PluginFactory<NoopConfig> {
        private final String name;
        private final int priority;
        private final int index;
        private final int kinds;

        NoopFactory(String name, int priority, int index, int kinds) {
            this.name = name;
            this.priority = priority;
            this.index = index;
            this.kinds = kinds;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public String configSchema() {
            return "{\"type\": \"object\", \"properties\": {\"route\": {\"type\": \"integer\"}}}";
        }

        @Override
        public Class<NoopConfig> configType() {
            return NoopConfig.class;
        }

        @Override
        public Plugin create(NoopConfig config, PluginContext context) {
            return noop(config.route(), index, kinds);
        }
    }

    /**
     * The no-op plugin at position {@code index} of route {@code route}: one of {@code kinds}
     * classes (1 to 4), so with several the call sites see several receiver types.
     */
    static Plugin noop(int route, int index, int kinds) {
        int id = route * 100 + index;
        return switch ((route + index) % kinds) {
            case 0 -> new NoopPlugin(id);
            case 1 -> new NoopPluginB(id);
            case 2 -> new NoopPluginC(id);
            default -> new NoopPluginD(id);
        };
    }

    /** Implements four phases and does nothing in them. */
    static class NoopPlugin implements Plugin {
        private final int id;

        NoopPlugin(int id) {
            this.id = id;
        }

        @Override
        public Outcome rewrite(Exchange exchange) {
            return Outcome.proceed();
        }

        @Override
        public Outcome access(Exchange exchange) {
            return Outcome.proceed();
        }

        @Override
        public Completion headerFilter(Exchange exchange) {
            return Completion.done();
        }

        @Override
        public void log(Exchange exchange) {
        }

        @Override
        public String toString() {
            return "noop#" + id;
        }
    }

    /**
     * Same as {@link NoopPlugin}, another class. B, C and D repeat the phase methods on purpose: an
     * inherited method would be one call target, and the point of {@code kinds=4} is four targets
     * per call site (megamorphic), as several real plugins give.
     */
    static final class NoopPluginB extends NoopPlugin {
        NoopPluginB(int id) {
            super(id);
        }

        @Override
        public Outcome rewrite(Exchange exchange) {
            return Outcome.proceed();
        }

        @Override
        public Outcome access(Exchange exchange) {
            return Outcome.proceed();
        }

        @Override
        public Completion headerFilter(Exchange exchange) {
            return Completion.done();
        }

        @Override
        public void log(Exchange exchange) {
        }
    }

    /** Same as {@link NoopPlugin}, another class. */
    static final class NoopPluginC extends NoopPlugin {
        NoopPluginC(int id) {
            super(id);
        }

        @Override
        public Outcome rewrite(Exchange exchange) {
            return Outcome.proceed();
        }

        @Override
        public Outcome access(Exchange exchange) {
            return Outcome.proceed();
        }

        @Override
        public Completion headerFilter(Exchange exchange) {
            return Completion.done();
        }

        @Override
        public void log(Exchange exchange) {
        }
    }

    /** Same as {@link NoopPlugin}, another class. */
    static final class NoopPluginD extends NoopPlugin {
        NoopPluginD(int id) {
            super(id);
        }

        @Override
        public Outcome rewrite(Exchange exchange) {
            return Outcome.proceed();
        }

        @Override
        public Outcome access(Exchange exchange) {
            return Outcome.proceed();
        }

        @Override
        public Completion headerFilter(Exchange exchange) {
            return Completion.done();
        }

        @Override
        public void log(Exchange exchange) {
        }
    }
}
