package io.gatekit.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
            if (exchange.getRequestURI().getPath().equals("/chunked")) {
                exchange.sendResponseHeaders(200, 0); // no length: chunked
                for (String part : new String[] {"one,", "two,", "three"}) {
                    exchange.getResponseBody().write(part.getBytes(StandardCharsets.UTF_8));
                    exchange.getResponseBody().flush();
                }
                exchange.close();
                return;
            }
            if (exchange.getRequestURI().getPath().equals("/big")) {
                int size = Integer.parseInt(exchange.getRequestURI().getQuery());
                exchange.getResponseHeaders().add("X-Size", Integer.toString(size));
                exchange.sendResponseHeaders(200, size);
                exchange.getResponseBody().write(new byte[size]);
                exchange.close();
                return;
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

    @Test
    void aChunkedResponseIsGatheredWhole() throws Exception {
        OutboundResponse response = client.send(OutboundRequest.builder(base() + "/chunked").build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertEquals(200, response.status());
        assertEquals("one,two,three", new String(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aDiscardedBodyIsReadToItsEndAndDroppedAndTheConnectionIsUsedAgain() throws Exception {
        int overLimit = 17 * 1024 * 1024;
        OutboundResponse dropped = client.send(OutboundRequest.builder(base() + "/big?" + overLimit)
                .discardResponseBody(true).build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        OutboundResponse next = client.send(OutboundRequest.builder(base() + "/big?3").build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertEquals(200, dropped.status());
        assertEquals(Integer.toString(overLimit), dropped.headers().get("x-size"));
        assertEquals(0, dropped.body().length);
        assertEquals(3, next.body().length);
        assertEquals(1, clientPorts.size(), "connections opened: " + clientPorts);
    }

    @Test
    void aKeptBodyOverTheLimitFailsTheStage() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> client.send(
                OutboundRequest.builder(base() + "/big?" + (17 * 1024 * 1024)).build())
                .toCompletableFuture().get(30, TimeUnit.SECONDS));

        assertInstanceOf(IOException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("over 16777216 bytes"), e.getCause().getMessage());
    }

    @Test
    void anInterimResponseIsSkippedForTheFinalOne() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket socket = raw.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.ISO_8859_1));
                    String line;
                    while ((line = in.readLine()) != null && !line.isEmpty()) {
                        // the request head
                    }
                    socket.getOutputStream().write(("HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Final: yes\r\n\r\nok")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                    in.read(); // until the client closes
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            OutboundResponse response = client.send(OutboundRequest.builder("http://127.0.0.1:" + raw.getLocalPort()
                    + "/").build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            client.close();

            assertEquals(200, response.status());
            assertEquals("yes", response.headers().get("x-final"));
            assertEquals("ok", new String(response.body(), StandardCharsets.UTF_8));
            served.get(10, TimeUnit.SECONDS);
        }
    }
}
