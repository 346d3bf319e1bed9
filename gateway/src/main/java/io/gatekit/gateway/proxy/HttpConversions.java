package io.gatekit.gateway.proxy;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Translation between Netty's request and header types and the api's. Headers cross as they
 * are: which of them must not be forwarded is the engine's rule ({@code Call.forEachUpstreamHeader}
 * on the way up, {@code Call.upstreamResponse} on the way back), so plugins and runners see what
 * was received.
 */
final class HttpConversions {

    private HttpConversions() {
    }

    /** The engine's view of the request {@code head} a client sent on {@code client}. */
    static HttpRequest toApi(io.netty.handler.codec.http.HttpRequest head, Channel client) {
        String uri = head.uri();
        if (!uri.startsWith("/")) {
            // absolute-form (a proxy request): keep only path and query
            URI parsed = URI.create(uri);
            uri = (parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath())
                    + (parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery());
        }
        // an HTTP/2 stream's TLS is its connection's
        Channel connection = client.parent() != null ? client.parent() : client;
        HttpRequest.Builder builder = HttpRequest.builder()
                .scheme(connection.pipeline().get(SslHandler.class) != null ? "https" : "http")
                .method(head.method().name())
                .uri(uri)
                .remoteAddress((InetSocketAddress) client.remoteAddress())
                .localAddress((InetSocketAddress) client.localAddress());
        forEach(head.headers(), builder::header); // straight in: one copy, not two
        return builder.build();
    }

    /** The headers of {@code netty}, in order, names as sent. */
    static HttpHeaders toApi(io.netty.handler.codec.http.HttpHeaders netty) {
        HttpHeaders headers = HttpHeaders.of();
        forEach(netty, headers::add);
        return headers;
    }

    /**
     * Hands each header of {@code netty} to {@code sink}, in order, names as sent. The entries are
     * Netty's own (no string entry made per header); a name Netty holds as an {@code AsciiString}
     * keeps its string once made.
     */
    static void forEach(io.netty.handler.codec.http.HttpHeaders netty, BiConsumer<String, String> sink) {
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = netty.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            sink.accept(e.getKey().toString(), e.getValue().toString());
        }
    }

    /** Copies {@code api} into {@code netty}. */
    static void copy(HttpHeaders api, io.netty.handler.codec.http.HttpHeaders netty) {
        for (int i = 0; i < api.size(); i++) {
            netty.add(api.name(i), api.value(i));
        }
    }
}
