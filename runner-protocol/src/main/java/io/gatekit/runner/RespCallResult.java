package io.gatekit.runner;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A runner's answer to an {@link HttpRespCall}: the response the client should get, as a
 * {@link Reply} applied to the upstream's.
 *
 * <p>Each part is optional, with APISIX's meaning: status 0 keeps the upstream status; no headers
 * keeps the upstream headers, while any header REPLACES the whole upstream header set; an empty
 * body keeps the upstream body.
 */
public final class RespCallResult {

    private static final RespCallResult UNCHANGED = new Builder().build();

    private final Reply reply;

    private RespCallResult(Reply reply) {
        this.reply = reply;
    }

    /** The response goes out as the upstream sent it. */
    public static RespCallResult unchanged() {
        return UNCHANGED;
    }

    /** A builder that changes nothing yet. */
    public static Builder builder() {
        return new Builder();
    }

    /** Status, headers and body as one value. */
    public Reply reply() {
        return reply;
    }

    /** The status to send; 0 keeps the upstream status. */
    public int status() {
        return reply.status();
    }

    /** The headers to send instead of the upstream ones; empty keeps the upstream headers. */
    public List<TextEntry> headers() {
        return reply.headers();
    }

    /** A read-only view of the body to send; empty keeps the upstream body. */
    public ByteBuffer body() {
        return reply.body();
    }

    /** The body decoded as UTF-8. */
    public String bodyUtf8() {
        return reply.bodyUtf8();
    }

    /** Whether this result changes nothing. */
    public boolean isUnchanged() {
        return reply.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RespCallResult that && reply.equals(that.reply);
    }

    @Override
    public int hashCode() {
        return reply.hashCode();
    }

    @Override
    public String toString() {
        return reply.describe("RespCallResult");
    }

    /** Builds a {@link RespCallResult}; every setter checks its argument at once. */
    public static final class Builder extends Reply.Builder<Builder> {

        private Builder() {
        }

        /** Adds what {@code other} changes: its non-zero status and non-empty body win. */
        Builder merge(RespCallResult other) {
            return merge(other.reply);
        }

        public RespCallResult build() {
            return new RespCallResult(reply());
        }

        @Override
        Builder self() {
            return this;
        }
    }
}
