package io.gatekit.gateway.badinput;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The Admin API over one keep-alive HTTP/1.1 client, as curl would use it. */
final class AdminClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A response with its body as JSON when it is JSON. */
    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String errorMsg() {
            return json().path("error_msg").asText("");
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    AdminClient(int port) {
        this.port = port;
    }

    Answer put(String path, byte[] body) throws IOException, InterruptedException {
        return send("PUT", path, body);
    }

    Answer put(String path, String body) throws IOException, InterruptedException {
        return send("PUT", path, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    Answer send(String method, String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/apisix/admin" + path))
                .timeout(Duration.ofSeconds(10))
                .header("X-API-KEY", GatewayConfig.EXAMPLE_ADMIN_KEY)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }
}
