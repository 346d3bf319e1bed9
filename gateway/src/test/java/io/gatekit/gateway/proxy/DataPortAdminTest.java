package io.gatekit.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.RawHttp;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Admin API on the data port (APISIX's older layout): a handler in the pipeline takes the
 * requests under /apisix/admin and the proxy all the others, on one connection, with the
 * connection's rules (order, timeouts, limits) the same for both.
 */
class DataPortAdminTest {

    private static final String KEY = "data-port-admin-key";
    private static final String ROUTE = "{\"uri\": \"/two\", \"upstream\": {\"nodes\": {\"127.0.0.1:1\": 1}}}";

    @TempDir
    Path dir;
    private RawUpstream upstream;
    private Gateway gateway;

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = new RawUpstream(head -> {
            String path = head.substring(head.indexOf(' ') + 1, head.indexOf(" HTTP/"));
            if (path.startsWith("/r/slow")) {
                pause(); // a slow upstream: an answer that is not held back would overtake this one
            }
            String body = "proxied " + path;
            return RawUpstream.Reply.of("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body,
                    false);
        });
    }

    private static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    /** A gateway whose Admin API shares its data port, a free one (the layout needs a fixed port). */
    private Gateway start(String yaml) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                deployment:
                  admin:
                    admin_key:
                      - {name: admin, key: %s, role: admin}
                """.formatted(KEY) + yaml);
        GatewayConfig loaded = ConfigLoader.load(file, w -> { }).withPorts(port, port, 0);
        // the TLS and control listeners on free ports: their defaults (9443, 9090) may be taken
        GatewayConfig config = loaded.withTls(loaded.tls().withListen(true,
                java.util.List.of(new GatewayConfig.Listen("127.0.0.1", 0))))
                .withOperations(loaded.operations().withControl(loaded.operations().controlHost(), 0));
        assertTrue(config.adminOnDataPort());
        gateway = Gateway.start(config, Engine.builder().discoverPlugins());
        gateway.engine().put(ResourceKind.ROUTES, "r", """
                {"uri": "/r/*", "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));
        return gateway;
    }

    private static String admin(String method, String path, String body) {
        return method + " " + path + " HTTP/1.1\r\nHost: x\r\nX-API-KEY: " + KEY + "\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body;
    }

    @Test
    void adminAndProxiedRequestsPipelinedOnOneConnectionAreAnsweredInTheOrderSent() throws Exception {
        start("");
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send("GET /r/slow HTTP/1.1\r\nHost: x\r\n\r\n"
                    + admin("PUT", "/apisix/admin/routes/2", ROUTE)
                    + "GET /r/after HTTP/1.1\r\nHost: x\r\n\r\n"
                    + admin("GET", "/apisix/admin/routes/2", ""));

            RawHttp.Response slow = client.read();
            assertEquals(200, slow.status(), slow.text());
            assertEquals("proxied /r/slow", slow.text());
            RawHttp.Response put = client.read();
            assertEquals(201, put.status(), put.text());
            RawHttp.Response after = client.read();
            assertEquals("proxied /r/after", after.text());
            RawHttp.Response get = client.read();
            assertEquals(200, get.status(), get.text());
            assertTrue(get.text().contains("\"/two\""), get.text());
        }
        assertEquals(2, upstream.requestLines().size(), "only the proxied requests reach the upstream: "
                + upstream.requestLines());
    }

    @Test
    void afterAnAdminRequestAnIdleConnectionIsClosedSilentlyAsAfterAnyOther() throws Exception {
        // were the admin request invisible to the connection's timers, its bytes would look like
        // the start of a head that never ends: a 408 after client_header_timeout instead
        start("""
                nginx_config:
                  http:
                    client_header_timeout: 1s
                    keepalive_timeout: 1s
                """);
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.socket().setSoTimeout(10_000);
            RawHttp.Response listed = client.send(admin("GET", "/apisix/admin/routes", "")).read();
            assertEquals(200, listed.status(), listed.text());

            assertTrue(client.closedByServer(), "the idle connection was not closed");
        }
    }

    @Test
    void anAdminBodyOverBodyBufferLimitGets413AndTheConnectionCloses() throws Exception {
        start("gatekit:\n  body_buffer_limit: 1k\n");
        String big = ROUTE.replace("}}}", "}}, \"desc\": \"" + "d".repeat(2000) + "\"}");
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.send(admin("PUT", "/apisix/admin/routes/2", big)).read();

            assertEquals(413, response.status(), response.text());
            assertTrue(response.text().contains("\"error_msg\""), response.text());
            assertEquals("close", response.header("connection"));
            assertTrue(client.closedByServer());
        }
        assertEquals(0, gateway.engine().list(ResourceKind.ROUTES).stream().filter(r -> r.id().equals("2")).count());
    }

    @Test
    void anAdminBodyThatStopsComingGets408AfterClientBodyTimeout() throws Exception {
        start("""
                nginx_config:
                  http:
                    client_header_timeout: 1s
                    client_body_timeout: 1s
                """);
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.socket().setSoTimeout(10_000);
            client.send("PUT /apisix/admin/routes/2 HTTP/1.1\r\nHost: x\r\nX-API-KEY: " + KEY
                    + "\r\nContent-Length: 100\r\n\r\n{\"uri\":");

            RawHttp.Response response = client.read();
            assertEquals(408, response.status(), response.text());
            assertTrue(response.text().contains("client_body_timeout"), response.text());
            assertTrue(client.closedByServer());
        }
    }
}
