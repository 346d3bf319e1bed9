package io.gatekit.servlet;

/** {@link FilterCases} in embedded Tomcat 10.1. */
class TomcatFilterTest extends FilterCases {

    @Override
    ServletHost.Kind kind() {
        return ServletHost.Kind.TOMCAT;
    }
}
