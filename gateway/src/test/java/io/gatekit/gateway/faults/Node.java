package io.gatekit.gateway.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real upstream node on loopback that can be killed. Every answer carries {@code x-node: <name>}
 * {@code x-seen-stamp: <the x-stamp request header>} and {@code x-seen-uri: <the path it got>}, and {@code x-seen-seq} echoes
 * the request's {@code x-seq}; paths:
 * <ul>
 *   <li>{@code /slow?ms=N}: answers after N ms (released early when the node closes)</li>
 *   <li>anything else: 200 at once with the body {@code <name>:<the request body>}</li>
 * </ul>
 * Every request is recorded ({@link #received}).
 */
public final class Node implements AutoCloseable {

    /** What the node received, headers with lower-case names. */
    public record Received(String method, String uri, Map<String, List<String>> headers, String body) {
        /** A header's values joined with commas, or {@code null}. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null ? null : String.join(",", values);
        }
    }

    static {
        // the JDK server writes headers and body apart: without this, Nagle and delayed ACKs add 40 ms
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public final String name;
    public final AtomicInteger hits = new AtomicInteger();
    /** Requests being handled right now. */
    public final AtomicInteger inFlight = new AtomicInteger();
    public final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final int port;

    public Node(String name) throws IOException {
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as an upstream node key. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    private void handle(HttpExchange exchange) throws IOException {
        hits.incrementAndGet();
        inFlight.incrementAndGet();
        try {
            answer(exchange);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, List<String>> headers = new java.util.HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
        received.add(new Received(exchange.getRequestMethod(), uri.toString(), Map.copyOf(headers), body));
        exchange.getResponseHeaders().add("x-node", name);
        String stamp = exchange.getRequestHeaders().getFirst("x-stamp");
        exchange.getResponseHeaders().add("x-seen-stamp", stamp == null ? "-" : stamp);
        exchange.getResponseHeaders().add("x-seen-uri", uri.getRawPath());
        String seq = exchange.getRequestHeaders().getFirst("x-seq");
        if (seq != null) {
            exchange.getResponseHeaders().add("x-seen-seq", seq);
        }
        try (exchange) {
            if (uri.getPath().equals("/slow")) {
                long ms = Long.parseLong(uri.getRawQuery().replaceAll(".*ms=(\\d+).*", "$1"));
                try {
                    closing.await(ms, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] answer = (name + ":" + body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    /** Kills the node: the listening socket and every connection are closed at once. */
    public void kill() {
        close();
    }

    @Override
    public void close() {
        // the connections close before slow requests are released, so none of them is answered
        server.stop(0);
        closing.countDown();
        executor.shutdownNow();
    }
}
