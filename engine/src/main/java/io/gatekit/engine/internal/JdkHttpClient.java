package io.gatekit.engine.internal;

import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The engine's default outbound client, on {@code java.net.http}: HTTP/1.1, non-blocking. Hosts
 * with their own I/O stack (the gateway's Netty client) replace it.
 */
final class JdkHttpClient implements HttpClient {

    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host",
            "upgrade");

    private final java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(60))
            .build();

    @Override
    public CompletionStage<OutboundResponse> send(OutboundRequest request) {
        java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder(request.uri())
                .timeout(request.readTimeout())
                .method(request.method(), request.body() == null ? BodyPublishers.noBody()
                        : BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach((name, value) -> {
            if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                builder.header(name, value);
            }
        });
        return client.sendAsync(builder.build(), BodyHandlers.ofByteArray()).thenApply(response -> {
            HttpHeaders headers = HttpHeaders.of();
            response.headers().map().forEach((name, values) -> values.forEach(v -> headers.add(name, v)));
            return new OutboundResponse(response.statusCode(), headers, response.body());
        });
    }
}
