package io.gatekit.engine.internal.route;

import io.gatekit.api.Nullable;
import java.util.List;

/** The HTTP methods a route may list, as APISIX's schema allows them, each with one bit. */
final class HttpMethods {

    static final List<String> NAMES = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD",
            "OPTIONS", "CONNECT", "TRACE", "PURGE");

    private HttpMethods() {
    }

    /** The bit of {@code method} (case-sensitive, as in APISIX), or 0 for any other method. */
    static int bit(@Nullable String method) {
        if (method == null) {
            return 0;
        }
        return switch (method) {
            case "GET" -> 1;
            case "POST" -> 1 << 1;
            case "PUT" -> 1 << 2;
            case "DELETE" -> 1 << 3;
            case "PATCH" -> 1 << 4;
            case "HEAD" -> 1 << 5;
            case "OPTIONS" -> 1 << 6;
            case "CONNECT" -> 1 << 7;
            case "TRACE" -> 1 << 8;
            case "PURGE" -> 1 << 9;
            default -> 0;
        };
    }
}
