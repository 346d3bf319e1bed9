package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The data plane over real loopback sockets, with real upstream servers. */
class DataPlaneTest {

    private TestUpstream one;
    private TestUpstream two;
    private Gateway gateway;

    /** Adds {@code x-stamp} to the upstream request and the response; answers 403 when asked to. */
    record StampConfig(String value, boolean deny, String host) {
    }

    static final class StampFactory implements PluginFactory<StampConfig> {
        @Override
        public String name() {
            return "test-stamp";
        }

        @Override
        public int priority() {
            return 100;
        }

        @Override
        public String configSchema() {
            return """
                    {"type": "object", "properties": {"value": {"type": "string", "default": "on"},
                     "deny": {"type": "boolean", "default": false}, "host": {"type": "string"}}}""";
        }

        @Override
        public Class<StampConfig> configType() {
            return StampConfig.class;
        }

        @Override
        public Plugin create(StampConfig config, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome access(Exchange exchange) {
                    if (config.deny()) {
                        return Outcome.respond(403, "{\"error_msg\":\"denied\"}");
                    }
                    exchange.request().headers().set("x-stamp", config.value());
                    exchange.request().headers().set("x-server-port", exchange.var("server_port"));
                    if (config.host() != null) {
                        exchange.request().headers().set("Host", config.host());
                    }
                    return Outcome.proceed();
                }

                @Override
                public Completion headerFilter(Exchange exchange) {
                    exchange.response().headers().set("x-stamp", config.value());
                    return Completion.done();
                }
            };
        }
    }

    @BeforeEach
    void start() throws IOException {
        one = new TestUpstream("one");
        two = new TestUpstream("two");
        GatewayConfig config = ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0);
        gateway = Gateway.start(config, Engine.builder().plugin(new StampFactory()));
    }

    @AfterEach
    void stop() {
        gateway.close();
        one.close();
        two.close();
    }

    private void route(String id, String json) {
        gateway.engine().put(ResourceKind.ROUTES, id, json);
    }

    private RawHttp.Response get(String path) throws IOException {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.get(path, "example.com").read();
        }
    }

    @Test
    void proxiesAMatchedRequestToItsUpstreamAndRunsThePlugins() throws Exception {
        route("1", """
                {"uri": "/hello", "plugins": {"test-stamp": {"value": "v1"}},
                 "upstream": {"nodes": {"%s": 1}}}""".formatted(one.address()));

        RawHttp.Response response = get("/hello?a=1&b=2");

        assertEquals(200, response.status());
        assertEquals("hello from one", response.text());
        assertEquals("v1", response.header("x-stamp"));
        TestUpstream.Received received = one.take();
        assertEquals("/hello?a=1&b=2", received.uri());
        assertEquals("v1", received.header("x-stamp"));
        assertEquals("example.com", received.header("host"));
        assertEquals("127.0.0.1", received.header("x-forwarded-for"));
        assertEquals("http", received.header("x-forwarded-proto"));
        assertEquals("example.com", received.header("x-forwarded-host"));
    }

    @Test
    void aHostSetByAPluginIsTheHostTheUpstreamReceivesWithPassHostPass() throws Exception {
        route("1", """
                {"uri": "/host", "plugins": {"test-stamp": {"host": "rewritten.example"}},
                 "upstream": {"nodes": {"%s": 1}}}""".formatted(one.address()));

        get("/host");

        TestUpstream.Received received = one.take();
        assertEquals("rewritten.example", received.header("host"));
        assertEquals("example.com", received.header("x-forwarded-host"));
        assertEquals(Integer.toString(gateway.port()), received.header("x-server-port"));
    }

    @Test
    void aRequestMatchingNoRouteGetsApisix404() throws Exception {
        RawHttp.Response response = get("/nowhere");

        assertEquals(404, response.status());
        assertEquals("{\"error_msg\":\"404 Route Not Found\"}\n", response.text());
    }

    @Test
    void aPluginShortCircuitNeverReachesTheUpstream() throws Exception {
        route("1", """
                {"uri": "/deny", "plugins": {"test-stamp": {"deny": true}},
                 "upstream": {"nodes": {"%s": 1}}}""".formatted(one.address()));

        RawHttp.Response response = get("/deny");

        assertEquals(403, response.status());
        assertEquals("{\"error_msg\":\"denied\"}", response.text());
        assertEquals(0, one.hits.get());
    }

    @Test
    void weightedRoundRobinSpreadsRequestsByWeight() throws Exception {
        route("1", """
                {"uri": "/rr", "upstream": {"type": "roundrobin",
                 "nodes": {"%s": 1, "%s": 2}}}""".formatted(one.address(), two.address()));

        Map<String, Integer> byNode = new HashMap<>();
        try (RawHttp http = new RawHttp(gateway.port())) {
            for (int i = 0; i < 30; i++) {
                byNode.merge(http.get("/rr", "example.com").read().header("x-node"), 1, Integer::sum);
            }
        }

        assertEquals(Map.of("one", 10, "two", 20), byNode);
    }

    @Test
    void consistentHashingSendsTheSameKeyToTheSameNode() throws Exception {
        route("1", """
                {"uri": "/hash", "upstream": {"type": "chash", "hash_on": "vars", "key": "arg_user",
                 "nodes": {"%s": 1, "%s": 1}}}""".formatted(one.address(), two.address()));

        List<String> seen = new ArrayList<>();
        for (int user = 0; user < 40; user++) {
            String first = get("/hash?user=u" + user).header("x-node");
            for (int i = 0; i < 2; i++) {
                assertEquals(first, get("/hash?user=u" + user).header("x-node"), "user u" + user);
            }
            seen.add(first);
        }
        // 40 keys on one node by chance: about 2 in a trillion
        assertEquals(2, seen.stream().distinct().count(), "40 keys all hashed to one node: " + seen);
    }

    @Test
    void aConnectFailureIsRetriedOnAnotherNode() throws Exception {
        int dead = freePort();
        route("1", """
                {"uri": "/retry", "upstream": {"nodes": [{"host": "127.0.0.1", "port": %d, "weight": 100},
                 {"host": "127.0.0.1", "port": %d, "weight": 1}]}}""".formatted(dead, one.port()));

        for (int i = 0; i < 5; i++) {
            RawHttp.Response response = get("/retry");
            assertEquals(200, response.status());
            assertEquals("one", response.header("x-node"));
        }
    }

    @Test
    void noReachableNodeGives502() throws Exception {
        route("1", """
                {"uri": "/dead", "upstream": {"nodes": {"127.0.0.1:%d": 1}}}""".formatted(freePort()));

        assertEquals(502, get("/dead").status());
    }

    @Test
    void anUpstreamSlowerThanTheReadTimeoutGives504() throws Exception {
        route("1", """
                {"uri": "/slow", "timeout": {"connect": 1, "send": 1, "read": 0.3},
                 "upstream": {"nodes": {"%s": 1}}}""".formatted(one.address()));

        RawHttp.Response response = get("/slow?ms=5000");

        assertEquals(504, response.status());
    }

    @Test
    void anUpstreamThatKeepsSendingWithinTheReadTimeoutIsNotCutOffHoweverLongTheWholeResponseTakes()
            throws Exception {
        route("1", """
                {"uri": "/drip", "timeout": {"connect": 1, "send": 1, "read": 1},
                 "upstream": {"nodes": {"%s": 1}}}""".formatted(one.address()));

        // 8 reads 150 ms apart: 1.2 s in all, longer than the read timeout, never 1 s between two reads
        RawHttp.Response response = get("/drip?chunks=8&ms=150");

        assertEquals(200, response.status());
        assertEquals("drip".repeat(8), response.text());
    }

    @Test
    void passHostNodeAndRewriteSetTheUpstreamHostHeader() throws Exception {
        route("1", """
                {"uri": "/node", "upstream": {"pass_host": "node", "nodes": {"%s": 1}}}""".formatted(one.address()));
        route("2", """
                {"uri": "/rewrite", "upstream": {"pass_host": "rewrite", "upstream_host": "api.internal",
                 "nodes": {"%s": 1}}}""".formatted(one.address()));

        get("/node");
        assertEquals(one.address(), one.take().header("host"));
        get("/rewrite");
        assertEquals("api.internal", one.take().header("host"));
    }

    @Test
    void hopByHopHeadersAreNotForwarded() throws Exception {
        route("1", """
                {"uri": "/hop", "upstream": {"nodes": {"%s": 1}}}""".formatted(one.address()));

        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send("GET /hop HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, X-Secret\r\n"
                    + "X-Secret: s\r\nProxy-Authorization: p\r\nTE: trailers\r\nX-Kept: k\r\n\r\n");
            RawHttp.Response response = http.read();
            assertEquals(200, response.status());
            assertNull(response.header("keep-alive"), "upstream's Keep-Alive header leaked to the client");
        }
        TestUpstream.Received received = one.take();
        assertNull(received.header("x-secret"));
        assertNull(received.header("proxy-authorization"));
        assertNull(received.header("te"));
        assertEquals("k", received.header("x-kept"));
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        route("1", """
                {"uri": "/*", "upstream": {"nodes": {"%s": 1}}}""".formatted(one.address()));

        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send("GET /slow?ms=200 HTTP/1.1\r\nHost: a\r\n\r\nGET /first HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /second HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("slow done", http.read().text());
            assertEquals("/first", http.read().header("x-echo-uri"));
            assertEquals("/second", http.read().header("x-echo-uri"));
        }
    }

    @Test
    void tooLargeHeadersGet431AndTheConnectionCloses() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "x".repeat(20_000) + "\r\n\r\n");
            assertEquals(431, http.read().status());
            assertTrue(http.closedByServer());
        }
    }

    @Test
    void theResponseFromAHeadRequestHasNoBody() throws Exception {
        route("1", """
                {"uri": "/head", "upstream": {"nodes": {"%s": 1}}}""".formatted(one.address()));

        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send("HEAD /head HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, http.read(true).status());
            http.get("/head", "a");
            assertEquals("hello from one", http.read().text());
        }
    }

    @Test
    void aRequestBodyIsForwarded() throws Exception {
        route("1", """
                {"uri": "/echo", "upstream": {"nodes": {"%s": 1}}}""".formatted(one.address()));

        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals("hello", http.read().text());
            http.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
            assertEquals("abcde", http.read().text());
        }
        assertEquals("POST", one.take().method());
    }

    @Test
    void metricsCountRequestsByRouteAndStatus() throws Exception {
        route("1", """
                {"uri": "/m", "upstream": {"nodes": {"%s": 1}}}""".formatted(one.address()));
        get("/m");
        get("/m");

        // a request is counted once its response is flushed, which the client may see first: await it
        String counted = "gatekit_http_requests_total{route=\"1\",code=\"200\"} 2";
        String text = "";
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!text.contains(counted) && System.nanoTime() < deadline) {
            try (RawHttp http = new RawHttp(gateway.metricsPort())) {
                text = http.get("/apisix/prometheus/metrics", "a").read().text();
            }
        }
        assertTrue(text.contains(counted), text);
        assertTrue(text.contains("gatekit_upstream_latency_seconds_count{route=\"1\"} 2"), text);
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aRouteWithoutUpstreamAnswers503() throws Exception {
        route("1", """
                {"uri": "/none", "plugins": {"test-stamp": {}}}""");

        RawHttp.Response response = get("/none");

        assertEquals(503, response.status());
        assertNotNull(response.header("content-type"));
    }
}
