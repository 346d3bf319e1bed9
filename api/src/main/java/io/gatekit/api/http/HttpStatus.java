package io.gatekit.api.http;

import io.gatekit.api.Arguments;

/**
 * The one rule for a status code that goes on the wire: 100 to 599, as nginx (and so APISIX)
 * accepts. Every type that carries a status to a client or from a peer checks it here.
 */
public final class HttpStatus {

    /** The lowest status code, {@code 100 Continue}. */
    public static final int MIN = 100;

    /** The highest status code, the top of the 5xx class. */
    public static final int MAX = 599;

    private static final String RANGE = MIN + ".." + MAX;

    private HttpStatus() {
    }

    /**
     * Whether {@code status} may go on the wire.
     *
     * @param status a status code
     * @return whether it is within {@link #MIN}..{@link #MAX}
     */
    public static boolean isValid(int status) {
        return status >= MIN && status <= MAX;
    }

    /**
     * {@code status}, checked.
     *
     * @param name   the name of the argument, for the message: {@code status: 42 (expected: 100..599)}
     * @param status a status code
     * @return {@code status}
     * @throws IllegalArgumentException when it is outside {@link #MIN}..{@link #MAX}
     */
    public static int check(String name, int status) {
        if (!isValid(status)) {
            throw Arguments.invalid(name, status, RANGE);
        }
        return status;
    }

    /**
     * {@code status}, checked, where {@code 0} stands for "no status" (as in APISIX's runner
     * protocol).
     *
     * @param name   the name of the argument, for the message: {@code status: 42 (expected: 0 or 100..599)}
     * @param status {@code 0} or a status code
     * @return {@code status}
     * @throws IllegalArgumentException when it is neither 0 nor within {@link #MIN}..{@link #MAX}
     */
    public static int checkOrZero(String name, int status) {
        if (status != 0 && !isValid(status)) {
            throw Arguments.invalid(name, status, "0 or " + RANGE);
        }
        return status;
    }
}
