package io.gatekit.api.client;

import io.gatekit.api.http.Exchange;
import java.util.concurrent.CompletionStage;

/**
 * Sends HTTP requests on a plugin's behalf (a mirror copy, a callout), without blocking the caller.
 * The host supplies the implementation: the gateway its Netty client, an embedding host whatever
 * it uses; the engine's default runs on {@code java.net.http}. Plugins get it from
 * {@link io.gatekit.api.PluginContext#httpClient()} and so stay transport-neutral.
 *
 * <pre>{@code
 * context.httpClient()
 *         .send(OutboundRequest.builder("http://127.0.0.1:9797/audit").method("POST")
 *                 .body(bytes).build())
 *         .whenComplete((response, error) -> ...);
 * }</pre>
 */
@FunctionalInterface
public interface HttpClient {

    /**
     * Sends {@code request}; the stage completes with the response (any status), or exceptionally
     * with {@link java.net.ConnectException}, {@code java.net.http.HttpTimeoutException}-like
     * timeouts ({@link java.util.concurrent.TimeoutException}) or other I/O errors.
     *
     * @param request the request to send
     * @return completes with the response
     */
    CompletionStage<OutboundResponse> send(OutboundRequest request);

    /**
     * Sends {@code request} on behalf of {@code exchange}: a mirror copy, a callout made for one
     * request. The client the engine hands plugins tells the call's observer first, which may add
     * headers (a W3C {@code traceparent} whose parent is the call's span) and time the request;
     * other clients send it as {@link #send(OutboundRequest)} does.
     *
     * @param request the request to send
     * @param exchange the call it is sent for
     * @return completes with the response
     */
    default CompletionStage<OutboundResponse> send(OutboundRequest request, Exchange exchange) {
        return send(request);
    }
}
