package io.gatekit.runner;

import io.gatekit.runner.internal.Checks;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A response as a runner gives it: a status, headers and a body. A {@link ReqAction.Stop} answers
 * the client with one; a {@link RespCallResult} is one applied to the upstream's response. What 0,
 * no headers and an empty body mean is up to each of them.
 */
public final class Reply {

    private final int status;
    private final List<TextEntry> headers;
    private final byte[] body;

    private Reply(Builder<?> builder) {
        this.status = builder.status;
        this.headers = builder.headers.toList();
        this.body = builder.body;
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
        return describe("Reply");
    }

    /** {@code name{status=..., headers=..., body=N bytes}}: how the types wrapping a reply print. */
    String describe(String name) {
        return name + "{status=" + status + ", headers=" + headers + ", body=" + body.length + " bytes}";
    }

    /**
     * The setters of the builders of {@link ReqAction.Stop} and {@link RespCallResult}, which differ
     * only in what they build. Every setter checks its argument at once.
     *
     * @param <B> the concrete builder, returned by each setter
     */
    public abstract static class Builder<B extends Builder<B>> {
        private int status;
        private final Entries headers = new Entries();
        private byte[] body = Bodies.EMPTY;

        Builder() {
        }

        /** The status, 0..65535. */
        public B status(int status) {
            this.status = Checks.uint16("status", status);
            return self();
        }

        public B addHeader(String name, String value) {
            headers.add(name, value);
            return self();
        }

        public B addHeader(TextEntry header) {
            headers.add(header, "header");
            return self();
        }

        public B body(byte[] body) {
            this.body = body.clone();
            return self();
        }

        public B body(ByteBuffer body) {
            this.body = Bodies.copy(body);
            return self();
        }

        public B body(String body) {
            this.body = body.getBytes(StandardCharsets.UTF_8);
            return self();
        }

        /** Adds what {@code other} sets: its non-zero status and non-empty body win, its headers add up. */
        B merge(Reply other) {
            if (other.status != 0) {
                status = other.status;
            }
            headers.addAll(other.headers);
            if (other.body.length > 0) {
                body = other.body;
            }
            return self();
        }

        /** The reply set so far. */
        Reply reply() {
            return new Reply(this);
        }

        abstract B self();
    }
}
