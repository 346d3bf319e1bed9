/**
 * Gatekit in a Spring Boot 3 application: auto-configuration that puts the engine in front of an
 * MVC application (through the servlet filter) or a WebFlux one (through a {@code WebFilter}),
 * loads its routes from {@code gatekit.config} or etcd, and, when the application has them, reports
 * to Actuator and records into Micrometer. See {@link io.gatekit.spring.boot.GatekitProperties}.
 */
@NonNullByDefault
package io.gatekit.spring.boot;

import io.gatekit.api.NonNullByDefault;
