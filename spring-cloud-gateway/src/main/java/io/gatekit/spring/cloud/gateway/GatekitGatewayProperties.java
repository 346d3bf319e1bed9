package io.gatekit.spring.cloud.gateway;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code gatekit.cloud-gateway.*} properties.
 *
 * <pre>{@code
 * gatekit.config=classpath:apisix.yaml          # its global_rules ...
 * gatekit.cloud-gateway.global-rules=true       # ... on every Spring Cloud Gateway route
 * }</pre>
 *
 * @param globalRules whether Gatekit's {@code global_rules} run on every Spring Cloud Gateway route
 *                    ({@link GatekitGlobalFilter}); default {@code false}: they run on the routes
 *                    with a {@code Gatekit} filter only
 */
@ConfigurationProperties("gatekit.cloud-gateway")
public record GatekitGatewayProperties(@DefaultValue("false") boolean globalRules) {
}
