package io.gatekit.engine;

import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.opentelemetry.GatekitTracing;
import io.gatekit.opentelemetry.TraceSampler;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
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
 * Goal P15: what tracing adds to a request through a 4-plugin chain (ChainBenchmark's request:
 * route match over 1,024 routes, rewrite, access, before_proxy, header_filter, log; each no-op
 * plugin implements four phases), with {@code gatekit-opentelemetry} on the OpenTelemetry SDK:
 *
 * <ul>
 *   <li>{@code OFF}: no tracing, the baseline;</li>
 *   <li>{@code UNSAMPLED}: the tracing listener, its sampler saying no ({@code always_off}) to a
 *       call that starts a trace;</li>
 *   <li>{@code UNSAMPLED_PARENT}: the listener following the caller's decision
 *       ({@code parent_base}), the request carrying an unsampled {@code traceparent};</li>
 *   <li>{@code PLUGIN_UNSAMPLED}: APISIX's {@code opentelemetry} plugin on every route with its
 *       default sampler ({@code always_off}), as the gateway runs it;</li>
 *   <li>{@code SAMPLED}: every call traced ({@code always_on}): a server span, a span per plugin
 *       phase (16) and the upstream attempt's, through the SDK's batch processor to an exporter
 *       that drops them.</li>
 * </ul>
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar TracingBenchmark -prof gc</pre>
 *
 * The goal is the ratio {@code UNSAMPLED / OFF} (and {@code PLUGIN_UNSAMPLED / OFF}) at most 1.05.
 * Every call checks its route and that the chain ran synchronously to a 200; in {@code SAMPLED},
 * that spans were made.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class TracingBenchmark {

    private static final int ROUTES = 1024;
    private static final int MASK = ROUTES - 1;
    private static final int PLUGINS = 4;

    /** How the chain is traced. */
    public enum Tracing { OFF, UNSAMPLED, UNSAMPLED_PARENT, PLUGIN_UNSAMPLED, SAMPLED }

    @Param({"OFF", "UNSAMPLED", "UNSAMPLED_PARENT", "PLUGIN_UNSAMPLED", "SAMPLED"})
    public Tracing tracing;

    /** As in ChainBenchmark: 1 plugin class (monomorphic) or 4 (megamorphic). */
    @Param({"1", "4"})
    public int kinds;

    private Engine engine;
    private SdkTracerProvider provider;
    private final CountingExporter exporter = new CountingExporter();
    private HttpRequest[] requests;
    private String[] routeIds;
    private final HttpResponse response = HttpResponse.of(200);
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build();
        ContextPropagators propagators = ContextPropagators.create(W3CTraceContextPropagator.getInstance());
        OpenTelemetry openTelemetry = new OpenTelemetry() {
            @Override
            public TracerProvider getTracerProvider() {
                return provider;
            }

            @Override
            public ContextPropagators getPropagators() {
                return propagators;
            }
        };
        Engine.Builder builder = Engine.builder();
        for (int p = 0; p < PLUGINS; p++) {
            builder.plugin(new ChainBenchmark.NoopFactory("noop-" + p, 1000 + p, p, kinds));
        }
        switch (tracing) {
            case UNSAMPLED -> builder.listener(GatekitTracing.builder(openTelemetry).sampler(TraceSampler.alwaysOff())
                    .build().listener());
            case UNSAMPLED_PARENT -> builder.listener(GatekitTracing.builder(openTelemetry).build().listener());
            case PLUGIN_UNSAMPLED -> builder.plugin(GatekitTracing.builder(openTelemetry).build().plugin());
            case SAMPLED -> builder.listener(GatekitTracing.builder(openTelemetry).sampler(TraceSampler.alwaysOn())
                    .build().listener());
            default -> { }
        }
        engine = builder.build();
        StringBuilder doc = new StringBuilder("{\"routes\": [");
        for (int r = 0; r < ROUTES; r++) {
            doc.append(r == 0 ? "" : ",").append("{\"id\": \"").append(r).append("\", \"uri\": \"/r/").append(r)
                    .append("\", \"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}}, \"plugins\": {");
            if (tracing == Tracing.PLUGIN_UNSAMPLED) {
                doc.append("\"opentelemetry\": {},");
            }
            for (int p = 0; p < PLUGINS; p++) {
                doc.append(p == 0 ? "" : ",").append("\"noop-").append(p).append("\": {\"route\": ").append(r)
                        .append('}');
            }
            doc.append("}}");
        }
        engine.replaceAll(doc.append("]}").toString());
        requests = new HttpRequest[ROUTES];
        routeIds = new String[ROUTES];
        for (int r = 0; r < ROUTES; r++) {
            HttpRequest.Builder request = HttpRequest.builder().uri("/r/" + r).header("Host", "example.com");
            if (tracing == Tracing.UNSAMPLED_PARENT) {
                request.header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
            }
            requests[r] = request.build();
            routeIds[r] = Integer.toString(r);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        provider.shutdown().join(10, TimeUnit.SECONDS);
        if (tracing == Tracing.SAMPLED && exporter.spans == 0) {
            throw new IllegalStateException("SAMPLED made no span");
        }
        if (tracing != Tracing.SAMPLED && exporter.spans != 0) {
            throw new IllegalStateException(tracing + " made " + exporter.spans + " spans");
        }
    }

    @Benchmark
    public int request() {
        int r = i++ & MASK;
        HttpRequest request = requests[r];
        Call call = engine.newCall(request);
        if (!routeIds[r].equals(call.exchange().routeId())) {
            throw new IllegalStateException(request + " matched route " + call.exchange().routeId());
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

    /** Counts what it is given and drops it: the export itself is the SDK's thread's cost. */
    static final class CountingExporter implements SpanExporter {
        volatile long spans;

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans += batch.size();
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
