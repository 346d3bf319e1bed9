package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Admin API on its own port, over real sockets, changing what the data plane serves at once. */
class AdminOverHttpTest {

    private static final String KEY = GatewayConfig.EXAMPLE_ADMIN_KEY;

    private TestUpstream upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new TestUpstream("one");
        GatewayConfig defaults = ConfigLoader.defaults(w -> { });
        GatewayConfig config = new GatewayConfig(defaults.nodeHost(), 0, defaults.adminHost(), 0,
                List.of(new GatewayConfig.AdminKey("admin", KEY, "admin"),
                        new GatewayConfig.AdminKey("ro", "viewer-key", "viewer")),
                defaults.allowAdmin(), null, defaults.pluginAttributes(), null, null, defaults.prometheusHost(), 0,
                null, 0, defaults.bodyBufferLimit(), defaults.maxHeaderSize(), defaults.upstreamConnectTimeout(),
                defaults.upstreamSendTimeout(), defaults.upstreamReadTimeout(), true, defaults.clientHeaderTimeout(),
                defaults.keepaliveTimeout(), defaults.clientBodyTimeout(), null, defaults.tls(),
                defaults.operations(), defaults.transport(), defaults.workerProcesses()).withPorts(0, 0, 0); // TLS and control API on free ports too
        gateway = Gateway.start(config, Engine.builder().plugin(new DataPlaneTest.StampFactory()));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    private RawHttp.Response admin(String method, String path, String key, String body) throws Exception {
        try (RawHttp http = new RawHttp(gateway.adminPort())) {
            byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            http.send(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (key == null ? "" : "X-API-KEY: " + key + "\r\n")
                    + "Content-Length: " + bytes.length + "\r\n\r\n");
            http.send(bytes);
            return http.read();
        }
    }

    private RawHttp.Response data(String path) throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.get(path, "example.com").read();
        }
    }

    @Test
    void aRoutePutThroughTheAdminApiServesAtOnceAndRemovingThePluginTakesEffectAtOnce() throws Exception {
        RawHttp.Response created = admin("PUT", "/apisix/admin/routes/1", KEY, """
                {"uri": "/hello", "plugins": {"test-stamp": {"value": "on"}},
                 "upstream": {"type": "roundrobin", "nodes": {"%s": 1}}}""".formatted(upstream.address()));
        assertEquals(201, created.status(), created.text());
        assertTrue(created.text().contains("\"key\":\"/apisix/routes/1\""), created.text());
        assertEquals("on", data("/hello").header("x-stamp"));

        RawHttp.Response replaced = admin("PUT", "/apisix/admin/routes/1", KEY, """
                {"uri": "/hello", "plugins": {},
                 "upstream": {"type": "roundrobin", "nodes": {"%s": 1}}}""".formatted(upstream.address()));
        assertEquals(200, replaced.status());
        RawHttp.Response after = data("/hello");
        assertEquals(200, after.status());
        assertEquals(null, after.header("x-stamp"));
    }

    @Test
    void aMissingOrWrongKeyGets401WithApisixBody() throws Exception {
        RawHttp.Response missing = admin("GET", "/apisix/admin/routes", null, "");
        assertEquals(401, missing.status());
        assertEquals("{\"error_msg\":\"failed to check token\",\"description\":\"missing apikey\"}",
                missing.text().trim());

        assertEquals(401, admin("GET", "/apisix/admin/routes", "nope", "").status());
    }

    @Test
    void aViewerKeyReadsButCannotWrite() throws Exception {
        assertEquals(200, admin("GET", "/apisix/admin/routes", "viewer-key", "").status());
        assertEquals(401, admin("PUT", "/apisix/admin/routes/1", "viewer-key", "{\"uri\":\"/x\",\"plugins\":{}}")
                .status());
    }

    @Test
    void anInvalidChangeGets400WithEveryViolationAndTheOldRouteKeepsServing() throws Exception {
        admin("PUT", "/apisix/admin/routes/1", KEY, """
                {"uri": "/hello", "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));

        RawHttp.Response rejected = admin("PUT", "/apisix/admin/routes/1", KEY, """
                {"uri": 5, "upstream": {"nodes": {"%s": 1}}, "priority": "high"}""".formatted(upstream.address()));

        assertEquals(400, rejected.status());
        assertTrue(rejected.text().contains("\"error_msg\":\"invalid configuration: property \\\"uri\\\""),
                rejected.text());
        assertTrue(rejected.text().contains("/priority"), rejected.text());
        assertEquals(200, data("/hello").status());
    }

    @Test
    void theAdminApiIsNotServedOnTheDataPortByDefault() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send("GET /apisix/admin/routes HTTP/1.1\r\nHost: a\r\nX-API-KEY: " + KEY + "\r\n\r\n");
            assertEquals(404, http.read().status());
        }
    }
}
