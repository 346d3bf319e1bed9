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
 * header_filter, log) with 0, 1, 4 or 16 no-op plugins, over 1,024 distinct routes so call sites
 * stay megamorphic, against a direct loop over the same plugins with no engine.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ChainBenchmark -prof gc</pre>
 *
 * P1 is the slope between plugin counts (ns and B/op per added plugin); P2 is {@code
 * gc.alloc.rate.norm} at 4 plugins.
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

    private Engine engine;
    private HttpRequest[] requests;
    private Plugin[] direct;
    private final HttpResponse response = HttpResponse.of(200);
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.Builder builder = Engine.builder();
        for (int p = 0; p < 16; p++) {
            builder.plugin(new NoopFactory("noop-" + p, 1000 + p));
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
        for (int r = 0; r < ROUTES; r++) {
            requests[r] = HttpRequest.builder().uri("/r/" + r).header("Host", "example.com").build();
        }
        direct = new Plugin[plugins];
        for (int p = 0; p < plugins; p++) {
            direct[p] = new NoopPlugin(p);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public int request() {
        HttpRequest request = requests[i++ & MASK];
        return runner == Runner.ENGINE ? throughEngine(request) : directly();
    }

    private int throughEngine(HttpRequest request) {
        Call call = engine.newCall(request);
        if (!call.matched()) {
            throw new IllegalStateException("no route matched " + request);
        }
        Outcome outcome = call.runRequestPhases();
        if (!outcome.proceeds()) {
            throw new IllegalStateException("expected proceed, got " + outcome);
        }
        call.beforeProxy("127.0.0.1", 1980, "example.com");
        Completion done = call.headerFilter(response, true);
        if (!done.isDone()) {
            throw new IllegalStateException("no-op plugins completed asynchronously");
        }
        call.complete();
        return call.exchange().response().status();
    }

    private int directly() {
        Plugin[] chain = direct;
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

        NoopFactory(String name, int priority) {
            this.name = name;
            this.priority = priority;
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
            return new NoopPlugin(config.route());
        }
    }

    /** Implements four phases and does nothing in them. */
    static final class NoopPlugin implements Plugin {
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
}
