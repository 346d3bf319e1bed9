package io.gatekit.engine.internal.host;

import java.io.IOException;

/** A body that had to be read whole was longer than the limit for that. */
final class BodyTooLargeException extends IOException {

    private static final long serialVersionUID = 1L;

    BodyTooLargeException(long limit) {
        super("body: more than " + limit + " bytes (expected: at most body_buffer_limit to be read whole)");
    }
}
