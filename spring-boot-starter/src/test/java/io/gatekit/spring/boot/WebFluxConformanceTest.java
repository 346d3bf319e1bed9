package io.gatekit.spring.boot;

import io.gatekit.testkit.host.HostConformance;
import io.gatekit.testkit.host.HostSetup;
import io.gatekit.testkit.host.HostUnderTest;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.boot.WebApplicationType;

/**
 * The starter in a WebFlux application on Reactor Netty, started once on a random port, passes the host conformance suite: the
 * suite's plugins reach the engine as Spring beans, routes with an upstream are proxied, routes
 * without one wrap the application.
 */
class WebFluxConformanceTest extends HostConformance {

    @Override
    protected Set<HostSetup.Capability> capabilities() {
        return EnumSet.of(HostSetup.Capability.APPLICATION);
    }

    @Override
    protected HostUnderTest start(HostSetup setup) {
        return BootHost.conformance(WebApplicationType.REACTIVE, setup);
    }
}
