package io.gatekit.runner.internal;

import java.time.Duration;
import java.util.Objects;

/** Argument checks whose messages read {@code "name: value (expected: ...)"}. */
public final class Checks {

    /** The largest unsigned 32-bit value, the range of ids and conf tokens. */
    public static final long MAX_UINT32 = 0xFFFF_FFFFL;

    private Checks() {
    }

    public static long uint32(String name, long value) {
        if (value < 0 || value > MAX_UINT32) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0.." + MAX_UINT32 + ")");
        }
        return value;
    }

    public static int uint16(String name, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0..65535)");
        }
        return value;
    }

    public static int range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + ".." + max + ")");
        }
        return value;
    }

    public static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    public static Duration notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
        return value;
    }
}
