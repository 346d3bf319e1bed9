package io.gatekit.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NettyHttpClientTest {

    private HttpServer server;
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final CountDownLatch release = new CountDownLatch(1);
    private NioEventLoopGroup group;
    private NettyHttpClient client;

    @BeforeEach
    void start() throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", exchange -> {
            clientPorts.add(exchange.getRemoteAddress().getPort());
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/hang")) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] answer = (exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("Host") + " " + body.length)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        group = new NioEventLoopGroup(1);
        client = new NettyHttpClient(group);
    }

    @AfterEach
    void stop() {
        release.countDown();
        client.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void sendsTheRequestAndReturnsTheWholeResponse() throws Exception {
        OutboundResponse response = client.send(OutboundRequest.builder(base() + "/a?b=1").method("POST")
                .header("Host", "mirror.example").body("12345".getBytes(StandardCharsets.UTF_8)).build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertEquals(201, response.status());
        assertEquals("POST /a?b=1 mirror.example 5", new String(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    void reusesAKeptAliveConnection() throws Exception {
        for (int i = 0; i < 5; i++) {
            client.send(OutboundRequest.builder(base() + "/x").build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        assertEquals(1, clientPorts.size(), "connections opened: " + clientPorts);
    }

    @Test
    void aSlowServerTimesOutAtTheReadTimeout() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> client.send(
                OutboundRequest.builder(base() + "/hang").readTimeout(Duration.ofMillis(200)).build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS));

        assertInstanceOf(TimeoutException.class, e.getCause());
    }

    @Test
    void aRefusedConnectionFailsTheStage() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        int port = dead;
        ExecutionException e = assertThrows(ExecutionException.class, () -> client.send(
                OutboundRequest.builder("http://127.0.0.1:" + port + "/").build()).toCompletableFuture()
                .get(10, TimeUnit.SECONDS));

        assertInstanceOf(java.net.ConnectException.class, e.getCause());
    }
}
