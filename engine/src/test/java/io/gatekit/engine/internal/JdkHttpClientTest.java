package io.gatekit.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's default client against a real HTTPS server on loopback whose self-signed certificate
 * names another host: refused unless the request turns verification off (as an active health
 * check's {@code https_verify_certificate: false} does).
 */
class JdkHttpClientTest {

    private static final char[] PASSWORD = "changeit".toCharArray();
    @TempDir
    static Path dir;
    private static HttpsServer server;
    private final JdkHttpClient client = new JdkHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=not-this-host", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(PASSWORD)).redirectErrorStream(true).start();
        keytool.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertEquals(0, keytool.waitFor(), "keytool made a self-signed certificate");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            byte[] body = "over tls".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void verifiesTheServersCertificateByDefault() {
        ExecutionException refused = assertThrows(ExecutionException.class, () -> client.send(
                OutboundRequest.builder(url()).build()).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(SSLHandshakeException.class, refused.getCause());
    }

    @Test
    void trustsAnyCertificateWhenTheRequestTurnsVerificationOff() throws Exception {
        OutboundResponse response = client.send(OutboundRequest.builder(url()).verifyTls(false).build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(200, response.status());
        assertEquals("over tls", new String(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aDiscardedBodyLeavesTheStatusAndHeadersAndAnEmptyBody() throws Exception {
        OutboundResponse response = client.send(OutboundRequest.builder(url()).verifyTls(false)
                .discardResponseBody(true).build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(200, response.status());
        assertEquals("8", response.headers().get("content-length"));
        assertEquals(0, response.body().length);
    }

    private static String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/health";
    }
}
