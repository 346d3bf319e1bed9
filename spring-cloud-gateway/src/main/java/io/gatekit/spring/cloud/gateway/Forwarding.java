package io.gatekit.spring.cloud.gateway;

import io.gatekit.engine.Call;
import io.gatekit.engine.host.Transport;
import io.gatekit.spring.boot.WebFluxCalls;
import java.util.concurrent.CompletableFuture;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A Gatekit call around the rest of SCG's chain, which forwards the request as plugins left it: the
 * engine's "application" is SCG's forwarding.
 */
final class Forwarding {

    /** Never called: a route stored for SCG has no Gatekit upstream, SCG forwards. */
    private static final Transport SCG_FORWARDS = request -> CompletableFuture.failedFuture(new IllegalStateException(
            "a Spring Cloud Gateway route has no Gatekit upstream (expected: SCG to forward the request)"));

    private Forwarding() {
    }

    static Mono<Void> serve(Call call, ServerWebExchange exchange, GatewayFilterChain chain) {
        boolean bodyRead = call.bodyBuffering().request();
        return WebFluxCalls.serve(call, exchange, SCG_FORWARDS,
                inner -> bodyRead ? withItsLength(inner).flatMap(chain::filter) : chain.filter(inner));
    }

    /**
     * The request with the Content-Length of the body plugins left: a plugin that read the body whole
     * may have replaced it, and SCG sends the length the headers declare. The body is in memory
     * already (the engine read it whole for the plugin).
     */
    private static Mono<ServerWebExchange> withItsLength(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        return DataBufferUtils.join(request.getBody())
                .defaultIfEmpty(DefaultDataBufferFactory.sharedInstance.allocateBuffer(0))
                .map(body -> {
                    HttpHeaders headers = new HttpHeaders();
                    headers.addAll(request.getHeaders());
                    headers.remove(HttpHeaders.TRANSFER_ENCODING);
                    headers.setContentLength(body.readableByteCount());
                    return exchange.mutate().request(new ServerHttpRequestDecorator(request) {
                        @Override
                        public HttpHeaders getHeaders() {
                            return headers;
                        }

                        @Override
                        public Flux<DataBuffer> getBody() {
                            return Flux.just(body);
                        }
                    }).build();
                });
    }
}
