package io.gatekit.servlet;

import io.gatekit.engine.Engine;
import io.gatekit.testkit.host.HostConformance;
import io.gatekit.testkit.host.HostSetup;
import io.gatekit.testkit.host.HostUnderTest;
import java.util.EnumSet;
import java.util.Set;

/**
 * The filter in embedded Jetty 12 passes the host conformance suite, with a servlet application
 * of its own behind it: routes with an upstream are proxied, routes without one wrap the servlet.
 */
class JettyConformanceTest extends HostConformance {

    @Override
    protected Set<HostSetup.Capability> capabilities() {
        return EnumSet.of(HostSetup.Capability.APPLICATION);
    }

    @Override
    protected HostUnderTest start(HostSetup setup) throws Exception {
        return ConformanceHost.start(ServletHost.Kind.JETTY, setup.engine().build());
    }
}
