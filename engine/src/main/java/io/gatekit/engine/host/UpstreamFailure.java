package io.gatekit.engine.host;

import static java.util.Objects.requireNonNull;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * How an upstream attempt failed, in the terms nginx's {@code proxy_next_upstream} uses: an error
 * or a timeout, before or after the request could have reached the upstream. The engine decides
 * from it whether to try the next node and which status the client gets (502 for errors, 504 for
 * timeouts).
 */
public enum UpstreamFailure {
    /** The connection was refused or could not be made; nothing was sent. */
    CONNECT_FAILED(false, false),
    /** Connecting took longer than {@link Target#connectTimeout()}; nothing was sent. */
    CONNECT_TIMEOUT(false, true),
    /** Writing the request failed; part of it may have reached the upstream. */
    SEND_FAILED(true, false),
    /** Writing the request stalled longer than {@link Target#sendTimeout()}. */
    SEND_TIMEOUT(true, true),
    /** The upstream said nothing for longer than {@link Target#readTimeout()}. */
    READ_TIMEOUT(true, true),
    /**
     * The connection broke, or the upstream sent something that is not a valid response, before
     * the response was complete.
     */
    RESPONSE_BROKEN(true, false);

    private final boolean requestMayHaveBeenSent;
    private final boolean timeout;

    UpstreamFailure(boolean requestMayHaveBeenSent, boolean timeout) {
        this.requestMayHaveBeenSent = requestMayHaveBeenSent;
        this.timeout = timeout;
    }

    /**
     * Whether the upstream may have received the request (then only idempotent methods are sent
     * again, as nginx does).
     */
    public boolean requestMayHaveBeenSent() {
        return requestMayHaveBeenSent;
    }

    /** Whether this is a timeout (the client gets 504) rather than an error (502). */
    public boolean timeout() {
        return timeout;
    }

    /**
     * Whether a request that failed this way may be sent again (to another node, or on a fresh
     * connection), as nginx's {@code proxy_next_upstream}: the host can replay it, and either it
     * cannot have reached the upstream or its method is idempotent (GET, HEAD, PUT, DELETE,
     * OPTIONS, TRACE: RFC 9110 §9.2.2).
     *
     * @param replayable whether the host can send the same request again (no body, a buffered one,
     *                   or a streamed one not yet read)
     */
    public boolean mayResend(String method, boolean replayable) {
        requireNonNull(method, "method");
        return replayable && (!requestMayHaveBeenSent || idempotent(method));
    }

    private static boolean idempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE" -> true;
            default -> false;
        };
    }

    /** The status the client gets when no other node is tried: 504 for timeouts, else 502. */
    public int status() {
        return timeout ? 504 : 502;
    }

    /**
     * Classifies what a transport failed with: an {@link UpstreamException} says it directly; the
     * JDK's and common clients' exceptions are mapped by type (connect refused, connect timeout,
     * socket and HTTP timeouts); anything else is {@link #RESPONSE_BROKEN}.
     */
    public static UpstreamFailure of(Throwable error) {
        requireNonNull(error, "error");
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof UpstreamException upstream) {
            return upstream.failure();
        }
        if (cause instanceof HttpConnectTimeoutException || cause.getClass().getSimpleName().equals(
                "ConnectTimeoutException")) {
            return CONNECT_TIMEOUT; // the JDK's, and Netty's (a ConnectException subclass)
        }
        if (cause instanceof ConnectException || cause instanceof UnknownHostException
                || cause instanceof NoRouteToHostException) {
            return CONNECT_FAILED;
        }
        if (cause instanceof HttpTimeoutException || cause instanceof SocketTimeoutException
                || cause instanceof TimeoutException) {
            return READ_TIMEOUT;
        }
        return RESPONSE_BROKEN;
    }
}
