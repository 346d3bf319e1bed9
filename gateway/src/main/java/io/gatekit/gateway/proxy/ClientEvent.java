package io.gatekit.gateway.proxy;

/**
 * What {@link ClientConnection} tells the handler serving the current request, as a user event
 * down the pipeline (the way Netty's {@code IdleStateHandler} reports idleness).
 */
enum ClientEvent {
    /** The body stopped coming for longer than {@code client_body_timeout}: answer 408, or close. */
    BODY_TIMED_OUT,
    /**
     * The body went over {@code client_max_body_size} while it streamed: answer 413, or close.
     * The content that crossed the limit follows the event, to be dropped.
     */
    BODY_TOO_LARGE,
    /** The connection ends without the current request's answer (a malformed message): release everything. */
    ABORTED
}
