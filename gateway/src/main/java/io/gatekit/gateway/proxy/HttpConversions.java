package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Translation between Netty's header type and the api's, minus what must not be forwarded. */
final class HttpConversions {

    /** Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded in either direction. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    private HttpConversions() {
    }

    /** The end-to-end headers of {@code netty}, in order, names as sent. */
    static HttpHeaders toApi(io.netty.handler.codec.http.HttpHeaders netty) {
        Set<String> listedInConnection = connectionTokens(netty.get(HttpHeaderNames.CONNECTION));
        HttpHeaders headers = HttpHeaders.of();
        for (Map.Entry<String, String> e : netty) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !listedInConnection.contains(lower)) {
                headers.add(e.getKey(), e.getValue());
            }
        }
        return headers;
    }

    /** Copies {@code api} into {@code netty}. */
    static void copy(HttpHeaders api, io.netty.handler.codec.http.HttpHeaders netty) {
        for (int i = 0; i < api.size(); i++) {
            netty.add(api.name(i), api.value(i));
        }
    }

    private static Set<String> connectionTokens(@Nullable String connection) {
        if (connection == null || connection.isEmpty()) {
            return Set.of();
        }
        java.util.HashSet<String> tokens = new java.util.HashSet<>();
        for (String token : connection.split(",")) {
            tokens.add(token.trim().toLowerCase(Locale.ROOT));
        }
        return tokens;
    }
}
