package io.gatekit.servlet;

/** {@link FilterCases} in embedded Jetty 12. */
class JettyFilterTest extends FilterCases {

    @Override
    ServletHost.Kind kind() {
        return ServletHost.Kind.JETTY;
    }
}
