package io.gatekit.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback standing in for an upstream. Every response carries
 * {@code x-node: <name>}; paths:
 * <ul>
 *   <li>{@code /slow?ms=N}: answers after N ms (released early by {@link #close()})</li>
 *   <li>{@code /bytes?n=N}: answers N bytes, chunked</li>
 *   <li>{@code /drip?chunks=N&ms=M}: answers N chunks of {@code drip}, one every M ms</li>
 *   <li>{@code /count}: reads the request body and answers its length</li>
 *   <li>anything else: echoes the request line and headers as {@code x-echo-*} and the body</li>
 * </ul>
 */
final class TestUpstream implements AutoCloseable {

    /** What the upstream received. */
    record Received(String method, String uri, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return String.join(",", e.getValue());
                }
            }
            return null;
        }
    }

    static {
        // the JDK server writes headers and body separately; without this, Nagle's algorithm and
        // delayed ACKs add 40 ms to every keep-alive response
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    final String name;
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    final AtomicInteger hits = new AtomicInteger();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final CountDownLatch closing = new CountDownLatch(1);

    TestUpstream(String name) throws IOException {
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    private void handle(HttpExchange exchange) throws IOException {
        hits.incrementAndGet();
        URI uri = exchange.getRequestURI();
        exchange.getResponseHeaders().add("x-node", name);
        try (exchange) {
            if (uri.getPath().equals("/slow")) {
                long ms = Long.parseLong(query(uri, "ms"));
                exchange.getRequestBody().readAllBytes();
                try {
                    closing.await(ms, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                reply(exchange, 200, "slow done".getBytes(StandardCharsets.UTF_8));
            } else if (uri.getPath().equals("/bytes")) {
                long n = Long.parseLong(query(uri, "n"));
                exchange.sendResponseHeaders(200, 0);
                byte[] block = new byte[64 * 1024];
                try (OutputStream out = exchange.getResponseBody()) {
                    for (long sent = 0; sent < n; sent += block.length) {
                        out.write(block, 0, (int) Math.min(block.length, n - sent));
                    }
                }
            } else if (uri.getPath().equals("/drip")) {
                int chunks = Integer.parseInt(query(uri, "chunks"));
                long ms = Long.parseLong(query(uri, "ms"));
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    for (int i = 0; i < chunks; i++) {
                        Thread.sleep(ms); // the pacing is what the test is about, not a wait for a condition
                        out.write("drip".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (uri.getPath().equals("/count")) {
                long total = 0;
                byte[] buffer = new byte[64 * 1024];
                try (InputStream in = exchange.getRequestBody()) {
                    for (int r; (r = in.read(buffer)) > 0; ) {
                        total += r;
                    }
                }
                reply(exchange, 200, Long.toString(total).getBytes(StandardCharsets.UTF_8));
            } else {
                byte[] body = exchange.getRequestBody().readAllBytes();
                received.add(new Received(exchange.getRequestMethod(), uri.toString(),
                        Map.copyOf(exchange.getRequestHeaders()), body));
                exchange.getResponseHeaders().add("x-echo-method", exchange.getRequestMethod());
                exchange.getResponseHeaders().add("x-echo-uri", uri.toString());
                exchange.getResponseHeaders().add("content-type", "text/plain");
                exchange.getResponseHeaders().add("keep-alive", "timeout=5");
                reply(exchange, 200, body.length > 0 ? body : ("hello from " + name).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String query(URI uri, String name) {
        for (String pair : uri.getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        throw new IllegalArgumentException("missing " + name + " in " + uri);
    }

    Received take() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("upstream " + name + " received nothing within 10 s");
        }
        return r;
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
