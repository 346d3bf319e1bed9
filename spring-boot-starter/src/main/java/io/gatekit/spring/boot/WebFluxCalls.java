package io.gatekit.spring.boot;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.Call;
import io.gatekit.engine.host.Application;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Transport;
import java.util.function.Function;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Gatekit calls served on WebFlux, for hosts built on it: {@link GatekitWebFilter}, and Spring
 * Cloud Gateway's {@code Gatekit} filter, whose "application" is the rest of the gateway's chain.
 *
 * <pre>{@code
 * Call call = engine.newCall(WebFluxCalls.request(exchange.getRequest()));
 * return WebFluxCalls.serve(call, exchange, transport, chain::filter);
 * }</pre>
 */
public final class WebFluxCalls {

    private WebFluxCalls() {
    }

    /** The request as the engine sees it: method, path and query as sent, headers, addresses. */
    public static HttpRequest request(ServerHttpRequest request) {
        return ReactiveRequests.toEngine(requireNonNull(request, "request"));
    }

    /**
     * Serves {@code call} for {@code exchange}: a route with an upstream is proxied through
     * {@code transport}; a route without one runs its plugins around {@code application}, which is
     * handed the request as plugins left it and a response held for {@code header_filter},
     * {@code body_filter} and {@code log}. The engine's answer is then written to the exchange's
     * response, its body streaming.
     */
    public static Mono<Void> serve(Call call, ServerWebExchange exchange, Transport transport,
            Function<ServerWebExchange, Mono<Void>> application) {
        requireNonNull(call, "call");
        requireNonNull(exchange, "exchange");
        requireNonNull(transport, "transport");
        requireNonNull(application, "application");
        Body body = ReactiveRequests.body(exchange.getRequest());
        Application wrapped = (engineRequest, engineBody) ->
                WrappedApplication.handle(exchange, application, engineRequest, engineBody);
        return Mono.fromCompletionStage(() -> call.serve(body, transport, wrapped))
                .flatMap(response -> ReactiveResponses.write(exchange, response));
    }
}
