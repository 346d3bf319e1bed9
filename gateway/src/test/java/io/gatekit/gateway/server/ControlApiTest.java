package io.gatekit.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.gateway.faults.Faults;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * APISIX's control API on its own listener: {@code /v1/healthcheck} and
 * {@code /v1/healthcheck/<type>/<id>} show the checkers' nodes as APISIX's {@code control/v1.lua}
 * does (t/control/healthcheck.t's shape), a live node healthy and a dead one unhealthy with the
 * TCP failures that took it out; APISIX's error texts for bad paths; and the keys that turn it off
 * or move it.
 */
class ControlApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static HttpServer live;
    private static int deadPort;
    private static Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        live = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        live.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        live.start();
        try (ServerSocket free = new ServerSocket(0)) {
            deadPort = free.getLocalPort();
        }
        gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0), Engine.builder());
        gateway.engine().put(ResourceKind.UPSTREAMS, "1", """
                {"nodes": {"127.0.0.1:%d": 1, "127.0.0.1:%d": 0},
                 "checks": {"active": {"http_path": "/status",
                   "healthy": {"interval": 1, "successes": 1},
                   "unhealthy": {"interval": 1, "http_failures": 1, "tcp_failures": 2}}}}"""
                .formatted(live.getAddress().getPort(), deadPort));
        gateway.engine().put(ResourceKind.UPSTREAMS, "2", """
                {"nodes": {"127.0.0.1:%d": 1}}""".formatted(live.getAddress().getPort()));
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/hello", "upstream_id": "1"}""");
        gateway.engine().put(ResourceKind.ROUTES, "2", """
                {"uri": "/inline", "upstream": {"type": "roundrobin", "nodes": {"127.0.0.1:%d": 1},
                 "checks": {"active": {"type": "tcp", "healthy": {"interval": 1}, "unhealthy": {"interval": 1}}}}}"""
                .formatted(live.getAddress().getPort()));
        gateway.engine().put(ResourceKind.ROUTES, "3", """
                {"uri": "/plain", "upstream_id": "2"}""");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        live.stop(0);
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.controlPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode node(JsonNode checker, int port) {
        for (JsonNode node : checker.path("nodes")) {
            if (node.path("port").asInt() == port) {
                return node;
            }
        }
        return null;
    }

    @Test
    void healthcheckListsEveryCheckerWithItsNodesStatesAndCountersAsApisix() throws Exception {
        Faults.await("the dead node marked unhealthy", Duration.ofSeconds(15), () -> {
            try {
                JsonNode one = JSON.readTree(get("/v1/healthcheck/upstreams/1").body());
                return "unhealthy".equals(node(one, deadPort).path("status").asText());
            } catch (Exception e) {
                return false;
            }
        });

        HttpResponse<String> all = get("/v1/healthcheck");
        HttpResponse<String> one = get("/v1/healthcheck/upstreams/1");
        HttpResponse<String> inline = get("/v1/healthcheck/routes/2");

        assertEquals(200, all.statusCode());
        assertEquals("application/json", all.headers().firstValue("content-type").orElse(""));
        JsonNode list = JSON.readTree(all.body());
        assertEquals(2, list.size(), all.body());
        JsonNode checker = JSON.readTree(one.body());
        assertEquals("/apisix/upstreams/1", checker.path("name").asText());
        assertEquals("http", checker.path("type").asText());
        JsonNode dead = node(checker, deadPort);
        assertEquals("127.0.0.1", dead.path("ip").asText());
        assertEquals("127.0.0.1", dead.path("hostname").asText());
        assertEquals(2, dead.path("counter").path("tcp_failure").asInt(), one.body());
        assertEquals(0, dead.path("counter").path("http_failure").asInt());
        assertEquals(0, dead.path("counter").path("timeout_failure").asInt());
        assertEquals("healthy", node(checker, live.getAddress().getPort()).path("status").asText(), one.body());
        assertTrue(list.toString().contains("\"name\":\"/apisix/upstreams/1\""), all.body());
        JsonNode route = JSON.readTree(inline.body());
        assertEquals("/apisix/routes/2", route.path("name").asText(), inline.body());
        assertEquals("tcp", route.path("type").asText());
        assertEquals("healthy", route.path("nodes").get(0).path("status").asText());
    }

    @Test
    void badPathsGetApisixsErrorTexts() throws Exception {
        HttpResponse<String> badType = get("/v1/healthcheck/ssls/1");
        HttpResponse<String> noId = get("/v1/healthcheck/upstreams");
        HttpResponse<String> unknown = get("/v1/healthcheck/upstreams/404");
        HttpResponse<String> unchecked = get("/v1/healthcheck/upstreams/2");
        HttpResponse<String> routeWithoutChecks = get("/v1/healthcheck/routes/3");
        HttpResponse<String> elsewhere = get("/v1/schema");

        assertEquals(400, badType.statusCode());
        assertEquals("{\"error_msg\":\"invalid src type ssls\"}\n", badType.body());
        assertEquals(404, noId.statusCode());
        assertEquals("{\"error_msg\":\"missing src id for src type upstreams\"}\n", noId.body());
        assertEquals(404, unknown.statusCode());
        assertEquals("{\"error_msg\":\"upstreams[404] not found\"}\n", unknown.body());
        assertEquals("{\"error_msg\":\"no checker for upstreams[2]\"}\n", unchecked.body());
        assertEquals("{\"error_msg\":\"no checker for routes[3]\"}\n", routeWithoutChecks.body());
        assertEquals(404, elsewhere.statusCode());
    }

    @Test
    void enableControlFalseBindsNothingAndControlIpPortMoveIt() throws Exception {
        java.nio.file.Path dir = Files.createTempDirectory("control");
        try {
            java.nio.file.Path off = Files.writeString(dir.resolve("off.yaml"), "apisix:\n  enable_control: false\n");
            java.nio.file.Path moved = Files.writeString(dir.resolve("moved.yaml"),
                    "apisix:\n  control:\n    ip: 127.0.0.2\n    port: 9191\n");
            java.nio.file.Path bad = Files.writeString(dir.resolve("bad.yaml"), "apisix:\n  control:\n    port: x\n");

            GatewayConfig.Operations movedOps = ConfigLoader.load(moved, w -> { }).operations();

            assertEquals(null, ConfigLoader.load(off, w -> { }).operations().controlHost());
            assertEquals("127.0.0.2", movedOps.controlHost());
            assertEquals(9191, movedOps.controlPort());
            assertEquals("127.0.0.1", ConfigLoader.defaults(w -> { }).operations().controlHost());
            assertEquals(9090, ConfigLoader.defaults(w -> { }).operations().controlPort());
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ConfigLoader.load(bad, w -> { }));
            assertTrue(e.getMessage().startsWith("apisix.control.port: "), e.getMessage());
            try (Gateway none = Gateway.start(ConfigLoader.load(off, w -> { }).withPorts(0, 0, 0), Engine.builder())) {
                assertEquals(-1, none.controlPort());
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }
}
