package io.gatekit.spring.boot;

import org.springframework.boot.WebApplicationType;

/** {@link ActuatorCases} in a WebFlux application on Reactor Netty. */
class ActuatorWebFluxTest extends ActuatorCases {
    ActuatorWebFluxTest() {
        super(WebApplicationType.REACTIVE);
    }
}
