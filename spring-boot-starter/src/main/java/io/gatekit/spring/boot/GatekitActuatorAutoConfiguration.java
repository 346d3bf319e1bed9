package io.gatekit.spring.boot;

import io.gatekit.engine.Engine;
import io.gatekit.runner.RunnerSupervisor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Gatekit in Spring Boot Actuator, when the application has it: the {@code gatekit} health
 * ({@link GatekitHealthIndicator}) and the {@code gatekit} endpoint ({@link GatekitEndpoint}), each
 * switched off or exposed with Actuator's usual properties
 * ({@code management.health.gatekit.enabled}, {@code management.endpoints.web.exposure.include}).
 */
@AutoConfiguration(after = GatekitAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean({Engine.class, GatekitConfig.class})
public class GatekitActuatorAutoConfiguration {

    /** The {@code gatekit} endpoint: routes and explain. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    public GatekitEndpoint gatekitEndpoint(Engine engine, GatekitConfig config) {
        return new GatekitEndpoint(engine, config);
    }

    /** The {@code gatekit} health, with the runner's state when the application has a runner. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("gatekit")
    static class Health {

        @Bean
        @ConditionalOnMissingBean(name = "gatekitHealthIndicator")
        HealthIndicator gatekitHealthIndicator(Engine engine, GatekitConfig config,
                ObjectProvider<RunnerSupervisor> runner) {
            return new GatekitHealthIndicator(engine, config, runner.getIfUnique());
        }
    }
}
