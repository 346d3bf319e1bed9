package io.gatekit.spring.boot;

import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.timeout.ReadTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClientResponse;

/**
 * Plugins' outbound requests (mirror copies, callouts) on Reactor Netty, the client WebFlux and
 * Spring Cloud Gateway already run: pooled keep-alive connections on the application's event
 * loops instead of a second I/O stack. The starter installs it when Reactor Netty is on the class
 * path, on Spring Cloud Gateway's own {@code HttpClient} bean when there is one (its pool, proxy
 * and TLS settings then apply to the copies too).
 *
 * <p>Per request: the connect timeout is the connection's ({@code CONNECT_TIMEOUT_MILLIS}), the read
 * timeout is Reactor Netty's response timeout, and the three together bound the whole exchange, so
 * a send that stalls ends too. {@link OutboundRequest#verifyTls()} {@code false} trusts any
 * certificate and host name for that request only. A timeout completes the stage with a
 * {@link TimeoutException}, a refused connection with a {@link java.net.ConnectException}.
 *
 * <pre>{@code
 * @Bean
 * GatekitEngineCustomizer outbound(reactor.netty.http.client.HttpClient mine) {
 *     return builder -> builder.httpClient(ReactorNettyHttpClient.on(mine));
 * }
 * }</pre>
 */
public final class ReactorNettyHttpClient implements HttpClient {

    private static final byte[] EMPTY = new byte[0];

    private final reactor.netty.http.client.HttpClient base;
    /** The base with one connect timeout and TLS choice each: settings are fixed per route's conf. */
    private final Map<Settings, reactor.netty.http.client.HttpClient> derived = new ConcurrentHashMap<>();

    private ReactorNettyHttpClient(reactor.netty.http.client.HttpClient base) {
        this.base = base;
    }

    /** A client on Reactor Netty's shared pool and event loops. */
    public static ReactorNettyHttpClient create() {
        return new ReactorNettyHttpClient(reactor.netty.http.client.HttpClient.create());
    }

    /** A client on {@code client}, with its pool, event loops and settings. */
    public static ReactorNettyHttpClient on(reactor.netty.http.client.HttpClient client) {
        return new ReactorNettyHttpClient(client);
    }

    @Override
    public CompletionStage<OutboundResponse> send(OutboundRequest request) {
        URI uri = request.uri();
        boolean insecure = !request.verifyTls() && "https".equalsIgnoreCase(uri.getScheme());
        int connectMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, request.connectTimeout().toMillis()));
        byte[] body = request.body();
        Duration deadline = request.connectTimeout().plus(request.sendTimeout()).plus(request.readTimeout());
        reactor.netty.http.client.HttpClient.ResponseReceiver<?> exchange = client(new Settings(connectMillis, insecure))
                .request(HttpMethod.valueOf(request.method()))
                .uri(uri)
                .send((out, outbound) -> {
                    out.responseTimeout(request.readTimeout());
                    request.headers().forEach((name, value) -> {
                        if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
                            out.header(HttpHeaderNames.HOST, value); // replaces the one made from the URI
                        } else if (!HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                                && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
                            out.addHeader(name, value);
                        }
                    });
                    if (body == null) {
                        return outbound;
                    }
                    out.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
                    return outbound.sendByteArray(Mono.just(body));
                });
        Mono<OutboundResponse> answer = request.discardResponseBody()
                // read to the end, each chunk released as it comes, so the connection goes back to the pool
                ? exchange.response((response, content) -> content.then(Mono.fromSupplier(() -> answer(response, EMPTY))))
                        .single()
                : exchange.responseSingle((response, content) -> content.asByteArray().defaultIfEmpty(EMPTY)
                        .map(bytes -> answer(response, bytes)));
        return answer
                .timeout(deadline, Mono.error(() -> new TimeoutException("no answer from " + target(uri)
                        + " within " + deadline.toMillis() + " ms (connect, send and read timeouts together)")))
                .onErrorMap(ReadTimeoutException.class, e -> new TimeoutException("no response from " + target(uri)
                        + " within " + request.readTimeout().toMillis() + " ms"))
                .toFuture();
    }

    private static OutboundResponse answer(HttpClientResponse response, byte[] body) {
        HttpHeaders headers = HttpHeaders.of();
        response.responseHeaders().forEach(h -> headers.add(h.getKey(), h.getValue()));
        return new OutboundResponse(response.status().code(), headers, body);
    }

    private reactor.netty.http.client.HttpClient client(Settings settings) {
        reactor.netty.http.client.HttpClient client = derived.get(settings);
        return client != null ? client : derived.computeIfAbsent(settings, this::derive);
    }

    private reactor.netty.http.client.HttpClient derive(Settings settings) {
        reactor.netty.http.client.HttpClient client = base.option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                settings.connectMillis());
        if (!settings.insecure()) {
            return client;
        }
        SslContext trusting;
        try {
            trusting = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS without verification", e);
        }
        return client.secure(spec -> spec.sslContext(trusting).handlerConfigurator(handler -> {
            SSLParameters parameters = handler.engine().getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm(null);
            handler.engine().setSSLParameters(parameters);
        }));
    }

    private static String target(URI uri) {
        return uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    private record Settings(int connectMillis, boolean insecure) {
    }

    @Override
    public String toString() {
        return "ReactorNettyHttpClient";
    }
}
