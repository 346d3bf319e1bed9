package io.gatekit.engine.internal.upstream;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The one home of the rule "which headers belong to one connection and are never forwarded": the
 * hop-by-hop headers of RFC 9110 §7.6.1 and those a {@code Connection} header lists. Both
 * directions use it: the request the upstream receives and the response the client receives.
 */
public final class HopByHop {

    private HopByHop() {
    }

    /** Whether {@code name} is hop-by-hop, in any case; by length first, so most names cost one switch. */
    public static boolean isHopByHop(String name) {
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

    /** Whether {@code name} frames a message body, which the sending side sets for itself. */
    static boolean isFraming(String name) {
        return switch (name.length()) {
            case 6 -> name.equalsIgnoreCase("expect");
            case 14 -> name.equalsIgnoreCase("content-length");
            default -> false;
        };
    }

    /**
     * Hands each end-to-end header of {@code headers} to {@code sink}, in order, names as they
     * are; with {@code dropFraming}, also leaves out {@code Content-Length} and {@code Expect}. The
     * common case (no tokens in {@code Connection}) allocates nothing.
     */
    public static void forEachEndToEnd(HttpHeaders headers, boolean dropFraming, BiConsumer<String, String> sink) {
        Set<String> listed = connectionTokens(headers.get("connection"));
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (isHopByHop(name) || dropFraming && isFraming(name)
                    || !listed.isEmpty() && listed.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            sink.accept(name, headers.value(i));
        }
    }

    /** Removes the hop-by-hop headers (and those {@code Connection} lists) from {@code headers}, in place. */
    public static void strip(HttpHeaders headers) {
        Set<String> listed = connectionTokens(headers.get("connection"));
        int i = 0;
        while (i < headers.size()) {
            String name = headers.name(i);
            if (isHopByHop(name) || !listed.isEmpty() && listed.contains(name.toLowerCase(Locale.ROOT))) {
                headers.remove(name); // every value of it: none sits before i, so i is now the next header
            } else {
                i++;
            }
        }
    }

    static Set<String> connectionTokens(@Nullable String connection) {
        if (connection == null || connection.isEmpty()) {
            return Set.of();
        }
        if (connection.indexOf(',') < 0) {
            // one token, nearly always keep-alive or close: no split, no lower-cased copy
            String t = connection.trim();
            if (t.isEmpty() || isHopByHop(t) || t.equalsIgnoreCase("close")) {
                return Set.of();
            }
        }
        Set<String> tokens = null;
        for (String token : connection.split(",")) {
            String t = token.trim().toLowerCase(Locale.ROOT);
            // "keep-alive" and "close" name nothing to drop beyond the hop-by-hop set: leaving them
            // out keeps the set empty for the usual values, so no name is lower-cased per request
            if (!t.isEmpty() && !isHopByHop(t) && !t.equals("close")) {
                if (tokens == null) {
                    tokens = new HashSet<>();
                }
                tokens.add(t);
            }
        }
        return tokens == null ? Set.of() : tokens;
    }
}
