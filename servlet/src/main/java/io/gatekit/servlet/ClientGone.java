package io.gatekit.servlet;

import java.io.IOException;

/**
 * Writing to the client failed (it went away, or the connection broke): nothing is left to tell
 * it, unlike a body that failed at its source, whose cut the client must be able to see.
 */
final class ClientGone extends IOException {

    private static final long serialVersionUID = 1L;

    ClientGone(Throwable cause) {
        super("writing to the client failed: " + cause.getMessage(), cause);
    }
}
