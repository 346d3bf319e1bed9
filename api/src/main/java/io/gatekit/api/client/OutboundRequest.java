package io.gatekit.api.client;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import io.gatekit.api.http.HttpHeaders;
import java.net.URI;
import java.time.Duration;

/**
 * A request a plugin sends through {@link HttpClient}. Immutable once built.
 *
 * <pre>{@code
 * OutboundRequest request = OutboundRequest.builder("http://127.0.0.1:9797/hello?a=1")
 *         .method("GET")
 *         .header("Host", "example.com")
 *         .connectTimeout(Duration.ofSeconds(1))
 *         .readTimeout(Duration.ofSeconds(5))
 *         .build();
 * }</pre>
 */
public final class OutboundRequest {

    private final String method;
    private final URI uri;
    private final HttpHeaders headers;
    private final byte @Nullable [] body;
    private final Duration connectTimeout;
    private final Duration sendTimeout;
    private final Duration readTimeout;
    private final boolean verifyTls;
    private final boolean discardResponseBody;

    private OutboundRequest(Builder b) {
        method = b.method;
        uri = b.uri;
        headers = b.headers.copy();
        body = b.body;
        connectTimeout = b.connectTimeout;
        sendTimeout = b.sendTimeout;
        readTimeout = b.readTimeout;
        verifyTls = b.verifyTls;
        discardResponseBody = b.discardResponseBody;
    }

    /**
     * A builder for a request to {@code uri} (absolute, http or https).
     *
     * @param uri the absolute target
     * @return a new builder
     */
    public static Builder builder(String uri) {
        return new Builder(URI.create(requireNonNull(uri, "uri")));
    }

    /**
     * A builder for a request to {@code uri} (absolute, http or https).
     *
     * @param uri the absolute target
     * @return a new builder
     */
    public static Builder builder(URI uri) {
        return new Builder(uri);
    }

    /** {@return the method} */
    public String method() {
        return method;
    }

    /** {@return the absolute URI} */
    public URI uri() {
        return uri;
    }

    /** {@return the headers (a copy owned by this request; do not change it)} */
    public HttpHeaders headers() {
        return headers;
    }

    /** {@return the body, or {@code null}} */
    public byte @Nullable [] body() {
        return body;
    }

    /** {@return how long to wait for the connection} */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** {@return how long sending the request may take} */
    public Duration sendTimeout() {
        return sendTimeout;
    }

    /** {@return how long to wait for the response once sent} */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** {@return whether to verify the server's TLS certificate and host name (https only)} */
    public boolean verifyTls() {
        return verifyTls;
    }

    /**
     * {@return whether the caller reads only the response's status and headers} A client may then
     * drop the body as it arrives instead of keeping it, and answer with an empty body.
     */
    public boolean discardResponseBody() {
        return discardResponseBody;
    }

    @Override
    public String toString() {
        return "OutboundRequest[" + method + ' ' + uri + ']';
    }

    /** Builds an {@link OutboundRequest}. Timeouts default to 60 s each, as APISIX's. */
    public static final class Builder {
        private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

        private String method = "GET";
        private final URI uri;
        private final HttpHeaders headers = HttpHeaders.of();
        private byte @Nullable [] body;
        private Duration connectTimeout = DEFAULT_TIMEOUT;
        private Duration sendTimeout = DEFAULT_TIMEOUT;
        private Duration readTimeout = DEFAULT_TIMEOUT;
        private boolean verifyTls = true;
        private boolean discardResponseBody;

        private Builder(URI uri) {
            requireNonNull(uri, "uri");
            String scheme = uri.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null) {
                throw Arguments.invalid("uri", uri, "absolute http:// or https:// URI");
            }
            this.uri = uri;
        }

        /**
         * The method, e.g. {@code POST}.
         *
         * @param method the method, e.g. {@code POST}
         * @return this builder
         */
        public Builder method(String method) {
            requireNonNull(method, "method");
            if (method.isEmpty()) {
                throw Arguments.invalid("method", "\"\"", "an HTTP method");
            }
            this.method = method;
            return this;
        }

        /**
         * Adds a header.
         *
         * @param name the header name
         * @param value the header value
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        /**
         * Adds every header of {@code all}.
         *
         * @param all the headers to add
         * @return this builder
         */
        public Builder headers(HttpHeaders all) {
            all.forEach(headers::add);
            return this;
        }

        /**
         * The body, or {@code null} for none.
         *
         * @param body the body, or {@code null}
         * @return this builder
         */
        public Builder body(byte @Nullable [] body) {
            this.body = body;
            return this;
        }

        /**
         * Connect timeout; positive.
         *
         * @param timeout the connect timeout
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            connectTimeout = checkTimeout("connectTimeout", timeout);
            return this;
        }

        /**
         * Send timeout; positive.
         *
         * @param timeout the send timeout
         * @return this builder
         */
        public Builder sendTimeout(Duration timeout) {
            sendTimeout = checkTimeout("sendTimeout", timeout);
            return this;
        }

        /**
         * Read timeout; positive.
         *
         * @param timeout the read timeout
         * @return this builder
         */
        public Builder readTimeout(Duration timeout) {
            readTimeout = checkTimeout("readTimeout", timeout);
            return this;
        }

        /**
         * Whether to verify TLS certificates (default true).
         *
         * @param verifyTls false to accept any certificate
         * @return this builder
         */
        public Builder verifyTls(boolean verifyTls) {
            this.verifyTls = verifyTls;
            return this;
        }

        /**
         * Whether the caller reads only the response's status and headers (default false), as for
         * a mirror copy whose answer is only counted: the client may then drop the body as it
         * arrives rather than keep it in memory, and the response's body is empty. The connection
         * is still read to the end of the response, so it can be used again.
         *
         * @param discard true when the body is not wanted
         * @return this builder
         */
        public Builder discardResponseBody(boolean discard) {
            this.discardResponseBody = discard;
            return this;
        }

        /** {@return the request} */
        public OutboundRequest build() {
            return new OutboundRequest(this);
        }

        private static Duration checkTimeout(String name, Duration timeout) {
            requireNonNull(timeout, name);
            if (timeout.isZero() || timeout.isNegative()) {
                throw Arguments.invalid(name, timeout, "> 0");
            }
            return timeout;
        }
    }
}
