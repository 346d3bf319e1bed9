package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.faults.Faults;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * An upstream's {@code checks} through the whole gateway: its Netty client probes the nodes, the
 * data plane proxies real clients' keep-alive requests, and a node killed and revived under that
 * load leaves the node choice (no request reaches it, no client fails) and comes back.
 */
class HealthCheckThroughGatewayTest {

    /** A node on a port of its own that can be stopped and started again on that port. */
    private static final class Node implements AutoCloseable {
        final int port;
        final AtomicLong served = new AtomicLong();
        final AtomicBoolean sick = new AtomicBoolean();
        private HttpServer server;

        Node() throws IOException {
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            start();
        }

        void start() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            server.createContext("/", exchange -> {
                if (!exchange.getRequestURI().getPath().equals("/status")) {
                    served.incrementAndGet();
                }
                byte[] body = "ok".getBytes();
                exchange.sendResponseHeaders(sick.get() ? 503 : 200, body.length);
                exchange.getResponseBody().write(body);
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

        @Override
        public void close() {
            stop();
        }
    }

    private static boolean health(Gateway gateway, Node node, boolean healthy) {
        Map<String, Boolean> nodes = gateway.engine().upstreamHealth().get("/upstreams/1");
        return nodes != null && Boolean.valueOf(healthy).equals(nodes.get(node.address()));
    }

    @Test
    void aNodeKilledUnderLoadGetsNoRequestAndFailsNoClientAndServesAgainOnceRevived() throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try (Node a = new Node(); Node b = new Node();
                Gateway gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0),
                        Engine.builder())) {
            gateway.engine().put(ResourceKind.UPSTREAMS, "1", """
                    {"nodes": {"%s": 1, "%s": 1},
                     "checks": {
                       "active": {"http_path": "/status", "timeout": 1,
                         "healthy": {"interval": 1, "successes": 1},
                         "unhealthy": {"interval": 1, "http_failures": 1, "tcp_failures": 1}},
                       "passive": {"unhealthy": {"http_statuses": [503], "tcp_failures": 1, "http_failures": 1}}}}
                    """.formatted(a.address(), b.address()));
            gateway.engine().put(ResourceKind.ROUTES, "1", """
                    {"uri": "/hello", "upstream_id": "1"}""");
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicBoolean counting = new AtomicBoolean();
            AtomicLong ok = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                Thread client = new Thread(() -> {
                    while (running.get()) {
                        try (RawHttp http = new RawHttp(gateway.port())) {
                            while (running.get()) {
                                RawHttp.Response response = http.get("/hello", "a").read(false);
                                if (response.status() == 200) {
                                    ok.incrementAndGet();
                                } else if (counting.get()) {
                                    failures.add(response.status() + " " + response.text());
                                }
                            }
                        } catch (IOException e) {
                            if (counting.get()) {
                                failures.add(e.toString());
                            }
                        }
                    }
                });
                client.start();
                clients.add(client);
            }
            try {
                Faults.await("both nodes serve", Duration.ofSeconds(20),
                        () -> a.served.get() > 20 && b.served.get() > 20);

                b.stop();
                Faults.await("b marked down", Duration.ofSeconds(20), () -> health(gateway, b, false));
                counting.set(true);
                long okWhenDown = ok.get();
                Faults.await("300 requests with b down", Duration.ofSeconds(20), () -> ok.get() > okWhenDown + 300);
                assertEquals(List.of(), List.copyOf(failures));

                long servedBefore = b.served.get();
                b.start();
                Faults.await("b healthy again", Duration.ofSeconds(20), () -> health(gateway, b, true));
                Faults.await("b serves again", Duration.ofSeconds(20), () -> b.served.get() > servedBefore + 20);
                assertEquals(List.of(), List.copyOf(failures));
            } finally {
                running.set(false);
                for (Thread client : clients) {
                    client.join();
                }
            }
        }
    }

    @Test
    void aSickNodeMarkedDownByItsAnswersGetsNoFurtherRequest() throws Exception {
        try (Node a = new Node(); Node b = new Node();
                Gateway gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0),
                        Engine.builder())) {
            gateway.engine().put(ResourceKind.UPSTREAMS, "1", """
                    {"nodes": {"%s": 1, "%s": 1},
                     "checks": {
                       "active": {"http_path": "/status", "healthy": {"interval": 1, "successes": 1},
                         "unhealthy": {"interval": 1, "http_failures": 2}},
                       "passive": {"unhealthy": {"http_statuses": [503], "http_failures": 2}}}}
                    """.formatted(a.address(), b.address()));
            gateway.engine().put(ResourceKind.ROUTES, "1", """
                    {"uri": "/hello", "upstream_id": "1"}""");
            b.sick.set(true);
            try (RawHttp http = new RawHttp(gateway.port())) {
                Faults.await("b marked down", Duration.ofSeconds(20), () -> {
                    try {
                        http.get("/hello", "a").read(false);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                    return health(gateway, b, false);
                });
                long servedWhenDown = b.served.get();
                for (int i = 0; i < 100; i++) {
                    assertEquals(200, http.get("/hello", "a").read(false).status());
                }
                assertEquals(servedWhenDown, b.served.get());

                b.sick.set(false);
                Faults.await("b healthy again", Duration.ofSeconds(20), () -> health(gateway, b, true));
            }
        }
    }
}
