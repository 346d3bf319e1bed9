package io.gatekit.servlet;

import io.gatekit.engine.Engine;
import io.gatekit.testkit.host.HostUnderTest;

/** A container with the filter in front of {@link ApplicationServlet}, for the conformance suite. */
final class ConformanceHost {

    private ConformanceHost() {
    }

    static HostUnderTest start(ServletHost.Kind kind, Engine engine) throws Exception {
        GatekitFilter filter = GatekitFilter.builder(engine).build();
        ServletHost host = kind.start((classes, context) -> {
            filter.register(context);
            context.addServlet("application", new ApplicationServlet()).addMapping("/");
        }, 32);
        return HostUnderTest.listening(engine, host.address(), () -> {
            host.close();
            engine.close();
        });
    }
}
