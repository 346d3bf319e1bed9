package io.gatekit.testkit.host;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.testkit.host.HostFixture.Sent;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * For hosts with an application of their own ({@link HostSetup.Capability#APPLICATION}): a route
 * without an upstream wraps the application as a filter wraps a servlet.
 */
interface ApplicationCases extends Cases {

    @Test
    default void aRouteWithoutUpstreamRunsItsPluginsAroundTheApplication() throws Exception {
        HostFixture f = fixture();
        Assumptions.assumeTrue(f.capabilities.contains(HostSetup.Capability.APPLICATION),
                "the host has no application of its own");
        f.route("""
                {"uri": "/app/*", "plugins": {"conformance-async": {}, "conformance-stamp": {},
                                               "conformance-upper": {}}}""");

        Sent sent = f.send(ClientRequest.of("GET", "/app/page"));

        assertEquals(200, sent.status());
        assertEquals(HostSetup.applicationBody("GET", "/app/page").toUpperCase(java.util.Locale.ROOT), sent.text());
        assertEquals("conformance", sent.response().header("x-stamp"));
        assertEquals(1, f.logRuns(sent.id()));
        assertEquals(1, ConformancePlugins.lasts.get(sent.id()));
    }

    @Test
    default void aPluginAnsweringInFrontOfTheApplicationKeepsTheRequestFromIt() throws Exception {
        HostFixture f = fixture();
        Assumptions.assumeTrue(f.capabilities.contains(HostSetup.Capability.APPLICATION),
                "the host has no application of its own");
        f.route("""
                {"uri": "/app/*", "plugins": {"conformance-deny": {}}}""");

        Sent denied = f.send(ClientRequest.of("GET", "/app/secret", "x-deny", "1"));
        Sent allowed = f.send(ClientRequest.of("GET", "/app/secret"));

        assertEquals(403, denied.status());
        assertEquals(200, allowed.status());
        assertTrue(allowed.text().startsWith("app GET /app/secret"));
        assertEquals(1, f.logRuns(denied.id()));
    }

    @Test
    default void aRequestBodyReachesTheApplicationAsTheClientSentIt() throws Exception {
        HostFixture f = fixture();
        Assumptions.assumeTrue(f.capabilities.contains(HostSetup.Capability.APPLICATION),
                "the host has no application of its own");
        f.route("""
                {"uri": "/app/*", "plugins": {"conformance-stamp": {}}}""");

        Sent sent = f.send(ClientRequest.of("POST", "/app/form").withBody("hello"));

        assertEquals(200, sent.status());
        assertEquals(HostSetup.applicationBody("POST", "/app/form", "5", "hello".getBytes(UTF_8)), sent.text());
    }

    @Test
    default void aPluginReplacingTheRequestBodyHandsTheApplicationTheNewBodyAndItsLength() throws Exception {
        HostFixture f = fixture();
        Assumptions.assumeTrue(f.capabilities.contains(HostSetup.Capability.APPLICATION),
                "the host has no application of its own");
        f.route("""
                {"uri": "/app/*", "plugins": {"conformance-read-request": {}}}""");

        Sent sent = f.send(ClientRequest.of("POST", "/app/form").withBody("hello"));

        // the plugin replaced the 5 bytes with "read 5": the application must not see Content-Length 5
        assertEquals(200, sent.status());
        assertEquals(HostSetup.applicationBody("POST", "/app/form", "6", "read 5".getBytes(UTF_8)), sent.text());
        assertEquals(1, f.logRuns(sent.id()));
    }
}
