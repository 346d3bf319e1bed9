package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.ResourceKind;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Diagnosis for P4: what building a config state one resource at a time costs (one
 * {@link ConfigState#put} per resource, as a run of Admin API {@code PUT}s makes), against
 * building the same state once with {@link ConfigState#replaceAll}. Only the staging is timed:
 * no parsing, no validation, no build.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ConfigStagingBenchmark</pre>
 *
 * {@code EngineCore.collect} used to stage a standalone document with {@code putEach}, when each
 * put copied every resource of its kind: quadratic, 0.9 s at 10,000 routes. It now stages into
 * plain maps and builds the state once, and a put copies one shard of about √n resources, so
 * {@code putEach} should grow about as n√n, not n².
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(2)
public class ConfigStagingBenchmark {

    @Param({"1000", "10000"})
    public int routes;

    private String[] ids;
    private JsonNode[] values;

    @Setup
    public void routes() throws Exception {
        ids = new String[routes];
        values = new JsonNode[routes];
        for (int r = 0; r < routes; r++) {
            ids[r] = "r" + r;
            values[r] = ConfigBinder.mapper().readTree("{\"id\": \"r" + r + "\", \"uri\": \"/r/" + r + "\"}");
        }
    }

    /** A new state per resource, as consecutive single puts make. */
    @Benchmark
    public ConfigState putEach() {
        ConfigState staged = ConfigState.empty();
        for (int r = 0; r < routes; r++) {
            staged = staged.put(ResourceKind.ROUTES, ids[r], values[r]);
        }
        return check(staged);
    }

    /** The same state, built once from a map. */
    @Benchmark
    public ConfigState replaceAllOnce() {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (int r = 0; r < routes; r++) {
            byId.put(ids[r], values[r]);
        }
        Map<ResourceKind, Map<String, JsonNode>> all = new EnumMap<>(ResourceKind.class);
        all.put(ResourceKind.ROUTES, byId);
        return check(ConfigState.empty().replaceAll(all));
    }

    private ConfigState check(ConfigState state) {
        if (state.all(ResourceKind.ROUTES).size() != routes || state.get(ResourceKind.ROUTES, ids[routes - 1]) == null) {
            throw new IllegalStateException("staged " + state.all(ResourceKind.ROUTES).size() + " routes");
        }
        return state;
    }
}
