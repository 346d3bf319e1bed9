package io.gatekit.testkit.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.testkit.host.HostFixture.Sent;
import io.gatekit.testkit.host.TestUpstream.Received;
import org.junit.jupiter.api.Test;

/** Requests and responses pass as sent: method, path, query, bodies, statuses, the engine's own answers. */
interface RequestCases extends Cases {

    @Test
    default void aMatchedRouteIsProxiedWithItsMethodPathAndQueryAsSent() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/plain/path?x=1&y=two"));

        assertEquals(200, sent.status());
        assertEquals("a GET /plain/path?x=1&y=two", sent.text());
        assertEquals("/plain/path?x=1&y=two", f.a.received().get(0).uri());
        assertEquals(1, f.logRuns(sent.id()));
    }

    @Test
    default void aRequestBodyReachesTheUpstreamWithItsLength() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);

        Sent sent = f.send(ClientRequest.of("POST", "/echo", "content-type", "text/plain").withBody("ping"));

        Received got = f.a.received().get(0);
        assertEquals(200, sent.status());
        assertEquals("POST", got.method());
        assertEquals("ping", new String(got.body()));
        assertEquals("4", got.header("content-length"));
    }

    @Test
    default void aHeadRequestGetsTheUpstreamsHeadersAndNoBody() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);

        Sent sent = f.send(ClientRequest.of("HEAD", "/head"));

        assertEquals(200, sent.status());
        assertEquals("a", sent.response().header("x-node"));
        assertEquals(0, sent.response().bodyLength());
        assertEquals(1, f.logRuns(sent.id()));
    }

    @Test
    default void a204FromTheUpstreamReachesTheClientWithoutABody() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);

        Sent sent = f.send(ClientRequest.of("DELETE", "/__status/204"));

        assertEquals(204, sent.status());
        assertEquals(0, sent.response().bodyLength());
    }

    @Test
    default void anUpstream5xxPassesThroughMarkedWithXApisixUpstreamStatus() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/__status/503"));

        assertEquals(503, sent.status());
        assertEquals("status 503", sent.text());
        assertEquals("503", sent.response().header("X-APISIX-Upstream-Status"));
        assertEquals(1, f.a.received().size(), "an upstream's own 503 is an answer, not a failure to retry");
    }

    @Test
    default void aChunkedUpstreamBodyReachesTheClientWhole() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/__chunked"));

        assertEquals(200, sent.status());
        assertEquals("hello world", sent.text());
    }

    @Test
    default void aRequestNoRouteMatchesGetsApisix404OrTheApplication() throws Exception {
        HostFixture f = fixture();
        f.route("""
                {"uri": "/only", "upstream": {"nodes": %s}}""".formatted(HostFixture.nodes(f.a)));

        Sent sent = f.send(ClientRequest.of("GET", "/elsewhere"));

        if (f.capabilities.contains(HostSetup.Capability.APPLICATION)) {
            assertEquals(200, sent.status());
            assertEquals(HostSetup.applicationBody("GET", "/elsewhere"), sent.text());
            assertFalse(ConformancePlugins.logs.containsKey(sent.id()), "no plugin runs for a request no route matches");
        } else {
            assertEquals(404, sent.status());
            assertEquals("{\"error_msg\":\"404 Route Not Found\"}\n", sent.text());
            assertEquals(1, f.logRuns(sent.id()), "global rules run, log included, as APISIX does");
        }
        assertTrue(f.a.received().isEmpty());
    }

    @Test
    default void aRouteWithoutAnUpstreamAnswersApisix503OrWrapsTheApplication() throws Exception {
        HostFixture f = fixture();
        f.route("""
                {"uri": "/app/*", "plugins": {"conformance-stamp": {}}}""");

        Sent sent = f.send(ClientRequest.of("GET", "/app/page?x=1"));

        if (f.capabilities.contains(HostSetup.Capability.APPLICATION)) {
            assertEquals(200, sent.status());
            assertEquals(HostSetup.applicationBody("GET", "/app/page?x=1"), sent.text());
        } else {
            assertEquals(503, sent.status());
            assertTrue(sent.text().contains("503 Service Temporarily Unavailable"), sent.text());
        }
        assertEquals("conformance", sent.response().header("x-stamp"), "header_filter runs either way");
        assertEquals(1, f.logRuns(sent.id()));
        assertTrue(f.a.received().isEmpty());
    }
}
