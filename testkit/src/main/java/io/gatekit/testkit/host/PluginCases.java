package io.gatekit.testkit.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.testkit.host.HostFixture.Sent;
import io.gatekit.testkit.host.TestUpstream.Received;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Plugins around the upstream: short-circuits, async steps, failures, filters, whole bodies, the mirror, log. */
interface PluginCases extends Cases {

    @Test
    default void aPluginShortCircuitsTheUpstreamAndHeaderFilterStillRuns() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-deny\": {}, \"conformance-stamp\": {}}", "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/private", "x-deny", "1"));

        assertEquals(403, sent.status());
        assertEquals("denied by plugin", sent.text());
        assertEquals("conformance", sent.response().header("x-stamp"));
        assertTrue(f.a.received().isEmpty());
        assertEquals(1, f.logRuns(sent.id()));
    }

    @Test
    default void aPluginAnsweringWithoutABodySendsAnEmptyOne() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-deny\": {}}", "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/bare", "x-deny-bare", "1"));

        assertEquals(503, sent.status());
        assertEquals(0, sent.response().bodyLength());
        assertTrue(f.a.received().isEmpty());
        assertEquals(1, f.logRuns(sent.id()));
    }

    @Test
    default void anAsyncPluginCompletingOnAnotherThreadLetsTheRequestThrough() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-async\": {}}", "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/async"));

        assertEquals(200, sent.status());
        assertEquals("1", f.a.received().get(0).header("x-async-ran"));
    }

    @Test
    default void aPluginThatThrowsFailsOnlyItsOwnRequestWith500() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-throw\": {}}", "", f.a);

        Sent failed = f.send(ClientRequest.of("GET", "/boom", "x-throw", "1"));
        Sent next = f.send(ClientRequest.of("GET", "/fine"));

        assertEquals(500, failed.status());
        assertEquals(200, next.status());
        assertEquals(1, f.a.received().size());
        assertEquals(1, f.logRuns(failed.id()));
    }

    @Test
    default void aHeaderFilterChangesTheUpstreamsResponse() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-stamp\": {}}", "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/stamped"));

        assertEquals("conformance", sent.response().header("x-stamp"));
        assertEquals("a GET /stamped", sent.text());
    }

    @Test
    default void anAsyncHeaderFilterCompletesBeforeTheResponseHeadLeaves() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-stamp\": {}}", "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/later", "x-async-filter", "1"));

        assertEquals(200, sent.status());
        assertEquals("later", sent.response().header("x-stamp"));
    }

    @Test
    default void aBodyFilterRewritesTheStreamedBodyAndSeesItsEndOnce() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-upper\": {}}", "", f.a);

        Sent chunked = f.send(ClientRequest.of("GET", "/__chunked"));
        Sent sized = f.send(ClientRequest.of("GET", "/sized"));

        assertEquals("HELLO WORLD", chunked.text());
        assertEquals("A GET /SIZED", sized.text());
        assertEquals(1, f.logRuns(chunked.id()));
        assertEquals(1, ConformancePlugins.lasts.get(chunked.id()));
        assertEquals(1, ConformancePlugins.lasts.get(sized.id()));
    }

    @Test
    default void aPluginReadingTheRequestBodyWholeReplacesWhatTheUpstreamGets() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-read-request\": {}}", "", f.a);

        f.send(ClientRequest.of("POST", "/whole").withBody("hello"));

        Received got = f.a.received().get(0);
        assertEquals("read 5", new String(got.body()));
        assertEquals("6", got.header("content-length"));
    }

    @Test
    default void aPluginReadingTheResponseBodyWholeReplacesWhatTheClientGets() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-read-response\": {}}", "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/__big/1000"));

        assertEquals(200, sent.status());
        assertEquals("seen 1000", sent.text());
    }

    @Test
    default void theMirrorCopyCarriesTheRequestAsRewrittenWhateverThePriorities() throws Exception {
        HostFixture f = fixture();
        f.proxy("""
                {"conformance-prefix": {"_meta": {"priority": 1}},
                 "proxy-mirror": {"host": "http://%s"}}""".formatted(f.mirror.node()), "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/m?q=1"));

        assertEquals(200, sent.status());
        assertEquals("/rewritten/m?q=1", f.a.received().get(0).uri());
        HostFixture.await(() -> !f.mirror.received().isEmpty(), () -> "the mirror got no copy");
        assertEquals("/rewritten/m?q=1", f.mirror.received().get(0).uri());
    }

    @Test
    default void logRunsExactlyOnceOnEveryPath() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-deny\": {}, \"conformance-throw\": {}, \"conformance-upper\": {}}",
                "\"timeout\": {\"connect\": 1, \"send\": 1, \"read\": 0.3}, \"retries\": 0", f.a);
        List<Sent> paths = List.of(
                f.send(ClientRequest.of("GET", "/ok")),
                f.send(ClientRequest.of("GET", "/denied", "x-deny", "1")),
                f.send(ClientRequest.of("GET", "/thrown", "x-throw", "1")),
                f.send(ClientRequest.of("GET", "/__delay/2000")),
                f.send(ClientRequest.of("GET", "/__status/500")));
        f.route("""
                {"uri": "/*", "upstream": {"nodes": [%s], "retries": 0}}""".formatted(
                HostFixture.node(HostFixture.deadPort(), 1, 0)));
        Sent refused = f.send(ClientRequest.of("GET", "/refused"));

        assertEquals(List.of(200, 403, 500, 504, 500), paths.stream().map(Sent::status).toList());
        assertEquals(502, refused.status());
        for (Sent sent : paths) {
            assertEquals(1, f.logRuns(sent.id()), sent.id() + " answered " + sent.status());
        }
        assertEquals(1, f.logRuns(refused.id()));
        assertNotEquals(0, f.a.received().size());
    }
}
