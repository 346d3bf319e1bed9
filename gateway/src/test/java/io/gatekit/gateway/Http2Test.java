package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/2 on the data plane over real sockets: h2 through ALPN on the TLS listener and h2c with
 * prior knowledge on {@code node_listen}, driven by {@code curl} and {@code h2load}; every stream
 * runs the route's plugins (proxy-rewrite's request header reaches the upstream, response-rewrite's
 * header reaches the client). A client that breaks HTTP/2 (bad frames, too many streams, a SETTINGS
 * or PING flood it never reads the answers to, a rapid-reset burst) loses its own connection or
 * streams only: a bystander connection opened before it is served after.
 */
class Http2Test {

    @TempDir
    static Path dir;
    static TestCertificates certs;
    static TestUpstream upstream;
    static Gateway gateway;
    static GatewayConfig config;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates.requireTool("curl");
        certs = new TestCertificates(dir);
        upstream = new TestUpstream("one");
        GatewayConfig defaults = ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0);
        config = defaults.withTls(defaults.tls().withListen(true, List.of(new GatewayConfig.Listen("127.0.0.1", 0))));
        gateway = Gateway.start(config, Engine.builder().discoverPlugins());
        gateway.engine().put(ResourceKind.SSLS, "1", certs.leaf("ec", "h2.test").ssl("h2.test"));
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/*", "plugins": {
                   "proxy-rewrite": {"headers": {"set": {"X-Stream-Plugin": "rewritten"}}},
                   "response-rewrite": {"headers": {"set": {"X-Answered-By": "gatekit"}}}},
                 "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void forgetReceived() {
        upstream.received.clear();
    }

    private static String tlsUrl(String path) {
        return "--cacert ca.crt --resolve h2.test:" + gateway.tlsPort(0) + ":127.0.0.1 https://h2.test:"
                + gateway.tlsPort(0) + path;
    }

    private static String clearUrl(String path) {
        return "http://127.0.0.1:" + gateway.port() + path;
    }

    /** How often {@code needle} occurs in {@code text}. */
    private static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void manyStreamsOnOneTlsConnectionEachRunThePlugins() throws Exception {
        StringBuilder urls = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            urls.append(' ').append(tlsUrl("/s" + i));
        }

        // curl multiplexes the parallel transfers over one connection as streams (ALPN h2)
        TestCertificates.Result result = certs.exec("curl -sS --http2 --parallel --parallel-max 40 -D - -o /dev/null"
                + " -w 'version=%{http_version} conns=%{num_connects}\\n'" + urls);

        String out = result.output().toLowerCase();
        assertEquals(0, result.exitCode(), result.output());
        assertEquals(40, count(out, "http/2 200"), result.output());
        assertEquals(40, count(out, "x-answered-by: gatekit"), result.output());
        assertEquals(1, count(out, "conns=1"), "one connection carried every stream: " + result.output());
        assertRewrittenUpstream(40);
    }

    @Test
    void manyStreamsOnOnePriorKnowledgeConnectionEachRunThePlugins() throws Exception {
        TestCertificates.requireTool("nghttp");
        StringBuilder urls = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            urls.append(' ').append(clearUrl("/p" + i));
        }

        // nghttp sends the URLs as concurrent streams of one h2c connection and prints every header
        // (curl 7.88's --parallel fails its own transfers queued on an h2c connection not yet set up)
        TestCertificates.Result result = certs.exec("nghttp -v -n" + urls);
        TestCertificates.Result single = certs.exec("curl -sS --http2-prior-knowledge -D - -o /dev/null "
                + clearUrl("/single"));

        assertEquals(0, result.exitCode(), result.output());
        assertEquals(40, countMatches(result.output(), "recv \\(stream_id=\\d+\\) :status: 200"), result.output());
        assertEquals(40, countMatches(result.output(), "recv \\(stream_id=\\d+\\) x-answered-by: gatekit"),
                result.output());
        assertTrue(single.output().startsWith("HTTP/2 200"), single.output());
        assertTrue(single.output().toLowerCase().contains("x-answered-by: gatekit"), single.output());
        assertRewrittenUpstream(41);
    }

    private static void assertRewrittenUpstream(int requests) throws InterruptedException {
        for (int i = 0; i < requests; i++) {
            TestUpstream.Received received = upstream.take();
            assertEquals("rewritten", received.header("X-Stream-Plugin"), received.uri());
            // Netty's stream-to-HTTP/1.1 conversion headers are the gateway's own, never sent on
            assertEquals(null, received.header("x-http2-stream-id"));
        }
    }

    private static int countMatches(String text, String regex) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "prior-knowledge"})
    void h2loadWithManyConcurrentStreamsGetsEveryAnswerThroughThePlugins(String how) throws Exception {
        TestCertificates.requireTool("h2load");
        // over TLS the URL's name is the SNI; --connect-to sends the connection to loopback
        String target = how.equals("tls") ? "--connect-to=127.0.0.1:" + gateway.tlsPort(0) + " https://h2.test:"
                + gateway.tlsPort(0) + "/load" : clearUrl("/load");

        TestCertificates.Result result = certs.exec("h2load -n 2000 -c 2 -m 32 " + target);

        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("2000 succeeded, 0 failed, 0 errored"), result.output());
        assertTrue(result.output().contains("status codes: 2000 2xx"), result.output());
        assertTrue(result.output().contains("Application protocol: h2"), result.output());
        int rewritten = 0;
        for (TestUpstream.Received r; (r = upstream.received.poll()) != null; ) {
            rewritten += "rewritten".equals(r.header("X-Stream-Plugin")) ? 1 : 0;
        }
        assertEquals(2000, rewritten);
    }

    @Test
    void aClientThatAsksForHttp11OverTlsStillGetsIt() throws Exception {
        TestCertificates.Result result = certs.exec("curl -sS --http1.1 -D - -o /dev/null " + tlsUrl("/one"));

        assertTrue(result.output().startsWith("HTTP/1.1 200"), result.output());
        assertTrue(result.output().toLowerCase().contains("x-answered-by: gatekit"), result.output());
    }

    @Test
    void theServerSettingsBoundOneClientsStreamsWindowsAndHeaders() throws Exception {
        try (RawHttp2 client = new RawHttp2(gateway.port())) {
            RawHttp2.Frame settings = client.read();

            assertNotNull(settings);
            assertEquals(RawHttp2.SETTINGS, settings.type());
            Map<Integer, Long> values = new HashMap<>();
            ByteBuffer b = ByteBuffer.wrap(settings.payload());
            while (b.remaining() >= 6) {
                values.put((int) b.getShort(), b.getInt() & 0xffffffffL);
            }
            assertEquals(128L, values.get(0x3), "SETTINGS_MAX_CONCURRENT_STREAMS as nginx's default: " + values);
            assertEquals(65_535L, values.get(0x4), "SETTINGS_INITIAL_WINDOW_SIZE: " + values);
            assertEquals((long) config.maxHeaderSize(), values.get(0x6),
                    "SETTINGS_MAX_HEADER_LIST_SIZE: " + values);
        }
    }

    @Test
    void streamsBeyondTheLimitAreRefusedWhileTheConnectionsOtherStreamsAndOtherClientsAreServed() throws Exception {
        try (RawHttp2 bystander = new RawHttp2(gateway.port()); RawHttp2 greedy = new RawHttp2(gateway.port())) {
            // 128 streams held open by a slow upstream, then one more, the SETTINGS never acknowledged
            for (int i = 0; i < 128; i++) {
                greedy.get(1 + 2 * i, "/slow?ms=3000");
            }
            int extra = 1 + 2 * 128;
            greedy.get(extra, "/slow?ms=3000");

            RawHttp2.Frame refused = greedy.until(RawHttp2.RST_STREAM, extra);
            assertNotNull(refused, "the stream over the limit was reset");
            assertEquals(0x7, refused.errorCode(), "REFUSED_STREAM");
            bystander.get(1, "/bystander");
            assertEquals("200", bystander.response(1).status().toString());
            assertEquals("200", greedy.response(1).status().toString(), "the greedy client's own streams are served");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"settings-length", "data-on-stream-0", "even-stream-id", "zero-window-update",
            "bad-hpack", "headers-without-preface-ack-on-stream-0"})
    void aMalformedFrameClosesThatConnectionOnlyWithGoAway(String bad) throws Exception {
        try (RawHttp2 bystander = new RawHttp2(gateway.port()); RawHttp2 broken = new RawHttp2(gateway.port())) {
            byte[] frame = switch (bad) {
                case "settings-length" -> RawHttp2.bytes(RawHttp2.SETTINGS, 0, 0, new byte[5]);
                case "data-on-stream-0" -> RawHttp2.bytes(RawHttp2.DATA, 0, 0, new byte[3]);
                case "even-stream-id" -> RawHttp2.bytes(RawHttp2.HEADERS, RawHttp2.END_HEADERS | RawHttp2.END_STREAM,
                        2, broken.block(2, "/"));
                case "zero-window-update" -> RawHttp2.bytes(RawHttp2.WINDOW_UPDATE, 0, 0, new byte[4]);
                case "bad-hpack" -> RawHttp2.bytes(RawHttp2.HEADERS, RawHttp2.END_HEADERS | RawHttp2.END_STREAM, 1,
                        new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f});
                default -> RawHttp2.bytes(RawHttp2.HEADERS, RawHttp2.END_HEADERS, 0, broken.block(1, "/"));
            };
            broken.write(frame);

            RawHttp2.Frame goAway = broken.untilClosed();
            assertNotNull(goAway, "a GOAWAY before the close");
            assertTrue(goAway.errorCode() != 0, "an error code in the GOAWAY: " + goAway.errorCode());
            bystander.get(1, "/bystander");
            assertEquals("200", bystander.response(1).status().toString());
        }
    }

    @Test
    void aRapidResetBurstClosesThatConnectionOnly() throws Exception {
        try (RawHttp2 bystander = new RawHttp2(gateway.port()); RawHttp2 attacker = new RawHttp2(gateway.port())) {
            byte[] cancel = new byte[] {0, 0, 0, 0x8}; // CANCEL
            for (int i = 0; i < 1000; i++) {
                int stream = 1 + 2 * i;
                attacker.get(stream, "/reset");
                try {
                    attacker.frame(RawHttp2.RST_STREAM, 0, stream, cancel);
                } catch (IOException e) {
                    break; // already closed by the gateway
                }
            }

            RawHttp2.Frame goAway = attacker.untilClosed();
            assertNotNull(goAway);
            assertEquals(0xb, goAway.errorCode(), "ENHANCE_YOUR_CALM");
            bystander.get(1, "/bystander");
            assertEquals("200", bystander.response(1).status().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"settings", "ping"})
    void aFloodOfControlFramesNeverReadClosesThatConnectionOnly(String kind) throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (RawHttp2 bystander = new RawHttp2(gateway.port());
                RawHttp2 flooder = new RawHttp2(gateway.port(), 4096)) {
            byte[] one = kind.equals("settings") ? RawHttp2.bytes(RawHttp2.SETTINGS, 0, 0, new byte[0])
                    : RawHttp2.bytes(RawHttp2.PING, 0, 0, new byte[8]);
            byte[] batch = new byte[one.length * 1000];
            for (int i = 0; i < 1000; i++) {
                System.arraycopy(one, 0, batch, i * one.length, one.length);
            }
            // every frame asks for an answer (an ACK) that the flooder never reads
            Future<Integer> written = writer.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    try {
                        flooder.write(batch);
                    } catch (IOException e) {
                        return i;
                    }
                }
                return -1;
            });

            int batches = written.get(60, TimeUnit.SECONDS);
            assertTrue(batches >= 0, "the gateway closed the flooding connection before 20 million frames");
            bystander.get(1, "/bystander");
            assertEquals("200", bystander.response(1).status().toString());
        } finally {
            writer.shutdownNow();
        }
    }
}
