package io.gatekit.plugins.mirror;

import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Call;
import io.gatekit.engine.Engine;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
 * What proxy-mirror costs a request that it does not mirror: one request through the engine
 * (route match, rewrite, access, before_proxy, header_filter, log) on a route with proxy-mirror
 * sampled out ({@code sample_ratio} 0.00001, the smallest APISIX allows) against the same route
 * without the plugin. Goal: at most 5 ns and 0 B per request more. {@code MIRRORED} (ratio 1)
 * shows what building and handing over one copy costs, with a client that sends nothing.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar MirrorBenchmark -prof gc</pre>
 *
 * Compare {@code avgt} and {@code gc.alloc.rate.norm} of {@code SAMPLED_OUT} with {@code NO_PLUGIN}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class MirrorBenchmark {

    /** Which route the request takes. */
    public enum Route {
        NO_PLUGIN("/plain"), SAMPLED_OUT("/sampled-out"), MIRRORED("/mirrored");

        final String uri;

        Route(String uri) {
            this.uri = uri;
        }
    }

    @Param({"NO_PLUGIN", "SAMPLED_OUT", "MIRRORED"})
    public Route route;

    private Engine engine;
    private HttpRequest request;
    private final CountingClient client = new CountingClient();
    private final HttpResponse response = HttpResponse.of(200);
    private long calls;

    @Setup(Level.Trial)
    public void setUp() {
        engine = Engine.builder().plugin(new ProxyMirrorFactory()).httpClient(client).build();
        engine.replaceAll("""
                {"routes": [
                  {"id": "plain", "uri": "/plain", "upstream": {"nodes": {"127.0.0.1:1980": 1}}},
                  {"id": "sampled-out", "uri": "/sampled-out", "upstream": {"nodes": {"127.0.0.1:1980": 1}},
                   "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:9797", "sample_ratio": 0.00001}}},
                  {"id": "mirrored", "uri": "/mirrored", "upstream": {"nodes": {"127.0.0.1:1980": 1}},
                   "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:9797"}}}
                ]}""");
        request = HttpRequest.builder().uri(route.uri + "?a=1").header("Host", "example.com")
                .header("User-Agent", "bench").header("Accept", "*/*").build();
    }

    @TearDown(Level.Trial)
    public void checkAndClose() {
        engine.close();
        long sent = client.sent.sum();
        boolean plausible = switch (route) {
            case NO_PLUGIN -> sent == 0;
            // 1e-5 of the calls, with a wide margin: far below one in a thousand
            case SAMPLED_OUT -> sent <= calls / 1000 + 10;
            case MIRRORED -> sent == calls;
        };
        if (!plausible) {
            throw new IllegalStateException(route + ": " + sent + " copies for " + calls + " requests");
        }
    }

    @Benchmark
    public int request() {
        calls++;
        Call call = engine.newCall(request);
        if (!call.matched()) {
            throw new IllegalStateException("no route matched " + request);
        }
        Outcome outcome = call.runRequestPhases();
        if (outcome.proceeds()) {
            outcome = call.beforeProxy();
        }
        if (!outcome.proceeds()) {
            throw new IllegalStateException("expected proceed, got " + outcome);
        }
        Completion done = call.upstreamResponse(response);
        if (!done.isDone()) {
            throw new IllegalStateException("header_filter completed asynchronously");
        }
        call.complete();
        return call.exchange().response().status();
    }

    /** Answers every copy at once without any I/O, so only the plugin's own work is measured. */
    static final class CountingClient implements HttpClient {
        private static final CompletableFuture<OutboundResponse> OK = CompletableFuture.completedFuture(
                new OutboundResponse(200, HttpHeaders.of(), new byte[0]));

        final LongAdder sent = new LongAdder();

        @Override
        public CompletionStage<OutboundResponse> send(OutboundRequest request) {
            sent.increment();
            return OK;
        }
    }
}
