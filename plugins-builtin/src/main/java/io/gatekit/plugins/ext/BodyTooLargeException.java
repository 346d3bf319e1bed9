package io.gatekit.plugins.ext;

/** A body the runner asked for is larger than what may be sent to it. */
final class BodyTooLargeException extends Exception {

    private static final long serialVersionUID = 1L;

    BodyTooLargeException(String what, long size, long limit) {
        super(what + ": " + size + " bytes (expected: at most " + limit + ")");
    }
}
