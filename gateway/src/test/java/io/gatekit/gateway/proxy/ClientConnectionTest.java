package io.gatekit.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.RawHttp;
import io.gatekit.gateway.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the connection decides on its own, before and after the request's handler: bodies it refuses, bodies it drains. */
class ClientConnectionTest {

    @TempDir
    Path dir;
    private RawUpstream upstream;
    private Gateway gateway;

    @BeforeEach
    void start() throws IOException {
        upstream = new RawUpstream(head -> {
            String path = head.substring(head.indexOf(' ') + 1, head.indexOf(" HTTP/"));
            String body = "proxied " + path;
            return RawUpstream.Reply.of("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body,
                    false);
        });
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                nginx_config:
                  http:
                    client_max_body_size: 1k
                """);
        gateway = Gateway.start(ConfigLoader.load(file, w -> { }).withPorts(0, 0, 0), Engine.builder().discoverPlugins());
        gateway.engine().put(ResourceKind.ROUTES, "r", """
                {"uri": "/r/*", "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        upstream.close();
    }

    @Test
    void aSmallDeclaredBodyOverClientMaxBodySizeGets413IsDrainedAndTheConnectionServesTheNextRequest()
            throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send("POST /r/big HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + "b".repeat(2000)
                    + "GET /r/next HTTP/1.1\r\nHost: x\r\n\r\n");

            RawHttp.Response refused = client.read();
            assertEquals(413, refused.status(), refused.text());
            assertEquals("{\"error_msg\":\"413 Request Entity Too Large\"}\n", refused.text());
            assertTrue(!"close".equalsIgnoreCase(refused.header("connection")), refused.headers().toString());
            RawHttp.Response next = client.read();
            assertEquals(200, next.status(), next.text());
            assertEquals("proxied /r/next", next.text());
        }
        assertEquals(java.util.List.of("GET /r/next HTTP/1.1"), upstream.requestLines());
    }

    @Test
    void anAnswerGivenBeforeTheBodyEndedLeavesTheRestToBeDrainedAndTheConnectionKept() throws Exception {
        // no route matches: the engine answers 404 at once, while the body is still on its way
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send("POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 600\r\n\r\n" + "a".repeat(100));
            RawHttp.Response missing = client.read();
            assertEquals(404, missing.status(), missing.text());

            client.send("a".repeat(500) + "GET /r/then HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response then = client.read();
            assertEquals(200, then.status(), then.text());
            assertEquals("proxied /r/then", then.text());
        }
    }
}
