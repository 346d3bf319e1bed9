package io.gatekit.runner;

import io.gatekit.runner.internal.Checks;
import java.net.InetAddress;
import java.util.List;
import java.util.Arrays;
import java.util.Objects;

/**
 * A request, as APISIX describes it to a runner in an {@code HTTPReqCall}: what the
 * {@code ext-plugin-pre-req} and {@code ext-plugin-post-req} plugins send.
 *
 * <p>Header names are expected in lower case, one entry per value, as APISIX sends them. The conf
 * token is not part of this value: the client adds it.
 */
public final class HttpReqCall {

    private final long id;
    private final byte[] sourceIp;
    private final HttpMethod method;
    private final String path;
    private final List<TextEntry> args;
    private final List<TextEntry> headers;

    private HttpReqCall(Builder builder) {
        this.id = builder.id;
        this.sourceIp = builder.sourceIp;
        this.method = builder.method;
        this.path = builder.path;
        this.args = builder.args.toList();
        this.headers = builder.headers.toList();
    }

    /** A builder with id 0, method GET, path "", no source address, no arguments and no headers. */
    public static Builder builder() {
        return new Builder();
    }

    /** The request id, an unsigned 32-bit value. */
    public long id() {
        return id;
    }

    /** The client address in network order: 4 bytes (IPv4), 16 (IPv6), or none. A copy. */
    public byte[] sourceIp() {
        return sourceIp.clone();
    }

    public HttpMethod method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** Query arguments in order; repeated names give several entries; a flag has no value. */
    public List<TextEntry> args() {
        return args;
    }

    public List<TextEntry> headers() {
        return headers;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HttpReqCall that && id == that.id && Arrays.equals(sourceIp, that.sourceIp)
                && method == that.method && path.equals(that.path) && args.equals(that.args) && headers.equals(that.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, Arrays.hashCode(sourceIp), method, path, args, headers);
    }

    @Override
    public String toString() {
        return "HttpReqCall{id=" + id + ", method=" + method + ", path=" + path + ", args=" + args.size()
                + ", headers=" + headers.size() + "}";
    }

    /** Builds an {@link HttpReqCall}; every setter checks its argument at once. */
    public static final class Builder extends HeadersBuilder<Builder> {
        private long id;
        private byte[] sourceIp = new byte[0];
        private HttpMethod method = HttpMethod.GET;
        private String path = "";
        private final Entries args = new Entries();

        private Builder() {
        }

        public Builder id(long id) {
            this.id = Checks.uint32("id", id);
            return this;
        }

        /** The client address in network order: 0, 4 or 16 bytes. */
        public Builder sourceIp(byte[] sourceIp) {
            int length = sourceIp.length;
            if (length != 0 && length != 4 && length != 16) {
                throw new IllegalArgumentException("sourceIp: " + length + " bytes (expected: 0, 4 or 16)");
            }
            this.sourceIp = sourceIp.clone();
            return this;
        }

        public Builder sourceIp(InetAddress address) {
            return sourceIp(address.getAddress());
        }

        public Builder method(HttpMethod method) {
            this.method = Objects.requireNonNull(method, "method");
            return this;
        }

        public Builder path(String path) {
            this.path = Objects.requireNonNull(path, "path");
            return this;
        }

        public Builder addArg(String name, String value) {
            args.add(name, value);
            return this;
        }

        public Builder addArg(TextEntry arg) {
            args.add(arg, "arg");
            return this;
        }

        /** Replaces the arguments added so far. */
        public Builder args(List<TextEntry> args) {
            this.args.replaceAll(args);
            return this;
        }

        public HttpReqCall build() {
            return new HttpReqCall(this);
        }
    }
}
