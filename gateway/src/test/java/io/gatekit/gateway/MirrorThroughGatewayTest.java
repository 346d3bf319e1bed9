package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** proxy-mirror in the real gateway: whatever the mirror does, the client never waits for it. */
class MirrorThroughGatewayTest {

    private TestUpstream upstream;
    private Gateway gateway;
    private HttpServer mirror;
    private final CountDownLatch releaseMirror = new CountDownLatch(1);
    private final AtomicInteger mirrored = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        upstream = new TestUpstream("one");
        mirror = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        mirror.setExecutor(Executors.newCachedThreadPool());
        mirror.createContext("/", exchange -> {
            mirrored.incrementAndGet();
            try {
                // holds every copy for up to 10 s: a gateway that waited would stall the client
                releaseMirror.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        mirror.start();
        gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0));
    }

    @AfterEach
    void stop() {
        releaseMirror.countDown();
        gateway.close();
        upstream.close();
        mirror.stop(0);
    }

    @Test
    void aMirrorThatHoldsEveryCopyDelaysNoRequestOnTheSameKeepAliveConnection() throws Exception {
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/hello", "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:%d"}},
                 "upstream": {"nodes": {"%s": 1}}}""".formatted(mirror.getAddress().getPort(), upstream.address()));

        try (RawHttp http = new RawHttp(gateway.port())) {
            for (int i = 0; i < 5; i++) {
                RawHttp.Response response = http.get("/hello", "example.com").read();
                assertEquals(200, response.status());
                assertEquals("hello from one", response.text());
            }
        }

        assertEquals(1, releaseMirror.getCount(), "the mirror was released before the client finished");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (mirrored.get() < 5 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(5, mirrored.get(), "copies that reached the mirror");
    }

    @Test
    void aDeadMirrorCausesNoClientError() throws Exception {
        int dead;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            dead = socket.getLocalPort();
        }
        gateway.engine().put(ResourceKind.ROUTES, "1", """
                {"uri": "/hello", "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:%d"}},
                 "upstream": {"nodes": {"%s": 1}}}""".formatted(dead, upstream.address()));

        try (RawHttp http = new RawHttp(gateway.port())) {
            for (int i = 0; i < 20; i++) {
                assertEquals(200, http.get("/hello", "example.com").read().status());
            }
        }
        assertTrue(upstream.hits.get() >= 20);
    }
}
