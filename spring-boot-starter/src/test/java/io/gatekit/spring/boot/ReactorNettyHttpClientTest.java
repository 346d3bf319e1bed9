package io.gatekit.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.server.HttpServer;

/** {@link ReactorNettyHttpClient} against real servers on loopback: plain, slow and TLS. */
class ReactorNettyHttpClientTest {

    /** What the plain server saw: method, URI, then each header line, then the body. */
    private static final LinkedBlockingQueue<String> SEEN = new LinkedBlockingQueue<>();
    @TempDir
    static Path dir;
    private static DisposableServer plain;
    private static DisposableServer tls;
    private final ReactorNettyHttpClient client = ReactorNettyHttpClient.create();

    @BeforeAll
    static void start() throws Exception {
        plain = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> {
            if (request.uri().startsWith("/slow")) {
                return Mono.never();
            }
            return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("").flatMap(body -> {
                SEEN.add(request.method() + " " + request.uri() + "\nhost=" + request.requestHeaders().get("Host")
                        + "\nx-copy=" + request.requestHeaders().getAll("X-Copy")
                        + "\ncontent-length=" + request.requestHeaders().get("Content-Length") + "\n" + body);
                return response.status(201).header("X-Answer", "yes").sendString(Mono.just("answered")).then();
            });
        }).bindNow();
        Path cert = dir.resolve("self.crt");
        Path key = dir.resolve("self.key");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=not-this-host")
                .redirectErrorStream(true).start();
        openssl.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertEquals(0, openssl.waitFor(), "openssl made a self-signed certificate");
        tls = HttpServer.create().host("127.0.0.1").port(0)
                .secure(spec -> spec.sslContext(Http11SslContextSpec.forServer(cert.toFile(), key.toFile())))
                .handle((request, response) -> response.sendString(Mono.just("over tls")))
                .bindNow();
    }

    @AfterAll
    static void stop() {
        plain.disposeNow();
        tls.disposeNow();
    }

    @Test
    void sendsMethodUriHeadersAndBodyAndReadsTheWholeResponse() throws Exception {
        OutboundResponse response = client.send(OutboundRequest.builder("http://127.0.0.1:" + plain.port()
                        + "/orders/7?x=1&y=%2F").method("POST").header("Host", "shop.example.com")
                        .header("X-Copy", "a").header("X-Copy", "b").header("Content-Length", "999")
                        .body("{\"id\":7}".getBytes(StandardCharsets.UTF_8)).build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(201, response.status());
        assertEquals("yes", response.headers().get("X-Answer"));
        assertEquals("answered", new String(response.body(), StandardCharsets.UTF_8));
        assertEquals("POST /orders/7?x=1&y=%2F\nhost=shop.example.com\nx-copy=[a, b]\ncontent-length=8\n{\"id\":7}",
                SEEN.poll(10, TimeUnit.SECONDS), "the caller's Host and headers, the body's own length");
    }

    @Test
    void aGetWithoutBodySendsNoneAndTheHostOfTheUri() throws Exception {
        OutboundResponse response = client.send(OutboundRequest.builder("http://127.0.0.1:" + plain.port() + "/plain")
                .build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(201, response.status());
        String seen = SEEN.poll(10, TimeUnit.SECONDS);
        assertTrue(seen.startsWith("GET /plain\nhost=127.0.0.1:" + plain.port() + "\n"), seen);
        assertTrue(seen.endsWith("\n"), "no body: " + seen);
    }

    @Test
    void aDiscardedBodyLeavesTheStatusAndHeadersAndAnEmptyBody() throws Exception {
        OutboundResponse response = client.send(OutboundRequest.builder("http://127.0.0.1:" + plain.port() + "/drop")
                .discardResponseBody(true).build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(201, response.status());
        assertEquals("yes", response.headers().get("X-Answer"));
        assertEquals(0, response.body().length);
        assertTrue(SEEN.poll(10, TimeUnit.SECONDS).startsWith("GET /drop\n"));
    }

    @Test
    void aServerThatNeverAnswersEndsInTheReadTimeout() {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> client.send(
                OutboundRequest.builder("http://127.0.0.1:" + plain.port() + "/slow").readTimeout(Duration.ofMillis(300))
                        .build()).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, failed.getCause());
        assertTrue(failed.getCause().getMessage().contains("within 300 ms"), failed.getCause().getMessage());
    }

    @Test
    void aRefusedConnectionFailsWithConnectException() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        ExecutionException failed = assertThrows(ExecutionException.class, () -> client.send(
                OutboundRequest.builder("http://127.0.0.1:" + closed + "/").build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, failed.getCause());
    }

    @Test
    void tlsIsVerifiedUnlessTheRequestTurnsItOff() throws Exception {
        String url = "https://127.0.0.1:" + tls.port() + "/";
        ExecutionException refused = assertThrows(ExecutionException.class, () -> client.send(
                OutboundRequest.builder(url).build()).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(SSLException.class, refused.getCause(), "a self-signed certificate for another name");
        OutboundResponse trusted = client.send(OutboundRequest.builder(url).verifyTls(false).build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals("over tls", new String(trusted.body(), StandardCharsets.UTF_8));
    }
}
