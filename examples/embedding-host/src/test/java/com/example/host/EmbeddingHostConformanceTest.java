package com.example.host;

import io.gatekit.engine.Engine;
import io.gatekit.testkit.host.HostConformance;
import io.gatekit.testkit.host.HostSetup;
import io.gatekit.testkit.host.HostUnderTest;
import java.net.InetSocketAddress;

/** The example host passes the host conformance suite: all it takes is starting it. */
class EmbeddingHostConformanceTest extends HostConformance {

    @Override
    protected HostUnderTest start(HostSetup setup) throws Exception {
        Engine engine = setup.engine().build();
        EmbeddingHost host = EmbeddingHost.start(engine, new InetSocketAddress("127.0.0.1", 0), 4);
        return HostUnderTest.listening(engine, host.address(), () -> {
            host.close();
            engine.close();
        });
    }
}
