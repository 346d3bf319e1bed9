package io.gatekit.runner;

import io.gatekit.runner.internal.Checks;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A runner's answer to an {@link HttpRespCall}: the response the client should get.
 *
 * <p>Each part is optional, with APISIX's meaning: status 0 keeps the upstream status; no headers
 * keeps the upstream headers, while any header REPLACES the whole upstream header set; an empty
 * body keeps the upstream body.
 */
public final class RespCallResult {

    private static final RespCallResult UNCHANGED = new Builder().build();

    private final int status;
    private final List<TextEntry> headers;
    private final byte[] body;

    private RespCallResult(Builder builder) {
        this.status = builder.status;
        this.headers = List.copyOf(builder.headers);
        this.body = builder.body;
    }

    /** The response goes out as the upstream sent it. */
    public static RespCallResult unchanged() {
        return UNCHANGED;
    }

    /** A builder that changes nothing yet. */
    public static Builder builder() {
        return new Builder();
    }

    /** The status to send; 0 keeps the upstream status. */
    public int status() {
        return status;
    }

    /** The headers to send instead of the upstream ones; empty keeps the upstream headers. */
    public List<TextEntry> headers() {
        return headers;
    }

    /** A read-only view of the body to send; empty keeps the upstream body. */
    public ByteBuffer body() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    /** The body decoded as UTF-8. */
    public String bodyUtf8() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Whether this result changes nothing. */
    public boolean isUnchanged() {
        return status == 0 && headers.isEmpty() && body.length == 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RespCallResult that && status == that.status && headers.equals(that.headers)
                && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "RespCallResult{status=" + status + ", headers=" + headers + ", body=" + body.length + " bytes}";
    }

    /** Builds a {@link RespCallResult}; every setter checks its argument at once. */
    public static final class Builder {
        private int status;
        private final List<TextEntry> headers = new ArrayList<>();
        private byte[] body = Bodies.EMPTY;

        private Builder() {
        }

        public Builder status(int status) {
            this.status = Checks.uint16("status", status);
            return this;
        }

        public Builder addHeader(String name, String value) {
            headers.add(TextEntry.of(name, value));
            return this;
        }

        public Builder addHeader(TextEntry header) {
            headers.add(Objects.requireNonNull(header, "header"));
            return this;
        }

        public Builder body(byte[] body) {
            this.body = body.clone();
            return this;
        }

        public Builder body(ByteBuffer body) {
            this.body = Bodies.copy(body);
            return this;
        }

        public Builder body(String body) {
            this.body = body.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** Adds what {@code other} changes: its non-zero status and non-empty body win. */
        Builder merge(RespCallResult other) {
            if (other.status != 0) {
                status = other.status;
            }
            headers.addAll(other.headers);
            if (other.body.length > 0) {
                body = other.body;
            }
            return this;
        }

        public RespCallResult build() {
            return new RespCallResult(this);
        }
    }
}
