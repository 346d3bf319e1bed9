package io.gatekit.plugins.mirror;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A mirror on loopback that records what it receives. A slow one holds every request until
 * {@link #release()} (or 10 s), as a stalled mirror would.
 */
final class MirrorServer implements AutoCloseable {

    /** One request as the mirror received it. */
    record Received(String method, String uri, String protocol, Headers headers, byte[] body) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private final boolean slow;

    private MirrorServer(boolean slow) throws IOException {
        this.slow = slow;
        // a large backlog: a burst of copies must not overflow the accept queue and stall connects
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A mirror that answers 200 at once. */
    static MirrorServer start() throws IOException {
        return new MirrorServer(false);
    }

    /** A mirror that holds each request for 10 s, or until {@link #release()}. */
    static MirrorServer startSlow() throws IOException {
        return new MirrorServer(true);
    }

    /** {@code http://127.0.0.1:port}, as a {@code host} field. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next request received, waiting up to 10 s for it. */
    Received take() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertNotNull(r, "the mirror received nothing within 10 s");
        return r;
    }

    /** How many requests arrived so far. */
    int count() {
        return count.get();
    }

    /** How many requests were answered so far. */
    int answered() {
        return answered.get();
    }

    /** Lets a slow mirror answer everything it holds, and all later requests at once. */
    void release() {
        release.countDown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            Headers headers = new Headers();
            headers.putAll(exchange.getRequestHeaders());
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getProtocol(), headers, body));
            count.incrementAndGet();
            if (slow) {
                release.await(10, TimeUnit.SECONDS);
            }
            exchange.sendResponseHeaders(200, -1);
            answered.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (UncheckedIOException e) {
            // the copy was abandoned by its client; nothing to answer
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
