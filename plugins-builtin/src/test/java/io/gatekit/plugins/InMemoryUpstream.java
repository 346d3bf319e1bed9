package io.gatekit.plugins;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Transport;
import io.gatekit.engine.host.UpstreamException;
import io.gatekit.engine.host.UpstreamFailure;
import io.gatekit.engine.host.UpstreamRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The plugin tests' upstream: a function behind a {@link Transport}, so requests go through
 * {@code Engine.serve}, the code every host runs. It records the request as the upstream got it.
 */
public final class InMemoryUpstream implements Transport {

    private final Function<HttpRequest, @Nullable HttpResponse> answer;
    private final java.util.List<HttpRequest> received = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** An upstream answering with {@code answer}; {@code null} stands for a node that cannot be reached. */
    public InMemoryUpstream(Function<HttpRequest, @Nullable HttpResponse> answer) {
        this.answer = answer;
    }

    /** The requests as the upstream got them (final headers, body read whole), in order. */
    public java.util.List<HttpRequest> received() {
        return received;
    }

    @Override
    public CompletionStage<Response> send(UpstreamRequest request) {
        return request.body().read(Long.MAX_VALUE).thenCompose(body -> {
            HttpRequest.Builder sent = HttpRequest.builder().method(request.method()).uri(request.uri())
                    .body(body.length == 0 ? null : body);
            request.headers().forEach(sent::header);
            HttpRequest got = sent.build();
            received.add(got);
            HttpResponse response = answer.apply(got);
            if (response == null) {
                return CompletableFuture.failedStage(new UpstreamException(UpstreamFailure.CONNECT_FAILED,
                        "connection refused by " + request.target().address()));
            }
            byte[] bytes = response.body() == null ? new byte[0] : response.body();
            return CompletableFuture.completedStage(new Response(response.status(), response.headers(), Body.of(bytes)));
        });
    }

    /**
     * The response {@code served} completes with, its body read whole ({@code null} when empty),
     * waiting at most 10 s.
     */
    public static HttpResponse await(CompletionStage<Response> served) {
        try {
            Response response = served.toCompletableFuture().get(10, TimeUnit.SECONDS);
            byte[] body = response.body().read(Long.MAX_VALUE).toCompletableFuture().get(10, TimeUnit.SECONDS);
            return HttpResponse.of(response.status(), response.headers(), body.length == 0 ? null : body);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
