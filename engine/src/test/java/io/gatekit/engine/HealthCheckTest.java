package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.JdkTransport;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Transport;
import io.gatekit.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream's {@code checks} take nodes out of the choice and back, through {@link Engine#serve}
 * to real nodes on loopback under load: active probes (http and tcp) and passive reports from
 * proxied responses and refused connections; one checker per upstream; all nodes down falls back
 * to all nodes, as APISIX's balancer does.
 */
class HealthCheckTest {

    // probe timeouts are not what these tests are about: a generous timeout and APISIX's default
    // of 3 timeouts keep a healthy node that a loaded machine answers late from being marked down
    private static final String CHECKS = """
            "checks": {
              "active": {"http_path": "/health", "timeout": 5,
                "healthy": {"interval": 1, "successes": 1},
                "unhealthy": {"interval": 1, "http_failures": 2, "tcp_failures": 1, "timeouts": 3}},
              "passive": {"healthy": {"successes": 1},
                "unhealthy": {"http_statuses": [500], "http_failures": 3, "tcp_failures": 1}}
            }""";

    private final List<Node> nodes = new ArrayList<>();
    private final List<Engine> engines = new ArrayList<>();
    private final Transport transport = JdkTransport.create();
    private Load load;

    @AfterEach
    void stop() {
        if (load != null) {
            load.stop();
        }
        engines.forEach(Engine::close);
        nodes.forEach(Node::stop);
    }

    /** A real upstream node: answers 200 (or 500 while sick) on every path, counting proxied requests. */
    private static final class Node {
        final AtomicBoolean sick = new AtomicBoolean();
        final AtomicLong served = new AtomicLong();
        final AtomicLong probes = new AtomicLong();
        final int port;
        private HttpServer server;

        Node(int port) throws IOException {
            this.port = port;
            start();
        }

