package io.gatekit.gateway.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.gateway.RawHttp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed, ambiguous and oversized requests against a gateway with a real upstream. Each gets
 * its status and a closed connection; the upstream never parses a second, smuggled request; the
 * gateway serves the next client normally.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedHttpTest {

    /** What a smuggler hides where a body should be: a request the upstream must never see. */
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final String HEAD = "POST /a HTTP/1.1\r\nHost: x\r\n";

    record Case(String name, String raw, int status) {
        @Override
        public String toString() {
            return name;
        }
    }

    @TempDir
    static Path dir;
    private GatewayUnderTest gatekit;
    private final AtomicInteger tried = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();

    @BeforeAll
    void start() {
        gatekit = new GatewayUnderTest(dir, """
                nginx_config:
                  http:
                    client_max_body_size: 1k
                gatekit:
                  max_header_size: 4k
                """);
    }

    @AfterAll
    void stop() {
        System.out.printf("bad-input HTTP: %d malformed requests tried, %d follow-up requests lost%n",
                tried.get(), lost.get());
        gatekit.close();
    }

    static Stream<Case> malformed() {
        List<Case> cases = new ArrayList<>();
        // Content-Length ambiguities
        cases.add(new Case("two different Content-Lengths",
                HEAD + "Content-Length: 0\r\nContent-Length: 36\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("a Content-Length list", HEAD + "Content-Length: 0, 36\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("the same Content-Length twice",
                HEAD + "Content-Length: 36\r\nContent-Length: 36\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("a non-numeric Content-Length", HEAD + "Content-Length: abc\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("a negative Content-Length", HEAD + "Content-Length: -1\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("a signed Content-Length", HEAD + "Content-Length: +36\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("an overflowing Content-Length",
                HEAD + "Content-Length: 99999999999999999999999\r\n\r\n" + SMUGGLED, 400));
        // Content-Length with Transfer-Encoding (CL.TE / TE.CL)
        cases.add(new Case("Content-Length then Transfer-Encoding",
                HEAD + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("Transfer-Encoding then Content-Length",
                HEAD + "Transfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n0\r\n\r\n" + SMUGGLED, 400));
        // Transfer-Encoding other than exactly chunked
        cases.add(new Case("Transfer-Encoding xchunked",
                HEAD + "Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("Transfer-Encoding gzip, chunked",
                HEAD + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + SMUGGLED, 501));
        cases.add(new Case("Transfer-Encoding chunked, identity",
                HEAD + "Transfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("Transfer-Encoding identity",
                HEAD + "Transfer-Encoding: identity\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("Transfer-Encoding chunked twice",
                HEAD + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("whitespace before the Transfer-Encoding colon",
                HEAD + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("a vertical tab before chunked",
                HEAD + "Transfer-Encoding: \u000bchunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("Transfer-Encoding in an HTTP/1.0 request",
                "POST /a HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400));
        // bad chunk framing
        String chunked = HEAD + "Transfer-Encoding: chunked\r\n\r\n";
        cases.add(new Case("a non-hex chunk size", chunked + "zz\r\nhello\r\n0\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("a negative chunk size", chunked + "-5\r\nhello\r\n0\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("an overflowing chunk size",
                chunked + "FFFFFFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("chunk data without its CRLF", chunked + "5\r\nhelloXX0\r\n\r\n" + SMUGGLED, 400));
        cases.add(new Case("chunk data longer than its size",
                chunked + "3\r\nhello\r\n0\r\n\r\n" + SMUGGLED, 400));
        // request line
        cases.add(new Case("a request line with a fourth part", "GET /a HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400));
        cases.add(new Case("a request line without a version", "GET /a\r\nHost: x\r\n\r\n", 400));
        cases.add(new Case("a control character in the method", "GE\u0001T /a HTTP/1.1\r\nHost: x\r\n\r\n", 400));
        cases.add(new Case("an unknown protocol", "GET /a FOO/1.1\r\nHost: x\r\n\r\n", 400));
        cases.add(new Case("a request line over the limit",
                "GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414));
        // header section
        cases.add(new Case("a header name with a space", "GET /a HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", 400));
        cases.add(new Case("a header line without a colon", "GET /a HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400));
        cases.add(new Case("a NUL in a header value", "GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n", 400));
        cases.add(new Case("a NUL in a header name", "GET /a HTTP/1.1\r\nHost: x\r\nX-\u0000A: v\r\n\r\n", 400));
        cases.add(new Case("a bare CR in a header value",
                "GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\rGET /smuggled HTTP/1.1\r\n\r\n", 400));
        cases.add(new Case("bare LF line ends", "GET /a HTTP/1.1\nHost: x\nX-A: v\n\n", 400));
        cases.add(new Case("two Host headers", "GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400));
        cases.add(new Case("no Host header in HTTP/1.1", "GET /a HTTP/1.1\r\nX-A: v\r\n\r\n", 400));
        cases.add(new Case("a header section over the limit",
                "GET /a HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(5000) + "\r\n\r\n", 431));
        cases.add(new Case("many small headers over the limit",
                "GET /a HTTP/1.1\r\nHost: x\r\n" + "X-Many: v\r\n".repeat(600) + "\r\n", 431));
        // bodies over client_max_body_size
        cases.add(new Case("a declared body far over client_max_body_size",
                HEAD + "Content-Length: 100000\r\n\r\n" + "b".repeat(100000), 413));
        cases.add(new Case("a chunked body over client_max_body_size",
                chunked + ("400\r\n" + "b".repeat(1024) + "\r\n").repeat(2) + "0\r\n\r\n", 413));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedRequestGetsItsStatusAndACloseAndNothingSmuggledReachesTheUpstream(Case input) throws Exception {
        tried.incrementAndGet();
        gatekit.upstream.reset();
        try (RawHttp client = new RawHttp(gatekit.port())) {
            client.send(input.raw());

            RawHttp.Response response = client.read();
            assertEquals(input.status(), response.status(), () -> input.name() + ": " + response.text().substring(0, Math.min(200, response.text().length())));
            assertTrue(response.text().contains("error_msg"), response.text());
            assertTrue(client.closedByServer(), input.name() + ": the connection must be closed after the error");
        }
        assertFalse(gatekit.upstream.wire().contains("/smuggled"), gatekit.upstream.wire());
        assertFalse(gatekit.upstream.requestLines().contains("GET /smuggled"));
        theNextClientIsServed();
    }

    @org.junit.jupiter.api.Test
    void anObsoleteFoldedHeaderReachesTheUpstreamUnfoldedWithTheFoldAsASpace() throws Exception {
        tried.incrementAndGet();
        gatekit.upstream.reset();
        try (RawHttp client = new RawHttp(gatekit.port())) {
            RawHttp.Response response = client.send("GET /fold HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n").read();

            assertEquals(200, response.status());
        }
        // RFC 9112 5.2: reject, or replace the fold with SP before forwarding; never forward the fold
        assertEquals("a b", gatekit.upstream.received.get(0).headers().get("x-a"));
        assertFalse(gatekit.upstream.wire().contains("a\r\n b"));
        theNextClientIsServed();
    }

    @org.junit.jupiter.api.Test
    void aSmallDeclaredBodyOverClientMaxBodySizeGets413AndTheConnectionServesTheNextRequest() throws Exception {
        tried.incrementAndGet();
        try (RawHttp client = new RawHttp(gatekit.port())) {
            client.send(HEAD + "Content-Length: 2048\r\n\r\n" + "b".repeat(2048));
            assertEquals(413, client.read().status());

            assertEquals("ok /again", client.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
        }
    }

    private void theNextClientIsServed() throws Exception {
        try (RawHttp next = new RawHttp(gatekit.port())) {
            RawHttp.Response response = next.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n").read();
            if (response.status() != 200 || !response.text().equals("ok /after")) {
                lost.incrementAndGet();
            }
            assertEquals("ok /after", response.text());
        }
    }
}
