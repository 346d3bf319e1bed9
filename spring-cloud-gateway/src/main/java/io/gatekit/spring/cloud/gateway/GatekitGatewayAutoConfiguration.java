package io.gatekit.spring.cloud.gateway;

import io.gatekit.engine.Engine;
import io.gatekit.spring.boot.GatekitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.context.annotation.Bean;

/**
 * Gatekit in a Spring Cloud Gateway application: the {@code Gatekit} filter factory on the engine
 * of the Spring Boot starter ({@link GatekitAutoConfiguration}), a start-up check of every
 * {@code Gatekit} filter in the route definitions, and, when
 * {@code gatekit.cloud-gateway.global-rules=true}, the {@link GatekitGlobalFilter}.
 */
@AutoConfiguration(after = GatekitAutoConfiguration.class,
        beforeName = "org.springframework.cloud.gateway.config.GatewayAutoConfiguration")
@ConditionalOnClass(GatewayFilterFactory.class)
@ConditionalOnBooleanProperty(name = "gatekit.enabled", matchIfMissing = true)
@EnableConfigurationProperties(GatekitGatewayProperties.class)
public class GatekitGatewayAutoConfiguration {

    /** The {@code Gatekit} filter factory. */
    @Bean
    @ConditionalOnMissingBean
    public GatekitGatewayFilterFactory gatekitGatewayFilterFactory(Engine engine) {
        return new GatekitGatewayFilterFactory(engine);
    }

    /** Builds the route definitions' {@code Gatekit} filters at start-up: invalid plugins fail it. */
    @Bean
    static GatekitFilterCheck gatekitFilterCheck(GatekitGatewayFilterFactory factory, RouteDefinitionLocator routes,
            GatewayProperties gateway, ConfigurationService binding) {
        return new GatekitFilterCheck(factory, routes, gateway, binding);
    }

    /** Gatekit's global rules on every route. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "gatekit.cloud-gateway.global-rules")
    public GatekitGlobalFilter gatekitGlobalFilter(Engine engine) {
        return new GatekitGlobalFilter(engine);
    }
}
