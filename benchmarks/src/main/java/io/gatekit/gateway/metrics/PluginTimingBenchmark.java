package io.gatekit.gateway.metrics;

import io.gatekit.api.Phase;
import io.gatekit.api.metrics.Timer;
import io.gatekit.engine.MetricsRegistry;
import io.gatekit.engine.internal.EngineMetrics;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the gateway pays per plugin and phase to time it: the engine calls
 * {@link EngineMetrics#pluginPhase} once per plugin per phase of every request (the gateway turns
 * on {@code Engine.Builder.engineMetrics}, so timing is on). {@code listener} is that call as it is;
 * {@code cachedTimer} records into the same series looked up once, which is all a request needs.
 * The difference is the per-hop cost the gateway adds on top of {@code ChainBenchmark}.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar PluginTimingBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class PluginTimingBenchmark {

    private static final String[] PLUGINS = {"proxy-mirror", "ext-plugin-pre-req", "key-auth", "limit-count"};
    private static final Phase[] PHASES = {Phase.REWRITE, Phase.ACCESS, Phase.HEADER_FILTER, Phase.LOG};

    private MetricsRegistry registry;
    private EngineMetrics metrics;
    private Timer[] timers;
    private int i;

    @Setup
    public void setUp() {
        registry = new MetricsRegistry();
        metrics = new EngineMetrics(registry);
        timers = new Timer[PLUGINS.length * PHASES.length];
        for (int p = 0; p < PLUGINS.length; p++) {
            for (int h = 0; h < PHASES.length; h++) {
                timers[p * PHASES.length + h] = registry.timer("gatekit_plugin_duration_seconds", "plugin", PLUGINS[p],
                        "phase", PHASES[h].apisixName());
            }
        }
    }

    /** As the engine calls it today, once per plugin and phase of each request. */
    @Benchmark
    public long listener() {
        int k = i++ & 15;
        metrics.pluginPhase(PLUGINS[k >> 2], PHASES[k & 3], "route-1", 1_000 + k);
        return check(k);
    }

    /** The same record into a series looked up in advance. */
    @Benchmark
    public long cachedTimer() {
        int k = i++ & 15;
        timers[k].record(1_000 + k);
        return check(k);
    }

    /** Both write the same series: its count must move. */
    private long check(int k) {
        if (k == 0 && timers[0].count() == 0) {
            throw new IllegalStateException("nothing recorded");
        }
        return k;
    }
}
