package io.gatekit.gateway.proxy;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/** Translation between Netty's header type and the api's, minus what must not be forwarded. */
final class HttpConversions {

    private HttpConversions() {
    }

    /** The end-to-end headers of {@code netty}, in order, names as sent. */
    static HttpHeaders toApi(io.netty.handler.codec.http.HttpHeaders netty) {
        HttpHeaders headers = HttpHeaders.of();
        forEachEndToEnd(netty, headers::add);
        return headers;
    }

    /**
     * Hands each end-to-end header of {@code netty} to {@code sink}, in order, names as sent: the
     * hop-by-hop ones (RFC 9110 §7.6.1) and those the Connection header lists are left out. Runs
     * on every request, so the common case (no Connection tokens) allocates nothing per header.
     */
    static void forEachEndToEnd(io.netty.handler.codec.http.HttpHeaders netty, BiConsumer<String, String> sink) {
        Set<String> listedInConnection = connectionTokens(netty.get(HttpHeaderNames.CONNECTION));
        for (Iterator<Map.Entry<String, String>> it = netty.iteratorAsString(); it.hasNext(); ) {
            Map.Entry<String, String> e = it.next();
            String name = e.getKey();
            if (isHopByHop(name)
                    || !listedInConnection.isEmpty() && listedInConnection.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            sink.accept(name, e.getValue());
        }
    }

    /**
     * Hands every header of {@code netty} to {@code sink}, in order, names as sent: what the client
     * sent, as plugins see it (APISIX's plugins and runners see Connection and the rest too).
     */
    static void forEach(io.netty.handler.codec.http.HttpHeaders netty, BiConsumer<String, String> sink) {
        for (Iterator<Map.Entry<String, String>> it = netty.iteratorAsString(); it.hasNext(); ) {
            Map.Entry<String, String> e = it.next();
            sink.accept(e.getKey(), e.getValue());
        }
    }

    /**
     * Copies the end-to-end headers of {@code api} into {@code netty}: the hop-by-hop ones and those
     * the client's {@code Connection} header ({@code clientConnection}) lists stay behind, as they
     * belong to the client's connection, not the upstream's.
     */
    static void copyEndToEnd(HttpHeaders api, @Nullable String clientConnection,
            io.netty.handler.codec.http.HttpHeaders netty) {
        Set<String> listedInConnection = connectionTokens(clientConnection);
        for (int i = 0; i < api.size(); i++) {
            String name = api.name(i);
            if (isHopByHop(name)
                    || !listedInConnection.isEmpty() && listedInConnection.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            netty.add(name, api.value(i));
        }
    }

    /** Copies {@code api} into {@code netty}. */
    static void copy(HttpHeaders api, io.netty.handler.codec.http.HttpHeaders netty) {
        for (int i = 0; i < api.size(); i++) {
            netty.add(api.name(i), api.value(i));
        }
    }

    /** Whether {@code name} is hop-by-hop, in any case; by length first, so most names cost one switch. */
    static boolean isHopByHop(String name) {
        return switch (name.length()) {
            case 2 -> name.equalsIgnoreCase("te");
            case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
            case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
            case 16 -> name.equalsIgnoreCase("proxy-connection");
            case 17 -> name.equalsIgnoreCase("transfer-encoding");
            case 18 -> name.equalsIgnoreCase("proxy-authenticate");
            case 19 -> name.equalsIgnoreCase("proxy-authorization");
            default -> false;
        };
    }

    private static Set<String> connectionTokens(@Nullable String connection) {
        if (connection == null || connection.isEmpty()) {
            return Set.of();
        }
        java.util.HashSet<String> tokens = new java.util.HashSet<>();
        for (String token : connection.split(",")) {
            String t = token.trim().toLowerCase(Locale.ROOT);
            // "keep-alive" names a header that is hop-by-hop anyway: leaving it out keeps the set
            // empty for the usual "Connection: keep-alive", so no name is lower-cased per request
            if (!t.isEmpty() && !isHopByHop(t)) {
                tokens.add(t);
            }
        }
        return tokens;
    }
}
