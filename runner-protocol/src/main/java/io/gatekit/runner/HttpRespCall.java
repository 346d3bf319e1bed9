package io.gatekit.runner;

import io.gatekit.runner.internal.Checks;
import java.util.List;
import java.util.Objects;

/**
 * An upstream response, as APISIX describes it to a runner in an {@code HTTPRespCall}: what the
 * {@code ext-plugin-post-resp} plugin sends. The body is not included; a runner asks for it with
 * {@link ExtraInfo#responseBody()}. The conf token is not part of this value: the client adds it.
 */
public final class HttpRespCall {

    private final long id;
    private final int status;
    private final List<TextEntry> headers;

    private HttpRespCall(Builder builder) {
        this.id = builder.id;
        this.status = builder.status;
        this.headers = builder.headers.toList();
    }

    /** A builder with id 0, status 200 and no headers. */
    public static Builder builder() {
        return new Builder();
    }

    /** The request id, an unsigned 32-bit value. */
    public long id() {
        return id;
    }

    /** The upstream status. */
    public int status() {
        return status;
    }

    /** The upstream headers, names as the upstream spelled them, one entry per value. */
    public List<TextEntry> headers() {
        return headers;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HttpRespCall that && id == that.id && status == that.status && headers.equals(that.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, status, headers);
    }

    @Override
    public String toString() {
        return "HttpRespCall{id=" + id + ", status=" + status + ", headers=" + headers.size() + "}";
    }

    /** Builds an {@link HttpRespCall}; every setter checks its argument at once. */
    public static final class Builder extends HeadersBuilder<Builder> {
        private long id;
        private int status = 200;

        private Builder() {
        }

        public Builder id(long id) {
            this.id = Checks.uint32("id", id);
            return this;
        }

        public Builder status(int status) {
            this.status = Checks.uint16("status", status);
            return this;
        }

        public HttpRespCall build() {
            return new HttpRespCall(this);
        }
    }
}
