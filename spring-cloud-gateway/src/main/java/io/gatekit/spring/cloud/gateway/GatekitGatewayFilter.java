package io.gatekit.spring.cloud.gateway;

import io.gatekit.engine.Call;
import io.gatekit.spring.boot.WebFluxCalls;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The {@code Gatekit} filter of one route: {@code rewrite} and {@code access} (global rules first),
 * then the rest of the gateway's chain, which forwards the request as plugins left it with SCG's own
 * client, then {@code header_filter}, {@code body_filter} as the upstream's body streams, and
 * {@code log}, before the response reaches the client. A plugin's answer (a 403, say) keeps the
 * request from the upstream; a plugin that throws fails only this request, with APISIX's 500.
 */
final class GatekitGatewayFilter implements GatewayFilter, Ordered {

    /**
     * Just ahead of SCG's {@link NettyWriteResponseFilter}, which writes the upstream's body to the
     * response it is handed: it must be handed the response Gatekit holds for the response phases.
     */
    static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

    private final HostedRoute route;

    GatekitGatewayFilter(HostedRoute route) {
        this.route = route;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Call call = route.newCall(WebFluxCalls.request(exchange.getRequest()));
        return Forwarding.serve(call, exchange, chain);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public String toString() {
        return "Gatekit[" + route.id() + "]";
    }
}
