package io.gatekit.runner;

import io.gatekit.runner.internal.Checks;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A response as a runner gives it: a status, headers and a body. The one type of two answers that
 * are the same value with APISIX's own meaning each:
 *
 * <ul>
 *   <li>as a {@link ReqAction} (built with {@link ReqAction#stop()}) it answers the client at once,
 *       instead of the upstream: status 0 is sent as 200;</li>
 *   <li>as the answer to an {@link HttpRespCall} it is applied to the upstream's response: status 0
 *       keeps the upstream status; no headers keeps the upstream headers, while any header REPLACES
 *       the whole upstream header set; an empty body keeps the upstream body. {@link #empty()}
 *       changes nothing.</li>
 * </ul>
 */
public final class Reply implements ReqAction {

    private static final Reply EMPTY = new Builder().build();

    private final int status;
    private final List<TextEntry> headers;
    private final byte[] body;

    private Reply(Builder builder) {
        this.status = builder.status;
        this.headers = builder.headers.toList();
        this.body = builder.body;
    }

    /** A builder with status 0, no headers and no body. */
    public static Builder builder() {
        return new Builder();
    }

    /** Status 0, no headers, no body: as an answer to an {@link HttpRespCall}, the response goes out unchanged. */
    public static Reply empty() {
        return EMPTY;
    }

    /** The status, an unsigned 16-bit value; 0 when none was set. */
    public int status() {
        return status;
    }

    /** Headers in order; a repeated name gives several values. */
    public List<TextEntry> headers() {
        return headers;
    }

    /** A read-only view of the body, empty when there is none. */
    public ByteBuffer body() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    /** The body decoded as UTF-8. */
    public String bodyUtf8() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Whether nothing was set: status 0, no headers, no body. */
    public boolean isEmpty() {
        return status == 0 && headers.isEmpty() && body.length == 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Reply that && status == that.status && headers.equals(that.headers)
                && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "Reply{status=" + status + ", headers=" + headers + ", body=" + body.length + " bytes}";
    }

    /** Builds a {@link Reply}; every setter checks its argument at once. */
    public static final class Builder extends BodyBuilder<Builder> {
        private int status;

        private Builder() {
        }

        /** The status, 0..65535. */
        public Builder status(int status) {
            this.status = Checks.uint16("status", status);
            return this;
        }

        /** Adds what {@code other} sets: its non-zero status and non-empty body win, its headers add up. */
        Builder merge(Reply other) {
            if (other.status != 0) {
                status = other.status;
            }
            headers.addAll(other.headers);
            if (other.body.length > 0) {
                body = other.body;
            }
            return this;
        }

        public Reply build() {
            return new Reply(this);
        }
    }
}
