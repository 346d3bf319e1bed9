package io.gatekit.spring.cloud.gateway;

import static java.util.Objects.requireNonNull;

import io.gatekit.engine.Engine;
import io.gatekit.spring.boot.WebFluxCalls;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Gatekit's {@code global_rules} on every Spring Cloud Gateway route, as APISIX runs them on every
 * request: their plugins run around SCG's forwarding, in every phase. A route with a
 * {@code Gatekit} filter runs them in that filter, first in each phase and once; this filter leaves
 * such a route alone. Registered when {@code gatekit.cloud-gateway.global-rules=true}
 * ({@link GatekitGatewayProperties}); the rules come from the engine's config ({@code gatekit.config}
 * or etcd).
 */
public final class GatekitGlobalFilter implements GlobalFilter, Ordered {

    private final HostedRoute globalRules;

    /** A filter running {@code engine}'s global rules; it stores a route without plugins to run them on. */
    public GatekitGlobalFilter(Engine engine) {
        this.globalRules = HostedRoute.globalRulesOnly(requireNonNull(engine, "engine"));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        if (route != null && hasGatekitFilter(route)) {
            return chain.filter(exchange);
        }
        return Forwarding.serve(globalRules.newCall(WebFluxCalls.request(exchange.getRequest())), exchange, chain);
    }

    private static boolean hasGatekitFilter(Route route) {
        for (GatewayFilter filter : route.getFilters()) {
            GatewayFilter inner = filter instanceof OrderedGatewayFilter ordered ? ordered.getDelegate() : filter;
            if (inner instanceof GatekitGatewayFilter) {
                return true;
            }
        }
        return false;
    }

    /** As the {@code Gatekit} filter's: just ahead of SCG's response writer. */
    @Override
    public int getOrder() {
        return GatekitGatewayFilter.ORDER;
    }
}
