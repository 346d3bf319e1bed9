package io.gatekit.gateway.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.gateway.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Admin API bodies that are not the JSON object a resource needs: each gets a 400 with an
 * APISIX-style {@code error_msg} saying what is wrong, the route in force keeps serving, and the
 * gateway stays up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminMalformedJsonTest {

    record Body(String name, byte[] bytes, String errorMentions) {
        Body(String name, String text, String errorMentions) {
            this(name, text.getBytes(StandardCharsets.UTF_8), errorMentions);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @TempDir
    static Path dir;
    private GatewayUnderTest gatekit;
    private AdminClient admin;
    private String goodRoute;
    private final AtomicInteger tried = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        gatekit = new GatewayUnderTest(dir, "gatekit:\n  body_buffer_limit: 4m\n");
        admin = new AdminClient(gatekit.gateway.adminPort());
        AdminClient.Answer created = admin.put("/routes/good", """
                {"uri": "/good", "upstream": {"nodes": {"%s": 1}}}""".formatted(gatekit.upstream.address()));
        assertEquals(201, created.status(), created.body());
        goodRoute = admin.get("/routes/good").json().path("value").toString();
    }

    @AfterAll
    void stop() {
        System.out.printf("bad-input Admin JSON: %d malformed bodies tried, %d data-plane requests lost%n",
                tried.get(), lost.get());
        gatekit.close();
    }

    static Stream<Body> malformed() {
        List<Body> bodies = new ArrayList<>();
        bodies.add(new Body("a truncated object", "{\"uri\": \"/good\", \"upstream\": {\"nodes\"", "invalid request body"));
        bodies.add(new Body("a truncated string", "{\"uri\": \"/go", "invalid request body"));
        bodies.add(new Body("an array", "[{\"uri\": \"/good\"}]", "object"));
        bodies.add(new Body("a string", "\"/good\"", "object"));
        bodies.add(new Body("a number", "42", "object"));
        bodies.add(new Body("null", "null", "object"));
        bodies.add(new Body("a boolean", "true", "object"));
        bodies.add(new Body("a form body", "uri=/good&upstream=x", "invalid request body"));
        bodies.add(new Body("XML", "<route><uri>/good</uri></route>", "invalid request body"));
        bodies.add(new Body("single quotes", "{'uri': '/good'}", "invalid request body"));
        bodies.add(new Body("a comment", "{\"uri\": \"/good\" /* why */}", "invalid request body"));
        bodies.add(new Body("a trailing comma", "{\"uri\": \"/good\",}", "invalid request body"));
        bodies.add(new Body("NaN", "{\"uri\": \"/good\", \"priority\": NaN}", "invalid request body"));
        bodies.add(new Body("two documents", "{\"uri\": \"/good\"} {\"uri\": \"/other\"}", "invalid request body"));
        bodies.add(new Body("a duplicate key", "{\"uri\": \"/good\", \"uri\": \"/evil\"}", "uri"));
        bodies.add(new Body("a nested duplicate key",
                "{\"uri\": \"/good\", \"upstream\": {\"nodes\": {\"127.0.0.1:1\": 1}, \"type\": \"roundrobin\","
                        + " \"type\": \"chash\"}}", "type"));
        bodies.add(new Body("deep nesting", "{\"a\":".repeat(5000) + "1" + "}".repeat(5000),
                "invalid request body"));
        bodies.add(new Body("deep array nesting", "{\"uri\": " + "[".repeat(5000) + "]".repeat(5000) + "}",
                "invalid request body"));
        byte[] badUtf8 = "{\"uri\": \"/good\u0001\"}".getBytes(StandardCharsets.UTF_8);
        badUtf8[badUtf8.length - 3] = (byte) 0xff;
        bodies.add(new Body("invalid UTF-8", badUtf8, "invalid request body"));
        byte[] overlong = "{\"uri\": \"/good\u0001\u0001\"}".getBytes(StandardCharsets.UTF_8);
        overlong[overlong.length - 4] = (byte) 0xc0;
        overlong[overlong.length - 3] = (byte) 0xaf;
        bodies.add(new Body("an overlong UTF-8 sequence", overlong, "invalid request body"));
        bodies.add(new Body("a raw control character in a string", "{\"uri\": \"/go\u0000od\"}",
                "invalid request body"));
        bodies.add(new Body("a body over the Admin API's 1.5 MiB",
                "{\"uri\": \"/good\", \"desc\": \"" + "d".repeat(2 * 1024 * 1024) + "\"}", "greater than the maximum"));
        return bodies.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedBodyGets400WithAClearErrorMsgAndTheRouteInForceKeepsServing(Body body) throws Exception {
        tried.incrementAndGet();

        AdminClient.Answer answer = admin.put("/routes/good", body.bytes());

        assertEquals(400, answer.status(), () -> body.name() + ": " + answer.body());
        String errorMsg = answer.errorMsg();
        assertFalse(errorMsg.isBlank(), answer.body());
        assertTrue(errorMsg.contains(body.errorMentions()),
                () -> body.name() + ": error_msg should mention '" + body.errorMentions() + "': " + errorMsg);
        assertEquals(goodRoute, admin.get("/routes/good").json().path("value").toString());
        theGoodRouteServes();
    }

    @Test
    void aBodyOverTheBufferLimitGets413BeforeItIsReadAndTheGatewayStaysUp() throws Exception {
        tried.incrementAndGet();
        try (RawHttp client = new RawHttp(gatekit.gateway.adminPort())) {
            // only the head: the limit is known from Content-Length, the body is never buffered
            client.send("PUT /apisix/admin/routes/good HTTP/1.1\r\nHost: x\r\nX-API-KEY: "
                    + io.gatekit.gateway.config.GatewayConfig.EXAMPLE_ADMIN_KEY + "\r\nContent-Length: "
                    + (5 * 1024 * 1024) + "\r\n\r\n");

            assertEquals(413, client.read().status());
        }
        assertEquals(goodRoute, admin.get("/routes/good").json().path("value").toString());
        theGoodRouteServes();
    }

    @Test
    void aRequestWithAmbiguousFramingGets400AndWhatFollowsItIsNeverExecuted() throws Exception {
        String key = io.gatekit.gateway.config.GatewayConfig.EXAMPLE_ADMIN_KEY;
        String evil = "{\"uri\": \"/evil\", \"upstream\": {\"nodes\": {\"127.0.0.1:9\": 1}}}";
        String hidden = "PUT /apisix/admin/routes/evil HTTP/1.1\r\nHost: x\r\nX-API-KEY: " + key
                + "\r\nContent-Length: " + evil.length() + "\r\n\r\n" + evil;
        for (String framing : List.of("Transfer-Encoding: xchunked\r\n\r\n",
                "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "Content-Length: 0\r\nContent-Length: " + hidden.length() + "\r\n\r\n")) {
            tried.incrementAndGet();
            try (RawHttp client = new RawHttp(gatekit.gateway.adminPort())) {
                client.send("PUT /apisix/admin/routes/good HTTP/1.1\r\nHost: x\r\nX-API-KEY: " + key + "\r\n"
                        + framing + hidden);

                RawHttp.Response response = client.read();
                assertEquals(400, response.status(), framing + response.text());
                assertTrue(client.closedByServer());
            }
            assertEquals(404, admin.get("/routes/evil").status(), framing);
            assertEquals(goodRoute, admin.get("/routes/good").json().path("value").toString());
        }
        theGoodRouteServes();
    }

    private void theGoodRouteServes() throws IOException {
        try (RawHttp client = new RawHttp(gatekit.port())) {
            RawHttp.Response response = client.send("GET /good HTTP/1.1\r\nHost: x\r\n\r\n").read();
            if (!response.text().equals("ok /good")) {
                lost.incrementAndGet();
            }
            assertEquals("ok /good", response.text());
        }
    }
}
