package io.gatekit.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A config change was rejected. The config in force is unchanged.
 *
 * <p>{@link #errorMsg()} is the APISIX-compatible one-line text (the first problem, phrased as
 * APISIX phrases it), {@link #violations()} lists every problem found.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String errorMsg;
    private final List<Violation> violations;
    private final int status;

    /** A rejection with HTTP-style {@code status} (400 invalid, 404 missing, 409/400 conflict). */
    public ConfigException(int status, String errorMsg, List<Violation> violations) {
        super(errorMsg);
        this.status = status;
        this.errorMsg = requireNonNull(errorMsg, "errorMsg");
        this.violations = List.copyOf(violations);
    }

    /** A 400 rejection with one violation whose message is also the error message. */
    public static ConfigException invalid(String errorMsg, Violation violation) {
        return new ConfigException(400, errorMsg, List.of(violation));
    }

    /** The APISIX-format {@code error_msg}. */
    public String errorMsg() {
        return errorMsg;
    }

    /** Every problem found, in document order. */
    public List<Violation> violations() {
        return violations;
    }

    /** The HTTP status an Admin API answers with: 400, or 404 for a missing resource. */
    public int status() {
        return status;
    }
}
