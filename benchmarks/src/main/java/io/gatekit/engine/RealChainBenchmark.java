package io.gatekit.engine;

import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
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
 * A realistic chain of built-in plugins, the one APISIX users put in front of a mirrored API:
 * {@code request-id}, {@code proxy-mirror} sampled out ({@code sample_ratio} 0.00001, so almost no
 * copy is made, as in a production shadow at a tiny ratio), {@code proxy-rewrite} (a {@code $uri}
 * template and a header set from a variable) and {@code limit-count} (a count never reached, quota
 * headers on), over 1,024 distinct routes, against the same routes without plugins. Both build a
 * fresh request and response per call (the rewrite changes the path), so the difference is the
 * four plugins' cost. {@code key-auth} joins the chain when it exists. The other values of
 * {@code chain} run one plugin alone, to see each one's share.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RealChainBenchmark -prof gc</pre>
 *
 * Every call checks the route, that no plugin answered, and that the upstream would get the
 * rewritten path with the id and the quota on the response.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RealChainBenchmark {

    private static final int ROUTES = 1024;
    private static final int MASK = ROUTES - 1;

    /** Which plugins the routes carry: none, the four, or one of them alone (to see each one's share). */
    public enum Chain {
        NONE(""),
        REQUEST_ID("\"request-id\": {}"),
        MIRROR_SAMPLED_OUT("\"proxy-mirror\": {\"host\": \"http://127.0.0.1:9797\", \"sample_ratio\": 0.00001}"),
        PROXY_REWRITE("\"proxy-rewrite\": {\"uri\": \"/v2$uri\", \"headers\": {\"set\": {\"X-Client\": \"$remote_addr\"}}}"),
        LIMIT_COUNT("\"limit-count\": {\"count\": 1000000000, \"time_window\": 60, \"key\": \"remote_addr\"}"),
        REALISTIC(String.join(", ", REQUEST_ID.plugins, MIRROR_SAMPLED_OUT.plugins, PROXY_REWRITE.plugins,
                LIMIT_COUNT.plugins));

        final String plugins;

        Chain(String plugins) {
            this.plugins = plugins;
        }
    }

    @Param({"NONE", "REALISTIC"})
    public Chain chain;

    private Engine engine;
    private String[] uris;
    private String[] routeIds;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        // copies that are sampled in (about 1 in 100,000) are answered at once, with no socket
        engine = Engine.builder().discoverPlugins()
                .httpClient(request -> CompletableFuture.completedFuture(
                        new OutboundResponse(200, HttpHeaders.of(), new byte[0])))
                .build();
        StringBuilder doc = new StringBuilder("{\"routes\": [");
        for (int r = 0; r < ROUTES; r++) {
            doc.append(r == 0 ? "" : ",").append("{\"id\": \"").append(r).append("\", \"uri\": \"/r/").append(r)
                    .append("\", \"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}}, \"plugins\": {");
            doc.append(chain.plugins).append("}}");
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

    @Benchmark
    public int request() {
        int r = i++ & MASK;
        HttpRequest request = HttpRequest.builder().uri(uris[r]).header("Host", "example.com").build();
        Call call = engine.newCall(request);
        if (!routeIds[r].equals(call.exchange().routeId())) {
            throw new IllegalStateException(request + " matched route " + call.exchange().routeId());
        }
        Outcome outcome = call.runRequestPhases();
        if (!outcome.proceeds()) {
            throw new IllegalStateException("expected proceed, got " + outcome);
        }
        outcome = call.beforeProxy();
        if (!outcome.proceeds()) {
            throw new IllegalStateException("expected proceed at before_proxy, got " + outcome);
        }
        Completion done = call.upstreamResponse(HttpResponse.of(200));
        if (!done.isDone()) {
            throw new IllegalStateException("the chain completed asynchronously");
        }
        call.complete();
        if (chain == Chain.REALISTIC && (!request.path().startsWith("/v2/")
                || call.exchange().response().headers().get("X-RateLimit-Remaining") == null
                || call.exchange().response().headers().get("X-Request-Id") == null)) {
            throw new IllegalStateException("the chain did not run: " + request + " " + call.exchange().response());
        }
        return call.exchange().response().status();
    }
}
