package io.gatekit.servlet;

import io.gatekit.engine.Engine;
import io.gatekit.testkit.host.HostConformance;
import io.gatekit.testkit.host.HostSetup;
import io.gatekit.testkit.host.HostUnderTest;
import java.util.EnumSet;
import java.util.Set;

/**
 * The filter in embedded Tomcat 10.1 passes the host conformance suite, with a servlet application
 * of its own behind it: routes with an upstream are proxied, routes without one wrap the servlet.
 */
class TomcatConformanceTest extends HostConformance {

    @Override
    protected Set<HostSetup.Capability> capabilities() {
        return EnumSet.of(HostSetup.Capability.APPLICATION);
    }

    @Override
    protected HostUnderTest start(HostSetup setup) throws Exception {
        return ConformanceHost.start(ServletHost.Kind.TOMCAT, setup.engine().build());
    }
}
