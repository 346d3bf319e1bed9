package io.gatekit.testkit.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.testkit.host.HostFixture.Sent;
import org.junit.jupiter.api.Test;

/** Failed attempts: which are retried and how far, timeouts, and APISIX's 502 and 504 pages. */
interface RetryCases extends Cases {

    /** A route whose first choice is {@code primary} and whose next is {@code backup}. */
    private static String primaryThenBackup(int primary, int backup, String extras) {
        return """
                {"uri": "/*", "upstream": {"nodes": [%s, %s]%s}}""".formatted(HostFixture.node(primary, 1, 1),
                HostFixture.node(backup, 1, 0), extras.isEmpty() ? "" : ", " + extras);
    }

    @Test
    default void aRefusedConnectionIsRetriedOnTheNextNode() throws Exception {
        HostFixture f = fixture();
        f.route(primaryThenBackup(HostFixture.deadPort(), f.a.port(), ""));

        Sent sent = f.send(ClientRequest.of("GET", "/retry"));

        assertEquals(200, sent.status());
        assertEquals(1, f.a.received().size());
        assertEquals(1, f.logRuns(sent.id()));
    }

    @Test
    default void retriesZeroAnswersApisix502WithoutTryingAnotherNode() throws Exception {
        HostFixture f = fixture();
        f.route(primaryThenBackup(HostFixture.deadPort(), f.a.port(), "\"retries\": 0"));

        Sent sent = f.send(ClientRequest.of("GET", "/once"));

        assertEquals(502, sent.status());
        assertTrue(sent.response().header("content-type").startsWith("text/html"));
        assertTrue(sent.text().contains("<center><h1>502 Bad Gateway</h1></center>"), sent.text());
        assertEquals("502", sent.response().header("X-APISIX-Upstream-Status"));
        assertEquals(0, f.a.received().size());
        assertEquals(1, f.logRuns(sent.id()));
    }

    @Test
    default void aGetWhoseConnectionBrokeAfterItWasSentIsRetried() throws Exception {
        HostFixture f = fixture();
        f.a.dropAll(true);
        f.route(primaryThenBackup(f.a.port(), f.b.port(), ""));

        Sent sent = f.send(ClientRequest.of("GET", "/idempotent"));

        assertEquals(200, sent.status());
        assertTrue(f.a.dropped() >= 1, "the primary was tried");
        assertEquals(1, f.b.received().size());
    }

    @Test
    default void aPostWhoseConnectionBrokeAfterItWasSentIsNotRetried() throws Exception {
        HostFixture f = fixture();
        f.a.dropAll(true);
        f.route(primaryThenBackup(f.a.port(), f.b.port(), ""));

        Sent sent = f.send(ClientRequest.of("POST", "/once").withBody("order #1"));

        assertEquals(502, sent.status());
        assertEquals(0, f.b.received().size(), "a POST that may have reached an upstream is never sent twice");
        assertEquals(1, f.logRuns(sent.id()));
    }

    @Test
    default void retriesBoundsHowManyNodesAreTried() throws Exception {
        HostFixture f = fixture();
        for (TestUpstream u : new TestUpstream[] {f.a, f.b, f.c}) {
            u.dropAll(true);
        }
        f.route("""
                {"uri": "/*", "upstream": {"nodes": [%s, %s, %s], "retries": 1}}""".formatted(
                HostFixture.node(f.a.port(), 1, 2), HostFixture.node(f.b.port(), 1, 1),
                HostFixture.node(f.c.port(), 1, 0)));

        Sent sent = f.send(ClientRequest.of("GET", "/bounded"));

        assertEquals(502, sent.status());
        assertTrue(f.a.dropped() >= 1 && f.b.dropped() >= 1, "one try and one retry");
        assertEquals(0, f.c.dropped(), "retries: 1 leaves the third node alone");
    }

    @Test
    default void retryTimeoutEndsTheRetriesOnceItPassed() throws Exception {
        HostFixture f = fixture();
        String timeouts = "\"timeout\": {\"connect\": 1, \"send\": 1, \"read\": 0.3}";
        f.route(primaryThenBackup(f.a.port(), f.b.port(), timeouts + ", \"retry_timeout\": 0.1"));

        Sent limited = f.send(ClientRequest.of("GET", "/__delay/1500"));

        assertEquals(502, limited.status(), "past retry_timeout APISIX answers 502 instead of another try");
        assertEquals(0, f.b.received().size());

        f.route(primaryThenBackup(f.a.port(), f.b.port(), timeouts));
        Sent unlimited = f.send(ClientRequest.of("GET", "/__delay/1500"));

        assertEquals(504, unlimited.status());
        HostFixture.await(() -> f.b.received().size() == 1, () -> "without retry_timeout the backup is tried too");
    }

    @Test
    default void aSilentUpstreamAnswersApisix504AfterTheReadTimeout() throws Exception {
        HostFixture f = fixture();
        f.proxy("{}", "\"timeout\": {\"connect\": 1, \"send\": 1, \"read\": 0.5}", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/__delay/5000"));

        assertEquals(504, sent.status());
        assertTrue(sent.text().contains("504 Gateway Time-out"), sent.text());
        assertEquals(1, f.logRuns(sent.id()));
    }

    @Test
    default void theRoutesTimeoutReplacesTheUpstreams() throws Exception {
        HostFixture f = fixture();
        f.route("""
                {"uri": "/*", "timeout": {"connect": 1, "send": 1, "read": 0.5},
                 "upstream": {"nodes": %s, "timeout": {"connect": 20, "send": 20, "read": 20}}}"""
                .formatted(HostFixture.nodes(f.a)));

        Sent sent = f.send(ClientRequest.of("GET", "/__delay/3000"));

        assertEquals(504, sent.status(), "the upstream's 20 s read timeout would have waited for the answer");
    }

    @Test
    default void aBodyCutShortBeforeAnythingReachedTheClientIsA502() throws Exception {
        HostFixture f = fixture();
        f.proxy("{\"conformance-read-response\": {}}", "", f.a);

        Sent sent = f.send(ClientRequest.of("GET", "/__short"));

        assertEquals(502, sent.status());
        assertEquals(1, f.logRuns(sent.id()));
    }
}
