package io.gatekit.gateway.host;

import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.testkit.host.HostConformance;
import io.gatekit.testkit.host.HostSetup;
import io.gatekit.testkit.host.HostUnderTest;
import java.net.InetSocketAddress;

/** The standalone gateway passes the host conformance suite, on its Netty data plane. */
class GatewayConformanceTest extends HostConformance {

    @Override
    protected HostUnderTest start(HostSetup setup) {
        GatewayConfig config = ConfigLoader.defaults(warning -> { }).withPorts(0, 0, 0);
        Gateway gateway = Gateway.start(config, setup.engine());
        return HostUnderTest.listening(gateway.engine(), new InetSocketAddress("127.0.0.1", gateway.port()),
                gateway::close);
    }
}
