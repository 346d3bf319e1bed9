package io.gatekit.plugins.ext;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Engine;
import io.gatekit.engine.host.Body;
import io.gatekit.plugins.InMemoryUpstream;
import java.nio.charset.StandardCharsets;

/**
 * Serves requests through {@link Engine#serve}, the code every host runs, with a function standing
 * for the upstream. The request body streams to the engine, which reads it whole only when the route
 * asks for it; a body that streams reaches the upstream untouched unless a plugin replaced it.
 */
final class TestHost {

    /** Stands for the upstream: its answer to the request as sent, or {@code null} when it is down. */
    @FunctionalInterface
    interface Upstream {
        @Nullable HttpResponse answer(HttpRequest sent);
    }

    /**
     * What one request came to.
     *
     * @param response      what the client gets
     * @param sent          the request as the upstream got it, or {@code null} when it was not called
     * @param sentBody      the body the upstream got, {@code ""} when none
     * @param upstreamCalls how many times the upstream was called
     */
    record Served(HttpResponse response, @Nullable HttpRequest sent, String sentBody, int upstreamCalls) {

        String body() {
            byte[] body = response.body();
            return body == null ? "" : new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return response.headers().get(name);
        }
    }

    /** An upstream answering 200, {@code content-type: text/plain}, {@code x-up: u1}, body "upstream body". */
    static final Upstream OK = sent -> HttpResponse.of(200,
            HttpHeaders.of("Content-Type", "text/plain", "x-up", "u1"),
            "upstream body".getBytes(StandardCharsets.UTF_8));

    /** An upstream that cannot be reached. */
    static final Upstream DOWN = sent -> null;

    private final Engine engine;

    TestHost(Engine engine) {
        this.engine = engine;
    }

    Served serve(HttpRequest request) {
        return serve(request, null, OK);
    }

    Served serve(HttpRequest request, Upstream upstream) {
        return serve(request, null, upstream);
    }

    /** Serves {@code request} whose body (if any) is {@code body}, with {@code upstream} behind it. */
    Served serve(HttpRequest request, @Nullable String body, Upstream upstream) {
        byte[] streamed = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        InMemoryUpstream transport = new InMemoryUpstream(upstream::answer);
        HttpResponse response = InMemoryUpstream.await(engine.serve(request,
                streamed == null ? Body.empty() : Body.of(streamed), transport));
        HttpRequest sent = transport.received().isEmpty() ? null : transport.received().get(0);
        String sentBody = sent == null || sent.body() == null ? "" : new String(sent.body(), StandardCharsets.UTF_8);
        return new Served(response, sent == null ? null : snapshot(sent), sentBody, transport.received().size());
    }

    /** A copy of the request as sent, so later changes to the exchange do not show. */
    private static HttpRequest snapshot(HttpRequest sent) {
        HttpRequest.Builder copy = HttpRequest.builder().method(sent.method()).uri(sent.uri())
                .remoteAddress(sent.remoteAddress());
        sent.headers().forEach(copy::header);
        return copy.build();
    }
}
