package io.gatekit.plugins.mirror;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Engine;
import io.gatekit.engine.host.Body;
import io.gatekit.plugins.InMemoryUpstream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves requests through {@link Engine#serve}, the code every host runs, with a stand-in upstream
 * that answers 200 at once, and records the request as the upstream got it.
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
     * Serves {@code request} through {@link Engine#serve}; the first {@code attempts - 1} nodes
     * cannot be reached, so the engine retries (and runs before_proxy again) on the next ones.
     */
    Served serve(HttpRequest request, int attempts) {
        AtomicInteger calls = new AtomicInteger();
        InMemoryUpstream transport = new InMemoryUpstream(sent -> calls.incrementAndGet() < attempts ? null
                : HttpResponse.of(200, HttpHeaders.of(), "upstream".getBytes(StandardCharsets.UTF_8)));
        byte[] body = request.body();
        request.body(null);
        HttpResponse response = InMemoryUpstream.await(engine.serve(request,
                body == null ? Body.empty() : Body.of(body), transport));
        List<HttpRequest> received = transport.received();
        HttpRequest sent = received.isEmpty() ? request : received.get(received.size() - 1);
        boolean upstream = calls.get() >= attempts;
        byte[] sentBody = sent.body() == null ? new byte[0] : sent.body();
        String hostHeader = sent.headers().get("host");
        return new Served(response, sent.method(), sent.uri(), sent.headers().copy(), sentBody,
                hostHeader == null ? "" : hostHeader, upstream);
    }
}
