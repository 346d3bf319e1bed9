package io.gatekit.spring.boot;

import org.springframework.boot.WebApplicationType;

/** {@link ActuatorCases} in an MVC application on embedded Tomcat. */
class ActuatorMvcTest extends ActuatorCases {
    ActuatorMvcTest() {
        super(WebApplicationType.SERVLET);
    }
}
