package io.gatekit.engine;

import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
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
 */
@State(Scope.Thread)
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

    @Benchmark
    public int request() {
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
