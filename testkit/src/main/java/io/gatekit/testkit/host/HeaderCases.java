package io.gatekit.testkit.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.testkit.host.HostFixture.Sent;
import io.gatekit.testkit.host.TestUpstream.Received;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Headers both ways: hop-by-hop rules, {@code X-Forwarded-*}, and the Host {@code pass_host} asks for. */
interface HeaderCases extends Cases {

    @Test
    default void hopByHopRequestHeadersAndThoseConnectionNamesAreNotForwarded() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);

        f.send(ClientRequest.of("GET", "/hop", "Connection", "keep-alive, x-drop-me", "x-drop-me", "1",
                "Keep-Alive", "timeout=5", "TE", "trailers", "Proxy-Connection", "keep-alive", "x-keep", "1"));

        Received got = f.a.received().get(0);
        assertEquals("1", got.header("x-keep"));
        for (String dropped : new String[] {"connection", "x-drop-me", "keep-alive", "te", "proxy-connection"}) {
            assertNull(got.header(dropped), dropped + " reached the upstream");
        }
    }

    @Test
    default void noConnectionHeaderIsSentUpstreamAsApisixSendsNone() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);

        f.send(ClientRequest.of("GET", "/plain"));

        assertNull(f.a.received().get(0).header("connection"));
    }

    @Test
    default void xForwardedForIsAppendedAndXRealIpSet() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);

        f.send(ClientRequest.of("GET", "/xff", "X-Forwarded-For", "10.0.0.1"));

        Received got = f.a.received().get(0);
        assertEquals("10.0.0.1, 127.0.0.1", got.header("x-forwarded-for"));
        assertEquals("127.0.0.1", got.header("x-real-ip"));
    }

    @Test
    default void xForwardedProtoHostAndPortAreAddedWhenTheClientSentNone() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);

        f.send(ClientRequest.of("GET", "/xfp", "Host", "client.example:8080"));

        Received got = f.a.received().get(0);
        assertEquals("http", got.header("x-forwarded-proto"));
        assertEquals("client.example:8080", got.header("x-forwarded-host"));
        assertTrue(got.header("x-forwarded-port").matches("[0-9]+"), got.header("x-forwarded-port"));
    }

    @Test
    default void hopByHopResponseHeadersOfTheUpstreamDoNotReachTheClient() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/__hop"));

        assertEquals(200, sent.status());
        assertEquals("1", sent.response().header("x-end-to-end"));
        assertNull(sent.response().header("x-hop-resp"), "named by the upstream's Connection header");
        assertNotEquals("timeout=5", sent.response().header("keep-alive"), "the upstream's Keep-Alive");
    }

    @Test
    default void passHostPassSendsTheClientsHost() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "\"pass_host\": \"pass\"", f.a);

        f.send(ClientRequest.of("GET", "/pass", "Host", "client.example:8080"));

        assertEquals("client.example:8080", f.a.received().get(0).header("host"));
    }

    @Test
    default void passHostNodeSendsTheNodesAddress() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "\"pass_host\": \"node\"", f.a);

        f.send(ClientRequest.of("GET", "/node", "Host", "client.example"));

        assertEquals("127.0.0.1:" + f.a.port(), f.a.received().get(0).header("host"));
    }

    @Test
    default void passHostNodeBracketsAnIpv6Node() throws Exception {
        HostFixture f = fixture();
        Assumptions.assumeTrue(f.v6 != null, "this machine has no IPv6 loopback");
        f.proxy("{}", "\"pass_host\": \"node\"", f.v6);

        Sent sent = f.send(ClientRequest.of("GET", "/v6", "Host", "client.example"));

        assertEquals(200, sent.status());
        assertEquals("[::1]:" + f.v6.port(), f.v6.received().get(0).header("host"));
    }

    @Test
    default void passHostRewriteSendsUpstreamHost() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "\"pass_host\": \"rewrite\", \"upstream_host\": \"rewritten.example\"", f.a);

        f.send(ClientRequest.of("GET", "/rewrite", "Host", "client.example"));

        assertEquals("rewritten.example", f.a.received().get(0).header("host"));
    }

    @Test
    default void passHostPassSendsTheClientsOriginalHostWhenAPluginRemovedIt() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-drop-host\": {}}", "\"pass_host\": \"pass\"", f.a);

        f.send(ClientRequest.of("GET", "/dropped", "Host", "client.example:8080"));

        assertEquals("client.example:8080", f.a.received().get(0).header("host"));
    }
}
