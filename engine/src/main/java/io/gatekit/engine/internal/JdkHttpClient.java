package io.gatekit.engine.internal;

import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import java.net.Socket;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The engine's default outbound client, on {@code java.net.http}: HTTP/1.1, non-blocking. Hosts
 * with their own I/O stack (the gateway's Netty client) replace it. The JDK sets the connect
 * timeout and TLS per client, so there is one client per connect timeout and TLS choice in use
 * (a handful: they come from plugin confs). The read timeout bounds each request until its
 * response head arrives; the JDK has no separate send timeout.
 */
final class JdkHttpClient implements HttpClient {

    private static final byte[] EMPTY = new byte[0];
    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host",
            "upgrade");

    private final Map<Settings, java.net.http.HttpClient> clients = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<OutboundResponse> send(OutboundRequest request) {
        java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder(request.uri())
                .timeout(request.readTimeout()) // the JDK's one request timeout: until the response head
                .method(request.method(), request.body() == null ? BodyPublishers.noBody()
                        : BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach((name, value) -> {
            if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                builder.header(name, value);
            }
        });
        java.net.http.HttpClient client = client(new Settings(request.connectTimeout(), request.verifyTls()));
        if (request.discardResponseBody()) {
            return client.sendAsync(builder.build(), BodyHandlers.discarding())
                    .thenApply(response -> answer(response, EMPTY));
        }
        return client.sendAsync(builder.build(), BodyHandlers.ofByteArray())
                .thenApply(response -> answer(response, response.body()));
    }

    private static OutboundResponse answer(java.net.http.HttpResponse<?> response, byte[] body) {
        HttpHeaders headers = HttpHeaders.of();
        response.headers().map().forEach((name, values) -> values.forEach(v -> headers.add(name, v)));
        return new OutboundResponse(response.statusCode(), headers, body);
    }

    private java.net.http.HttpClient client(Settings settings) {
        java.net.http.HttpClient client = clients.get(settings);
        return client != null ? client : clients.computeIfAbsent(settings, JdkHttpClient::newClient);
    }

    private static java.net.http.HttpClient newClient(Settings settings) {
        java.net.http.HttpClient.Builder builder = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connect());
        if (!settings.verifyTls()) {
            builder.sslContext(TrustingTls.CONTEXT);
        }
        return builder.build();
    }

    private record Settings(Duration connect, boolean verifyTls) {
    }

    /**
     * TLS that accepts any certificate for any host name, for requests that turn verification off
     * (an active health check's {@code https_verify_certificate: false}): the trust manager is the
     * one that checks the host name too, so a trust manager that checks nothing skips both.
     */
    private static final class TrustingTls extends X509ExtendedTrustManager {
        static final SSLContext CONTEXT = context();

        private static SSLContext context() {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {new TrustingTls()}, null);
                return context;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot set up TLS without verification", e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
