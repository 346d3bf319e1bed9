package io.gatekit.spring.boot;

import static java.util.Objects.requireNonNull;

import io.gatekit.engine.Call;
import io.gatekit.engine.Engine;
import io.gatekit.engine.host.Application;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Transport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Gatekit in front of a WebFlux application: a request whose route has an upstream is proxied
 * there through the {@link Transport}; a request whose route has none runs the route's plugins
 * around the application (the rest of the filter chain): {@code rewrite}, {@code access}, the
 * application, then {@code header_filter}, {@code body_filter} as its body streams, and {@code log}.
 * A request no route matches goes to the application untouched. No thread waits: bodies stream both
 * ways with back-pressure.
 *
 * <p>The auto-configuration registers one for reactive applications; build one yourself with an
 * engine of your own and a bean of this type.
 */
public final class GatekitWebFilter implements WebFilter, Ordered {

    private static final CompletionStage<Response> UNUSED = CompletableFuture.completedStage(null);
    private static final Application NOT_MATCHED = (request, body) -> UNUSED;

    private final Engine engine;
    private final Transport transport;

    /** A filter serving {@code engine}'s routes, proxying through {@code transport}. */
    public GatekitWebFilter(Engine engine, Transport transport) {
        this.engine = requireNonNull(engine, "engine");
        this.transport = requireNonNull(transport, "transport");
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String path = request.getURI().getRawPath();
        if (path == null || !path.startsWith("/") || !engine.mayMatch(path)) {
            return chain.filter(exchange);
        }
        Call call = engine.newCall(ReactiveRequests.toEngine(request));
        if (!call.matched()) {
            call.serve(Body.empty(), transport, NOT_MATCHED); // releases the call: no plugin runs, nothing is read
            return chain.filter(exchange);
        }
        return WebFluxCalls.serve(call, exchange, transport, chain::filter);
    }

    /** {@link GatekitAutoConfiguration#FILTER_ORDER}: ahead of the application's own filters. */
    @Override
    public int getOrder() {
        return GatekitAutoConfiguration.FILTER_ORDER;
    }

    /** The engine whose routes this filter serves. */
    public Engine engine() {
        return engine;
    }
}
