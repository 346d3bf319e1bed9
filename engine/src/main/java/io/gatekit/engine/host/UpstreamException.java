package io.gatekit.engine.host;

import static java.util.Objects.requireNonNull;

import java.io.IOException;

/**
 * What a {@link Transport} completes its stage with when an attempt fails and the cause alone does
 * not say how (a read timeout of its own timer, say). Other exceptions are classified by
 * {@link UpstreamFailure#of(Throwable)}.
 *
 * <pre>{@code
 * future.completeExceptionally(new UpstreamException(UpstreamFailure.READ_TIMEOUT, "no answer in 5 s"));
 * }</pre>
 */
public final class UpstreamException extends IOException {

    private static final long serialVersionUID = 1L;

    private final UpstreamFailure failure;

    /** A failure of kind {@code failure}, described by {@code message}. */
    public UpstreamException(UpstreamFailure failure, String message) {
        super(message);
        this.failure = requireNonNull(failure, "failure");
    }

    /** A failure of kind {@code failure} caused by {@code cause}. */
    public UpstreamException(UpstreamFailure failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = requireNonNull(failure, "failure");
    }

    /** How the attempt failed. */
    public UpstreamFailure failure() {
        return failure;
    }
}
