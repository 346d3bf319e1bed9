/**
 * Gatekit plugins on Spring Cloud Gateway routes: the {@code Gatekit} filter factory
 * ({@link io.gatekit.spring.cloud.gateway.GatekitGatewayFilterFactory}), whose {@code plugins}
 * argument is an APISIX route's {@code plugins} object, and Gatekit's global rules on every route
 * ({@link io.gatekit.spring.cloud.gateway.GatekitGlobalFilter}). Spring Cloud Gateway keeps its
 * routing and its HTTP client; the engine is the Spring Boot starter's.
 */
@NonNullByDefault
package io.gatekit.spring.cloud.gateway;

import io.gatekit.api.NonNullByDefault;
