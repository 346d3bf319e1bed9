package io.gatekit.spring.cloud.gateway;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.cloud.gateway.support.ConfigurationService;

/**
 * Builds every {@code Gatekit} filter the route definitions hold while the application starts, so
 * that invalid plugins fail the start with APISIX's message, and refuses a route with more than one
 * (each would run the global rules again). Spring Cloud Gateway itself builds
 * routes later, on its first refresh, and only logs a route it cannot build.
 */
final class GatekitFilterCheck implements SmartInitializingSingleton {

    private static final Duration READ_ROUTES = Duration.ofSeconds(30);

    private final GatekitGatewayFilterFactory factory;
    private final RouteDefinitionLocator routes;
    private final GatewayProperties gateway;
    private final ConfigurationService binding;

    GatekitFilterCheck(GatekitGatewayFilterFactory factory, RouteDefinitionLocator routes, GatewayProperties gateway,
            ConfigurationService binding) {
        this.factory = factory;
        this.routes = routes;
        this.gateway = gateway;
        this.binding = binding;
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<RouteDefinition> definitions = routes.getRouteDefinitions().collectList().block(READ_ROUTES);
        for (RouteDefinition route : definitions == null ? List.<RouteDefinition>of() : definitions) {
            List<FilterDefinition> gatekit = Stream.concat(gateway.getDefaultFilters().stream(),
                    route.getFilters().stream()).filter(filter -> factory.name().equals(filter.getName())).toList();
            if (gatekit.size() > 1) {
                throw new IllegalArgumentException("route " + route.getId() + ": " + gatekit.size()
                        + " Gatekit filters (expected: one, holding all of the route's plugins; the global rules"
                        + " run once per request)");
            }
            gatekit.forEach(filter -> check(route.getId(), filter));
        }
    }

    private void check(String routeId, FilterDefinition filter) {
        GatekitGatewayFilterFactory.Config config = binding.with(factory)
                .name(filter.getName())
                .properties(filter.getArgs())
                .bind();
        config.setRouteId(routeId);
        factory.apply(config);
    }
}
