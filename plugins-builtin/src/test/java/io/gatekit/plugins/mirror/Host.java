package io.gatekit.plugins.mirror;

import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Call;
import io.gatekit.engine.Engine;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Drives requests through an {@link Engine} the way a host does, with a stand-in upstream that
 * answers 200 at once, and records the request as the upstream got it.
 */
final class Host {

    /** What one request came to. */
    record Served(HttpResponse response, String method, String uri, HttpHeaders headers, byte[] body,
            String hostHeader, boolean reachedUpstream) {
    }

    private final Engine engine;

    Host(Engine engine) {
        this.engine = engine;
    }

    /** Serves {@code request}; the upstream receives the request's own Host (APISIX's pass_host pass). */
    Served serve(HttpRequest request) {
        return serve(request, 1);
    }

    /**
     * Serves {@code request}, calling {@code before_proxy} once per attempt as a host that retries
     * other nodes does.
     */
    Served serve(HttpRequest request, int attempts) {
        String clientHost = request.headers().get("host");
        return serve(request, attempts, clientHost == null ? "" : clientHost);
    }

    /**
     * Serves {@code request} with {@code attempts} calls of {@code before_proxy}; the upstream
     * receives {@code hostHeader} (as after APISIX's pass_host node or rewrite).
     */
    Served serve(HttpRequest request, int attempts, String hostHeader) {
        Call call = engine.newCall(request);
        try {
            Outcome outcome = await(call.runRequestPhases());
            for (int attempt = 0; attempt < attempts && outcome.proceeds(); attempt++) {
                outcome = await(call.beforeProxy("127.0.0.1", 1980 + attempt, hostHeader));
            }
            boolean upstream = outcome.proceeds();
            HttpRequest sent = call.exchange().request();
            HttpResponse response = upstream
                    ? HttpResponse.of(200, HttpHeaders.of(), "upstream".getBytes(StandardCharsets.UTF_8))
                    : outcome.response();
            Completion done = call.headerFilter(response, upstream);
            if (!done.isDone()) {
                done.stage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            byte[] body = sent.body() == null ? new byte[0] : sent.body();
            return new Served(call.exchange().response(), sent.method(), sent.uri(), sent.headers().copy(), body,
                    hostHeader, upstream);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            call.complete();
        }
    }

    private static Outcome await(Outcome outcome) throws Exception {
        return outcome.kind() == Outcome.Kind.ASYNC
                ? outcome.stage().toCompletableFuture().get(10, TimeUnit.SECONDS) : outcome;
    }
}
