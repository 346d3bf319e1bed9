package io.gatekit.runner;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A runner's answer to an {@link HttpReqCall}: {@linkplain #none() nothing}, a {@link Reply} that
 * stops the request and answers the client at once, or a {@link Rewrite} of the request on its way
 * upstream.
 */
public sealed interface ReqAction permits ReqAction.None, Reply, ReqAction.Rewrite {

    /** The request goes on unchanged. */
    static ReqAction none() {
        return None.INSTANCE;
    }

    /** A builder of a {@link Reply} that stops the request: status 0 (sent as 200), no headers, no body. */
    static Reply.Builder stop() {
        return Reply.builder();
    }

    /** A builder of a {@link Rewrite} that changes nothing yet. */
    static Rewrite.Builder rewrite() {
        return new Rewrite.Builder();
    }

    /** No action: the request goes on unchanged. */
    final class None implements ReqAction {
        private static final None INSTANCE = new None();

        private None() {
        }

        @Override
        public String toString() {
            return "ReqAction.None";
        }
    }

    /**
     * Change the request on its way upstream. Everything is optional: an absent path keeps the path,
     * an empty body keeps the body. A header or argument without a value is deleted.
     */
    final class Rewrite implements ReqAction {
        private final String path;
        private final List<TextEntry> headers;
        private final List<TextEntry> args;
        private final List<TextEntry> respHeaders;
        private final byte[] body;

        private Rewrite(Builder builder) {
            this.path = builder.path;
            this.headers = builder.headers.toList();
            this.args = builder.args.toList();
            this.respHeaders = builder.respHeaders.toList();
            this.body = builder.body;
        }

        /** The new upstream path, if the runner set one. */
        public Optional<String> path() {
            return Optional.ofNullable(path);
        }

        /** Request headers to set; an entry without a value deletes the header. */
        public List<TextEntry> headers() {
            return headers;
        }

        /** Query arguments to set; an entry without a value deletes the argument. */
        public List<TextEntry> args() {
            return args;
        }

        /** Headers to add to the response the client eventually gets. */
        public List<TextEntry> respHeaders() {
            return respHeaders;
        }

        /** A read-only view of the new request body, empty when the body stays as it is. */
        public ByteBuffer body() {
            return ByteBuffer.wrap(body).asReadOnlyBuffer();
        }

        /** The new body decoded as UTF-8, empty when the body stays as it is. */
        public String bodyUtf8() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Rewrite that && Objects.equals(path, that.path) && headers.equals(that.headers)
                    && args.equals(that.args) && respHeaders.equals(that.respHeaders) && Arrays.equals(body, that.body);
        }

        @Override
        public int hashCode() {
            return Objects.hash(path, headers, args, respHeaders, Arrays.hashCode(body));
        }

        @Override
        public String toString() {
            return "ReqAction.Rewrite{path=" + path + ", headers=" + headers + ", args=" + args
                    + ", respHeaders=" + respHeaders + ", body=" + body.length + " bytes}";
        }

        /** Builds a {@link Rewrite}; every setter checks its argument at once. */
        public static final class Builder extends BodyBuilder<Builder> {
            private String path;
            private final Entries args = new Entries();
            private final Entries respHeaders = new Entries();

            private Builder() {
            }

            public Builder path(String path) {
                this.path = Objects.requireNonNull(path, "path");
                return this;
            }

            public Builder setHeader(String name, String value) {
                headers.add(name, value);
                return this;
            }

            public Builder deleteHeader(String name) {
                headers.addNameOnly(name);
                return this;
            }

            public Builder setArg(String name, String value) {
                args.add(name, value);
                return this;
            }

            public Builder deleteArg(String name) {
                args.addNameOnly(name);
                return this;
            }

            public Builder addArg(TextEntry arg) {
                args.add(arg, "arg");
                return this;
            }

            public Builder addRespHeader(String name, String value) {
                respHeaders.add(name, value);
                return this;
            }

            public Builder addRespHeader(TextEntry header) {
                respHeaders.add(header, "header");
                return this;
            }

            /** Adds everything {@code other} sets; its path and non-empty body replace this builder's. */
            Builder merge(Rewrite other) {
                if (other.path != null) {
                    path = other.path;
                }
                headers.addAll(other.headers);
                args.addAll(other.args);
                respHeaders.addAll(other.respHeaders);
                if (other.body.length > 0) {
                    body = other.body;
                }
                return this;
            }

            public Rewrite build() {
                return new Rewrite(this);
            }
        }
    }
}
