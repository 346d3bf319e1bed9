package io.gatekit.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.engine.Engine;
import io.gatekit.gateway.Gateway;
import io.gatekit.gateway.config.ConfigLoader;
import io.gatekit.gateway.config.GatewayConfig;
import io.gatekit.gateway.faults.Faults;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * APISIX's status API over a real socket: {@code /status} answers while the node runs,
 * {@code /status/ready} answers 503 until the config source has loaded the config and 200 after;
 * without {@code apisix.status} there is no listener, as in APISIX.
 */
class StatusApiTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static GatewayConfig withStatus(GatewayConfig config, int port) {
        GatewayConfig.Operations ops = config.operations();
        return config.withOperations(new GatewayConfig.Operations("127.0.0.1", port, ops.accessLog(),
                ops.accessLogFormat(), ops.controlHost(), ops.controlPort(), ops.apisixMetrics()));
    }

    @Test
    void statusAndReadyAnswerOkOnceTheConfigIsLoaded() throws Exception {
        try (Gateway gateway = Gateway.start(withStatus(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0), 0),
                Engine.builder())) {
            HttpResponse<String> status = get(gateway.statusPort(), "/status");
            assertEquals(200, status.statusCode());
            assertEquals("{\"status\":\"ok\"}\n", status.body());
            assertEquals("application/json", status.headers().firstValue("content-type").orElse(""));

            HttpResponse<String> ready = get(gateway.statusPort(), "/status/ready");
            assertEquals(200, ready.statusCode());
            assertEquals("{\"status\":\"ok\"}\n", ready.body());

            assertEquals(404, get(gateway.statusPort(), "/apisix/admin/routes").statusCode());
        }
    }

    @Test
    void readyAnswers503WhileEtcdHasNotGivenItsFirstSnapshot(@TempDir Path dir) throws Exception {
        // an etcd endpoint that accepts connections and never answers: the first load cannot finish
        try (ServerSocket silentEtcd = new ServerSocket(0)) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silentEtcd.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            int statusPort;
            try (ServerSocket free = new ServerSocket(0)) {
                statusPort = free.getLocalPort();
            }
            Path file = Files.writeString(dir.resolve("config.yaml"), """
                    apisix:
                      status:
                        ip: 127.0.0.1
                        port: %d
                    deployment:
                      role: traditional
                      role_traditional:
                        config_provider: etcd
                      etcd:
                        host:
                          - "http://127.0.0.1:%d"
                        timeout: 3
                    """.formatted(statusPort, silentEtcd.getLocalPort()));
            GatewayConfig config = ConfigLoader.load(file, w -> { });
            CompletableFuture<Gateway> starting = CompletableFuture.supplyAsync(() -> Gateway.start(
                    config.withPorts(0, 0, 0), Engine.builder()));

            Faults.await("the status API listens", Duration.ofSeconds(10), () -> {
                try {
                    return get(statusPort, "/status").statusCode() == 200;
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            });
            HttpResponse<String> ready = get(statusPort, "/status/ready");
            assertEquals(503, ready.statusCode());
            assertEquals("{\"status\":\"error\",\"error\":\"worker id: 0 has not received configuration\"}\n",
                    ready.body());

            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> starting.get(30, TimeUnit.SECONDS));
            assertTrue(failed.getCause() instanceof IllegalStateException, failed.getCause().toString());
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void withoutApisixStatusThereIsNoStatusListener() {
        try (Gateway gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0), Engine.builder())) {
            assertEquals(-1, gateway.statusPort());
        }
    }

    @Test
    void aStatusPortOutOfRangeIsRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                apisix:
                  status:
                    port: 70000
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load(file, w -> { }));
        assertEquals("apisix.status.port: 70000 (expected: a port number 1..65535)", e.getMessage());
    }
}
