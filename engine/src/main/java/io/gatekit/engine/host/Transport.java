package io.gatekit.engine.host;

import java.util.concurrent.CompletionStage;

/**
 * The last link of the chain: sends one request to one upstream node and completes with its
 * response. This is all a host implements to proxy; the engine decides everything else (which
 * node, which Host header, which timeouts, whether to retry) and calls {@code send} once per
 * attempt.
 *
 * <pre>{@code
 * Transport transport = request -> myClient.send(request.target().uri(request.uri()), request.method(),
 *         request.headers(), request.body());   // completes with a Response
 * }</pre>
 *
 * <p>Contract: connect within {@link Target#connectTimeout()} and fail the stage with
 * {@link UpstreamFailure#CONNECT_FAILED} / {@code CONNECT_TIMEOUT} otherwise (the JDK's exceptions
 * are recognised by {@link UpstreamFailure#of}); send {@link UpstreamRequest#headers()} as they are
 * (they already hold {@code Host}, the {@code X-Forwarded-*} headers and no hop-by-hop header) and
 * stream {@link UpstreamRequest#body()}; complete once the response head arrived, with its body
 * still streaming. Never block the calling thread. The engine bounds the wait for the response
 * head by the target's timeouts in any case.
 */
@FunctionalInterface
public interface Transport {

    /** Sends {@code request} to {@link UpstreamRequest#target()}; completes with the response head and a streaming body. */
    CompletionStage<Response> send(UpstreamRequest request);
}