        void start() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/", exchange -> {
                if (exchange.getRequestURI().getPath().equals("/health")) {
                    probes.incrementAndGet();
                } else {
                    served.incrementAndGet();
                }
                exchange.sendResponseHeaders(sick.get() ? 500 : 200, 2);
                exchange.getResponseBody().write("ok".getBytes());
                exchange.close();
            });
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
        }

        void stop() {
            server.stop(0);
            ((ExecutorService) server.getExecutor()).shutdownNow();
        }

        String address() {
            return "127.0.0.1:" + port;
        }
    }

    private Node node() throws IOException {
        Node node = new Node(freePort());
        nodes.add(node);
        return node;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private Engine engine() {
        Engine engine = Engine.builder().build();
        engines.add(engine);
        return engine;
    }

    private static String upstream(String checks, Node... of) {
        StringBuilder list = new StringBuilder();
        for (Node node : of) {
            list.append(list.length() == 0 ? "" : ", ").append('"').append(node.address()).append("\": 1");
        }
        return "{\"type\": \"roundrobin\", \"nodes\": {" + list + "}" + (checks.isEmpty() ? "" : ", " + checks) + "}";
    }

    private int status(Engine engine, String path) throws Exception {
        Response response = engine.serve(HttpRequest.builder().uri(path).build(), Body.empty(), transport)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        response.body().writeTo(new ByteArrayOutputStream(), Runnable::run).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return response.status();
    }

    /** Clients sending requests one after another each, counting completions and answers other than 200. */
    private final class Load {
        final AtomicLong[] completed;
        final AtomicInteger failures = new AtomicInteger();
        final AtomicBoolean failuresCount = new AtomicBoolean();
        /** What the counted failures were, for the assertion's message. */
        final java.util.Queue<String> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final ExecutorService clients;
        private volatile boolean running = true;

        Load(Engine engine, String path, int clients) {
            this.completed = new AtomicLong[clients];
            this.clients = Executors.newFixedThreadPool(clients);
            for (int i = 0; i < clients; i++) {
                AtomicLong done = completed[i] = new AtomicLong();
                this.clients.execute(() -> {
                    while (running) {
                        try {
                            int status = status(engine, path);
                            if (status != 200) {
                                failed("status " + status);
                            }
                        } catch (Exception e) {
                            failed(e.toString());
                        }
                        done.incrementAndGet();
                    }
                });
            }
        }

        /** Counts a failed request once {@link #failuresCount} is set (the node's death itself may fail one before). */
        private void failed(String what) {
            if (failuresCount.get()) {
                failures.incrementAndGet();
                seen.add(what);
            }
        }

        /** Waits until every client started a request after this call, so none still holds an older choice. */
        void drain() throws InterruptedException {
            long[] marks = new long[completed.length];
            for (int i = 0; i < marks.length; i++) {
                marks[i] = completed[i].get();
            }
            for (int i = 0; i < marks.length; i++) {
                int client = i;
                Await.until("client requests to complete", () -> completed[client].get() > marks[client] + 1);
            }
        }

        long total() {
            long sum = 0;
            for (AtomicLong done : completed) {
                sum += done.get();
            }
            return sum;
        }

        void stop() {
            running = false;
            clients.shutdownNow();
        }
    }

    private static boolean healthy(Engine engine, String key, Node node) {
        Map<String, Boolean> status = engine.upstreamHealth().get(key);
        return status != null && Boolean.TRUE.equals(status.get(node.address()));
    }

    private static boolean unhealthy(Engine engine, String key, Node node) {
        Map<String, Boolean> status = engine.upstreamHealth().get(key);
        return status != null && Boolean.FALSE.equals(status.get(node.address()));
    }

    @Test
    void aSickNodeGetsNoRequestOnceMarkedDownAndComesBackWhenItRecovers() throws Exception {
        Node a = node();
        Node b = node();
        Engine engine = engine();
        engine.put(ResourceKind.ROUTES, "r1", "{\"uri\": \"/*\", \"upstream\": " + upstream(CHECKS, a, b) + "}");
        load = new Load(engine, "/work", 4);
        Await.until("node b to serve traffic", () -> b.served.get() > 20);

        b.sick.set(true);
        Await.until("node b to be marked unhealthy", () -> unhealthy(engine, "/routes/r1", b));
        load.drain();
        long servedWhenDown = b.served.get();
        long total = load.total();
        Await.until("more requests to go through", () -> load.total() > total + 200);
        assertEquals(servedWhenDown, b.served.get(), "requests reached a node marked down");
        assertTrue(healthy(engine, "/routes/r1", a));

        b.sick.set(false);
        Await.until("node b to be marked healthy again",
                () -> healthy(engine, "/routes/r1", b)); // healthy.successes = 1 active probe
        Await.until("node b to serve traffic again", () -> b.served.get() > servedWhenDown + 20);
    }

    @Test
    void aKilledNodeIsMarkedDownWithoutFailingClientsAndRevivedOnItsPort() throws Exception {
        Node a = node();
        Node b = node();
        Engine engine = engine();
        engine.put(ResourceKind.UPSTREAMS, "u1", upstream(CHECKS, a, b));
        engine.put(ResourceKind.ROUTES, "r1", "{\"uri\": \"/*\", \"upstream_id\": \"u1\"}");
        load = new Load(engine, "/work", 4);
        Await.until("node b to serve traffic", () -> b.served.get() > 20);

        b.stop(); // refused connections: retried on a (passive tcp failure), probes fail (active)
        Await.until("node b to be marked unhealthy", () -> unhealthy(engine, "/upstreams/u1", b));
        load.drain();
        load.failuresCount.set(true);
        long total = load.total();
        Await.until("more requests to go through", () -> load.total() > total + 200);
        assertEquals(0, load.failures.get(), "clients failed while a node was down: " + load.seen);

        long before = b.served.get();
        b.start();
        Await.until("node b to be marked healthy again", () -> healthy(engine, "/upstreams/u1", b));
        Await.until("node b to serve traffic again", () -> b.served.get() > before + 20);
        assertEquals(0, load.failures.get(), "clients failed while the node came back: " + load.seen);
    }

    @Test
    void whenEveryNodeIsUnhealthyAllOfThemAreUsed() throws Exception {
        Node a = node();
        Node b = node();
        a.sick.set(true);
        b.sick.set(true);
        Engine engine = engine();
        engine.put(ResourceKind.ROUTES, "r1", "{\"uri\": \"/*\", \"upstream\": " + upstream(CHECKS, a, b) + "}");
        Await.until("both nodes to be marked unhealthy",
                () -> unhealthy(engine, "/routes/r1", a) && unhealthy(engine, "/routes/r1", b));

        for (int i = 0; i < 20; i++) {
            assertEquals(500, status(engine, "/x"));
        }
        assertTrue(a.served.get() >= 5 && b.served.get() >= 5, "a " + a.served + ", b " + b.served);
    }

    @Test
    void aTcpCheckMarksAClosedPortDownAndUpAgainWithoutAnyTraffic() throws Exception {
        Node a = node();
        Node b = node();
        Engine engine = engine();
        String tcp = "\"checks\": {\"active\": {\"type\": \"tcp\", \"timeout\": 1, \"healthy\": {\"interval\": 1,"
                + " \"successes\": 2}, \"unhealthy\": {\"interval\": 1, \"tcp_failures\": 2}}}";
        engine.put(ResourceKind.ROUTES, "r1", "{\"uri\": \"/*\", \"upstream\": " + upstream(tcp, a, b) + "}");
        Await.until("node b to be marked healthy again", () -> healthy(engine, "/routes/r1", b));

        b.stop();
        Await.until("node b to be marked unhealthy", () -> unhealthy(engine, "/routes/r1", b));
        assertTrue(healthy(engine, "/routes/r1", a));
        for (int i = 0; i < 10; i++) {
            assertEquals(200, status(engine, "/x"));
        }
        assertEquals(0, b.served.get());

        b.start();
        Await.until("node b to be marked healthy again", () -> healthy(engine, "/routes/r1", b));
    }

    @Test
    void routesSharingAnUpstreamShareOneCheckerWhichStopsWhenTheLastRouteLeaves() throws Exception {
        Node a = node();
        Engine engine = engine();
        engine.put(ResourceKind.UPSTREAMS, "u1", upstream(CHECKS, a));
        engine.put(ResourceKind.ROUTES, "r1", "{\"uri\": \"/one\", \"upstream_id\": \"u1\"}");
        engine.put(ResourceKind.ROUTES, "r2", "{\"uri\": \"/two\", \"upstream_id\": \"u1\"}");
        engine.put(ResourceKind.SERVICES, "s1", "{\"upstream\": " + upstream(CHECKS, a) + "}");
        engine.put(ResourceKind.ROUTES, "r3", "{\"uri\": \"/three\", \"service_id\": \"s1\"}");
        engine.put(ResourceKind.ROUTES, "r4", "{\"uri\": \"/four\", \"service_id\": \"s1\"}");
        engine.put(ResourceKind.ROUTES, "r5", "{\"uri\": \"/five\", \"upstream\": " + upstream("", a) + "}");
        assertEquals(List.of("/upstreams/u1", "/services/s1"), List.copyOf(engine.upstreamHealth().keySet()));

        long probes = a.probes.get();
        Await.until("more active probes of node a", () -> a.probes.get() >= probes + 4);

        engine.delete(ResourceKind.ROUTES, "r1", false);
        assertEquals(List.of("/upstreams/u1", "/services/s1"), List.copyOf(engine.upstreamHealth().keySet()));
        engine.delete(ResourceKind.ROUTES, "r2", false);
        engine.delete(ResourceKind.ROUTES, "r3", false);
        engine.delete(ResourceKind.ROUTES, "r4", false);
        assertEquals(Map.of(), engine.upstreamHealth());
    }

    @Test
    void aNodeKeepsItsStateWhenTheUpstreamChangesAndLosesItWhenItLeaves() throws Exception {
        Node a = node();
        Node b = node();
        b.sick.set(true);
        Engine engine = engine();
        engine.put(ResourceKind.UPSTREAMS, "u1", upstream(CHECKS, a, b));
        engine.put(ResourceKind.ROUTES, "r1", "{\"uri\": \"/*\", \"upstream_id\": \"u1\"}");
        Await.until("node b to be marked unhealthy", () -> unhealthy(engine, "/upstreams/u1", b));

        Node c = node();
        engine.put(ResourceKind.UPSTREAMS, "u1", upstream(CHECKS, a, b, c));
        assertTrue(unhealthy(engine, "/upstreams/u1", b), "b lost its state over an unrelated change");
        for (int i = 0; i < 20; i++) {
            assertEquals(200, status(engine, "/x"));
        }
        assertEquals(0, b.served.get());

        engine.put(ResourceKind.UPSTREAMS, "u1", upstream(CHECKS, a, c));
        assertEquals(List.of(a.address(), c.address()),
                List.copyOf(engine.upstreamHealth().get("/upstreams/u1").keySet()));
    }
}
