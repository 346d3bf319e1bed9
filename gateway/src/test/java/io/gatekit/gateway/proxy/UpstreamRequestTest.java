package io.gatekit.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.RawHttp;
import io.gatekit.gateway.config.ConfigLoader;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request line and head the upstream receives, read byte for byte from its socket: the path
 * as the client sent it (as nginx passes the unparsed URI when APISIX leaves {@code upstream_uri}
 * empty) while routes match its normalized form, and no {@code Connection} header.
 */
class UpstreamRequestTest {

    private RawUpstream upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws IOException {
        upstream = new RawUpstream(head -> RawUpstream.Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false));
        gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0), Engine.builder());
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        upstream.close();
    }

    private void route(String id, String uri) {
        gateway.engine().put(ResourceKind.ROUTES, id, """
                {"uri": "%s", "upstream": {"nodes": {"%s": 1}}}""".formatted(uri, upstream.address()));
    }

    private RawHttp.Response get(String target) throws IOException {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.get(target, "example.com").read();
        }
    }

    @Test
    void theUpstreamRequestHasNoConnectionHeaderAndItsConnectionIsStillReused() throws Exception {
        route("1", "/*");
        try (RawHttp http = new RawHttp(gateway.port())) {
            for (int i = 0; i < 3; i++) {
                http.send("GET /k" + i + " HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\n\r\n");
                assertEquals(200, http.read().status());
            }
        }
        assertEquals(3, upstream.heads.size());
        for (String head : upstream.heads) {
            assertFalse(head.toLowerCase(Locale.ROOT).contains("\r\nconnection:"), head);
            assertTrue(head.startsWith("GET /k") && head.contains(" HTTP/1.1\r\n"), head);
        }
        assertEquals(1, upstream.connections.get(), "the upstream connection was not kept alive and reused");
    }

    @Test
    void routesMatchTheNormalizedPathAndTheUpstreamGetsThePathAsTheClientSentIt() throws Exception {
        route("space", "/a b");
        route("dots", "/a/c");
        route("slashes", "/x");
        route("slash", "/a/b");

        List<String> sent = List.of("/a%20b", "/a/./b/../c", "//x", "/a%2Fb?q=%2F");
        for (String target : sent) {
            assertEquals(200, get(target).status(), target);
        }
        assertEquals(sent.stream().map(target -> "GET " + target + " HTTP/1.1").toList(), upstream.requestLines());
    }

    @Test
    void aDotSegmentCannotReachTheUpstreamThroughTheRouteOfAnotherPrefix() throws Exception {
        route("public", "/public/*");

        for (String sneaky : List.of("/public/../admin", "/public/%2e%2e/admin", "/public/..%2Fadmin", "//public/../admin")) {
            assertEquals(404, get(sneaky).status(), sneaky);
        }
        assertEquals(List.of(), upstream.requestLines());
        assertEquals(200, get("/public/page").status());
        assertEquals(List.of("GET /public/page HTTP/1.1"), upstream.requestLines());
    }

    @Test
    void aPathClimbingAboveTheRootOrWithABadEscapeIsAnswered400AndNeverReachesTheUpstream() throws Exception {
        route("all", "/*");

        for (String bad : List.of("/a/../../etc/passwd", "/%2e%2e/etc/passwd", "/a%zz", "/a%00b")) {
            RawHttp.Response response = get(bad);
            assertEquals(400, response.status(), bad);
            assertTrue(response.text().startsWith("{\"error_msg\":\"400 Bad Request: path "), response.text());
        }
        assertEquals(List.of(), upstream.requestLines());
    }
}
