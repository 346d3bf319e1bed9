package io.gatekit.opentelemetry;

import io.gatekit.api.Nullable;

/** Reads W3C {@code traceparent} headers in place, without making a span context. */
final class Traceparents {

    private Traceparents() {
    }

    /**
     * Whether {@code header} is a valid version-00 {@code traceparent} with the sampled flag off:
     * 2 + 32 + 16 + 2 lower-case hex digits between dashes, ids not all zero. Anything else,
     * including a sampled one, is left to the propagator.
     */
    static boolean unsampled(@Nullable String header) {
        if (header == null || header.length() != 55 || header.charAt(0) != '0' || header.charAt(1) != '0'
                || header.charAt(2) != '-' || header.charAt(35) != '-' || header.charAt(52) != '-') {
            return false;
        }
        int flags = digit(header.charAt(54));
        if (digit(header.charAt(53)) < 0 || flags < 0 || (flags & 1) != 0) {
            return false;
        }
        return validId(header, 3, 35) && validId(header, 36, 52);
    }

    private static boolean validId(String header, int from, int to) {
        boolean nonZero = false;
        for (int i = from; i < to; i++) {
            int d = digit(header.charAt(i));
            if (d < 0) {
                return false;
            }
            nonZero |= d != 0;
        }
        return nonZero;
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }
}
