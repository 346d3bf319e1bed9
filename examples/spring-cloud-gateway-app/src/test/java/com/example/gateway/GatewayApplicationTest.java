package com.example.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The gateway on a random port in front of a real orders service and a real mirror. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayApplicationTest {

    private final List<String> ordered = new CopyOnWriteArrayList<>();
    private final List<String> mirrored = new CopyOnWriteArrayList<>();
    private HttpServer orders;
    private HttpServer mirror;
    private ConfigurableApplicationContext gateway;

    @BeforeAll
    void start() throws Exception {
        orders = server("orders", ordered);
        mirror = server("mirror", mirrored);
        gateway = SpringApplication.run(GatewayApplication.class, "--server.address=127.0.0.1", "--server.port=0",
                "--orders.url=" + url(orders), "--mirror.url=" + url(mirror));
    }

    @AfterAll
    void stop() {
        gateway.close();
        orders.stop(0);
        mirror.stop(0);
    }

    @Test
    void theOrdersServiceAnswersAndTheMirrorGetsACopy() throws Exception {
        int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/42?full=1")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals("orders /orders/42?full=1", response.body());
        assertEquals(List.of("/orders/42?full=1"), ordered);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (mirrored.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5); // polling for the copy, not waiting for time to pass
        }
        assertEquals(List.of("/orders/42?full=1"), mirrored);
    }

    private static HttpServer server(String name, List<String> received) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            received.add(exchange.getRequestURI().toString());
            byte[] body = (name + " " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
