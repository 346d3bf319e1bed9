package io.gatekit.testkit;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Transport;
import io.gatekit.engine.host.UpstreamRequest;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The harness's upstream as a {@link Transport}: a function of the request as a real upstream would
 * receive it (final headers, body read whole) that answers with a response, its body streamed back
 * in chunks of a configured size.
 */
final class InMemoryTransport implements Transport {

    private final Supplier<java.util.function.Function<HttpRequest, HttpResponse>> upstream;
    private final int chunkSize;
    private final Consumer<HttpRequest> received;

    /**
     * @param received told each request as the upstream gets it, before it answers
     */
    InMemoryTransport(Supplier<java.util.function.Function<HttpRequest, HttpResponse>> upstream, int chunkSize,
            Consumer<HttpRequest> received) {
        this.upstream = upstream;
        this.chunkSize = chunkSize;
        this.received = received;
    }

    @Override
    public CompletionStage<Response> send(UpstreamRequest request) {
        return request.body().read(Long.MAX_VALUE).thenApply(body -> {
            HttpRequest sent = received(request, body);
            received.accept(sent);
            HttpResponse answer = upstream.get().apply(Run.copy(sent));
            if (answer == null) {
                throw new NullPointerException("the harness upstream returned null (expected: an HttpResponse)");
            }
            byte[] bytes = answer.body() == null ? new byte[0] : answer.body();
            return new Response(answer.status(), answer.headers().copy(), Streams.chunked(bytes.clone(), chunkSize));
        });
    }

    private static HttpRequest received(UpstreamRequest request, byte @Nullable [] body) {
        HttpRequest.Builder builder = HttpRequest.builder()
                .method(request.method())
                .uri(request.uri())
                .body(body == null || body.length == 0 ? null : body);
        request.headers().forEach(builder::header);
        return builder.build();
    }
}
