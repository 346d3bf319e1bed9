package io.gatekit.runner;

import java.util.Optional;

/** The request methods the protocol can carry, with their wire codes. Other methods have no code. */
public enum HttpMethod {
    GET, HEAD, POST, PUT, DELETE, MKCOL, COPY, MOVE, OPTIONS, PROPFIND, PROPPATCH, LOCK, UNLOCK, PATCH, TRACE;

    private static final HttpMethod[] BY_CODE = values();

    /** The wire code: the enum's position, as in the protocol's {@code A6.Method}. */
    public int code() {
        return ordinal();
    }

    /** The method with that wire code. */
    public static HttpMethod ofCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("code: " + code + " (expected: 0.." + (BY_CODE.length - 1) + ")");
        }
        return BY_CODE[code];
    }

    /** The method with that name (exact, upper case), or empty when the protocol has no code for it. */
    public static Optional<HttpMethod> of(String name) {
        for (HttpMethod method : BY_CODE) {
            if (method.name().equals(name)) {
                return Optional.of(method);
            }
        }
        return Optional.empty();
    }
}
