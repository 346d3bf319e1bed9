package com.example.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The orders service with the starter and one {@code gatekit.config} file, over real sockets: the
 * service answers as before and a real mirror server receives a copy of each API request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrdersApplicationTest {

    private final BlockingQueue<String> mirrored = new LinkedBlockingQueue<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer mirror;
    private ConfigurableApplicationContext orders;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        mirror = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        mirror.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            mirrored.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        mirror.start();
        // the bundled apisix.yaml, with the test's mirror port instead of 9797
        String routes = new String(OrdersApplication.class.getResourceAsStream("/apisix.yaml").readAllBytes(),
                StandardCharsets.UTF_8).replace("127.0.0.1:9797", "127.0.0.1:" + mirror.getAddress().getPort());
        Path config = Files.writeString(dir.resolve("apisix.yaml"), routes);
        orders = start("--gatekit.config=file:" + config);
    }

    /** Starts the service with {@code arguments} ({@code --name=value}), which override application.properties. */
    private static ConfigurableApplicationContext start(String... arguments) {
        return new SpringApplicationBuilder(OrdersApplication.class)
                .properties("server.address=127.0.0.1", "server.port=0", "spring.main.banner-mode=off")
                .run(arguments);
    }

    @AfterAll
    void stop() {
        orders.close();
        mirror.stop(0);
    }

    private HttpResponse<String> send(ConfigurableApplicationContext app, String path) throws Exception {
        return send(app, path, request -> request);
    }

    private HttpResponse<String> send(ConfigurableApplicationContext app, String path,
            UnaryOperator<HttpRequest.Builder> request) throws Exception {
        int port = ((WebServerApplicationContext) app).getWebServer().getPort();
        return client.send(request.apply(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theServiceAnswersAndTheMirrorGetsACopy() throws Exception {
        HttpResponse<String> response = send(orders, "/api/orders/7?full=1");

        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("\"status\":\"shipped\""), response.body());
        assertEquals("GET /api/orders/7?full=1 ", mirrored.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void theMirrorGetsTheBodyOfAPost() throws Exception {
        HttpResponse<String> response = send(orders, "/api/orders", request -> request
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"book\"}")));

        assertEquals(200, response.statusCode());
        assertEquals("POST /api/orders {\"item\":\"book\"}", mirrored.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void aPageOutsideTheRoutesIsNotMirrored() throws Exception {
        HttpResponse<String> page = send(orders, "/");
        HttpResponse<String> api = send(orders, "/api/orders/8");

        assertEquals("orders service", page.body());
        assertEquals(200, api.statusCode());
        assertEquals("GET /api/orders/8 ", mirrored.poll(10, TimeUnit.SECONDS), "the first copy is the API call's");
    }

    @Test
    void theBundledConfigStartsTheServiceAsShipped() throws Exception {
        try (ConfigurableApplicationContext shipped = start()) {
            HttpResponse<String> response = send(shipped, "/api/orders/1");

            assertEquals(200, response.statusCode(), "a mirror that is not there costs the client nothing");
            assertNotNull(shipped.getBean(io.gatekit.engine.Engine.class).get(io.gatekit.engine.ResourceKind.ROUTES,
                    "orders-mirror").orElse(null));
        }
    }
}
