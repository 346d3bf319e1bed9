package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.faults.Faults;
import io.gatekit.gateway.transport.Transport;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway serves the same over each socket transport ({@code gatekit.transport}): the client
 * side, upstream connections taken from its pool, and the engine's outbound client (a mirror).
 * The machine running the build must load native epoll (Linux x86_64). How many event loops serve
 * is {@code nginx_config.worker_processes}.
 */
class TransportTest {

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "nio"})
    void proxiesKeepAliveRequestsBodiesAndMirrorCopiesOverTheTransport(String mode) throws Exception {
        AtomicInteger mirrored = new AtomicInteger();
        HttpServer mirror = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        mirror.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            mirrored.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        mirror.start();
        try (TestUpstream upstream = new TestUpstream("one");
                Gateway gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0).withTransport(mode))) {
            assertEquals(Transport.valueOf(mode.toUpperCase(java.util.Locale.ROOT)), gateway.transport());
            gateway.engine().put(ResourceKind.ROUTES, "1", """
                    {"uri": "/*", "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));
            gateway.engine().put(ResourceKind.ROUTES, "2", """
                    {"uri": "/mirrored", "plugins": {"proxy-mirror": {"host": "http://127.0.0.1:%d"}},
                     "upstream": {"nodes": {"%s": 1}}}""".formatted(mirror.getAddress().getPort(), upstream.address()));

            try (RawHttp http = new RawHttp(gateway.port())) {
                for (int i = 0; i < 3; i++) {
                    RawHttp.Response response = http.get("/hello", "example.com").read();
                    assertEquals(200, response.status());
                    assertEquals("hello from one", response.text());
                }
                String body = "x".repeat(100_000);
                http.send("POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Length: " + body.length() + "\r\n\r\n"
                        + body);
                RawHttp.Response echoed = http.read();
                assertEquals(200, echoed.status());
                assertEquals(body, new String(echoed.body(), StandardCharsets.ISO_8859_1));
                http.get("/bytes?n=1000000", "example.com");
                assertEquals(1_000_000, http.readCountingBody());
                assertEquals(200, http.get("/mirrored", "example.com").read().status());
            }
            Faults.await("the mirror's copy", Duration.ofSeconds(10), () -> mirrored.get() == 1);
        } finally {
            mirror.stop(0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2", "auto"})
    void workerProcessesIsHowManyEventLoopsServeClientsAutoOnePerProcessor(String workerProcesses,
            @TempDir Path dir) throws Exception {
        int expected = "auto".equals(workerProcesses) ? Runtime.getRuntime().availableProcessors()
                : Integer.parseInt(workerProcesses);
        Set<String> before = workerThreads();
        Path file = Files.writeString(dir.resolve("config.yaml"),
                "nginx_config:\n  worker_processes: " + workerProcesses + "\n");
        try (TestUpstream upstream = new TestUpstream("one");
                Gateway gateway = Gateway.start(ConfigLoader.load(file, w -> { }).withPorts(0, 0, 0))) {
            gateway.engine().put(ResourceKind.ROUTES, "1", """
                    {"uri": "/*", "upstream": {"nodes": {"%s": 1}}}""".formatted(upstream.address()));
            // a loop's thread starts with its first connection, and connections go round the loops:
            // twice as many connections as loops would start Netty's default of two per processor
            List<RawHttp> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 2 * expected + 1; i++) {
                    RawHttp client = new RawHttp(gateway.port());
                    clients.add(client);
                    assertEquals(200, client.get("/hello", "example.com").read().status());
                }
            } finally {
                for (RawHttp client : clients) {
                    client.close();
                }
            }
            Set<String> started = workerThreads();
            started.removeAll(before);
            assertEquals(expected, started.size(), "worker threads started: " + started);
        }
    }

    private static Set<String> workerThreads() {
        Set<String> names = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(Transport.WORKER_THREAD_PREFIX + "-")) {
                names.add(thread.getName());
            }
        }
        return names;
    }

    @Test
    void anUnknownTransportIsRefusedNamingTheKeyAndTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.select("kqueue"));

        assertEquals("gatekit.transport: kqueue (expected: auto, epoll or nio)", e.getMessage());
    }

    @Test
    void autoPicksNativeEpollWhereItLoads() {
        assertEquals(Transport.EPOLL, Transport.select("auto"));
    }
}
