package io.gatekit.api.http;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import java.net.InetSocketAddress;

/**
 * The client's request as the engine and plugins see it, independent of the transport. Plugins in
 * the request phases may change the method, path, query, headers and body; the host sends the
 * result upstream.
 *
 * <pre>{@code
 * HttpRequest request = HttpRequest.builder()
 *         .method("POST")
 *         .path("/hello")
 *         .rawQuery("a=1")
 *         .header("Host", "example.com")
 *         .remoteAddress(new InetSocketAddress("127.0.0.1", 50000))
 *         .build();
 * }</pre>
 *
 * <p>The query string is parsed only when {@link #query()} is first called, so a request no plugin
 * inspects costs nothing for it.
 */
public final class HttpRequest {

    private String method;
    private final String scheme;
    private final String host;
    private final @Nullable String receivedHostHeader;
    private String path;
    private @Nullable String rawQuery;
    private @Nullable QueryParams query;
    private final HttpHeaders headers;
    private byte @Nullable [] body;
    private final InetSocketAddress remoteAddress;
    private final InetSocketAddress localAddress;
    /** {@link #remoteIp()}, formatted on first use: the router, proxy headers and plugins all read it. */
    private @Nullable String remoteIp;

    private HttpRequest(Builder b) {
        method = b.method;
        scheme = b.scheme;
        path = b.path;
        rawQuery = b.rawQuery;
        headers = b.headers;
        body = b.body;
        remoteAddress = b.remoteAddress;
        localAddress = b.localAddress;
        receivedHostHeader = headers.get("host");
        host = b.host != null ? b.host : hostFromHeader(receivedHostHeader);
    }

    /** {@return a builder; {@code method} defaults to GET, {@code path} to {@code /}, scheme to http} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the method, upper-case, e.g. {@code GET}} */
    public String method() {
        return method;
    }

    /**
     * Changes the method sent upstream.
     *
     * @param method the new method
     * @return this request
     */
    public HttpRequest method(String method) {
        this.method = checkMethod(method);
        return this;
    }

    /** {@return {@code http} or {@code https}, as the client connected} */
    public String scheme() {
        return scheme;
    }

    /** {@return the host the client asked for (Host header without port, lower-case), or {@code ""}} */
    public String host() {
        return host;
    }

    /**
     * The {@code Host} header as the request was built, port and case as sent, whatever plugins
     * have done to {@link #headers()} since: what {@code pass_host: pass} falls back to when a
     * plugin removed the header.
     *
     * @return the header's first value when the request was built, or {@code null} without one
     */
    public @Nullable String receivedHostHeader() {
        return receivedHostHeader;
    }

    /**
     * {@return the path as received, percent-encoding kept, without the query} It is what goes
     * upstream unless a plugin changes it. Routes match its normalized form (nginx's {@code $uri}:
     * decoded, dot segments resolved, repeated slashes merged), which {@link Exchange#var var("uri")}
     * gives.
     */
    public String path() {
        return path;
    }

    /**
     * Changes the path sent upstream.
     *
     * @param path the new path, starting with {@code /}
     * @return this request
     */
    public HttpRequest path(String path) {
        this.path = checkPath(path);
        return this;
    }

    /** {@return the query string as it stands (re-encoded if {@link #query()} was used), or {@code null}} */
    public @Nullable String rawQuery() {
        if (query != null) {
            String encoded = query.encode();
            return encoded.isEmpty() ? null : encoded;
        }
        return rawQuery;
    }

    /**
     * Replaces the query string sent upstream, as raw text without {@code ?} ({@code null} or
     * empty for none); arguments read through {@link #query()} before are dropped with it.
     *
     * @param rawQuery the new query string
     * @return this request
     */
    public HttpRequest rawQuery(@Nullable String rawQuery) {
        this.rawQuery = rawQuery == null || rawQuery.isEmpty() ? null : rawQuery;
        this.query = null;
        return this;
    }

    /** {@return the query arguments, mutable} */
    public QueryParams query() {
        if (query == null) {
            query = QueryParams.parse(rawQuery);
        }
        return query;
    }

    /** {@return the path plus {@code ?query} when there is one, as sent upstream} */
    public String uri() {
        String q = rawQuery();
        return q == null ? path : path + '?' + q;
    }

    /** {@return the headers, mutable} */
    public HttpHeaders headers() {
        return headers;
    }

    /**
     * The whole body, when it was buffered (some plugin asked for it, or the host had it whole);
     * {@code null} when it streams or there is none.
     *
     * @return the body, or {@code null}
     */
    public byte @Nullable [] body() {
        return body;
    }

    /**
     * Replaces the body sent upstream ({@code null} for none).
     *
     * @param body the new body, or {@code null}
     * @return this request
     */
    public HttpRequest body(byte @Nullable [] body) {
        this.body = body;
        return this;
    }

    /** {@return the client's address} */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** {@return the address the client connected to (the server's side of the connection)} */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** {@return the client's IP as text, e.g. {@code 127.0.0.1}; formatted once per request} */
    public String remoteIp() {
        String ip = remoteIp;
        if (ip == null) {
            remoteIp = ip = remoteAddress.getAddress() != null
                    ? remoteAddress.getAddress().getHostAddress() : remoteAddress.getHostString();
        }
        return ip;
    }

    private static String hostFromHeader(@Nullable String header) {
        if (header == null || header.isEmpty()) {
            return "";
        }
        int end = header.length();
        if (header.charAt(0) == '[') {
            int close = header.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = header.lastIndexOf(':');
            end = colon < 0 ? end : colon;
        }
        return header.substring(0, end).toLowerCase(java.util.Locale.ROOT);
    }

    private static String checkMethod(String method) {
        requireNonNull(method, "method");
        if (method.isEmpty()) {
            throw Arguments.invalid("method", "\"\"", "an HTTP method such as GET");
        }
        return method.toUpperCase(java.util.Locale.ROOT);
    }

    private static String checkPath(String path) {
        requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw Arguments.invalid("path", "\"" + path + "\"", "starts with /");
        }
        return path;
    }

    @Override
    public String toString() {
        return "HttpRequest[" + method + ' ' + uri() + ']';
    }

    /** The addresses of a request built without them: 127.0.0.1, port 0. */
    private static final InetSocketAddress UNSET_ADDRESS = new InetSocketAddress("127.0.0.1", 0);

    /** Builds an {@link HttpRequest}; setters check their argument at once. */
    public static final class Builder {
        private String method = "GET";
        private String scheme = "http";
        private @Nullable String host;
        private String path = "/";
        private @Nullable String rawQuery;
        private final HttpHeaders headers = HttpHeaders.of();
        private byte @Nullable [] body;
        // one immutable default for every builder: making it per builder parsed the literal each time
        private InetSocketAddress remoteAddress = UNSET_ADDRESS;
        private InetSocketAddress localAddress = UNSET_ADDRESS;

        private Builder() {
        }

        /**
         * The method; upper-cased.
         *
         * @param method the method
         * @return this builder
         */
        public Builder method(String method) {
            this.method = checkMethod(method);
            return this;
        }

        /**
         * {@code http} or {@code https}.
         *
         * @param scheme {@code http} or {@code https}
         * @return this builder
         */
        public Builder scheme(String scheme) {
            requireNonNull(scheme, "scheme");
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw Arguments.invalid("scheme", scheme, "http or https");
            }
            this.scheme = scheme;
            return this;
        }

        /**
         * The requested host; by default taken from the Host header.
         *
         * @param host the host, without port
         * @return this builder
         */
        public Builder host(String host) {
            this.host = requireNonNull(host, "host").toLowerCase(java.util.Locale.ROOT);
            return this;
        }

        /**
         * The path, starting with {@code /}, without the query.
         *
         * @param path the path
         * @return this builder
         */
        public Builder path(String path) {
            this.path = checkPath(path);
            return this;
        }

        /**
         * The raw query string without {@code ?}, or {@code null}.
         *
         * @param rawQuery the query, or {@code null}
         * @return this builder
         */
        public Builder rawQuery(@Nullable String rawQuery) {
            this.rawQuery = rawQuery == null || rawQuery.isEmpty() ? null : rawQuery;
            return this;
        }

        /**
         * Splits {@code uri} ({@code /path?query}) into path and query.
         *
         * @param uri the path and query
         * @return this builder
         */
        public Builder uri(String uri) {
            requireNonNull(uri, "uri");
            int q = uri.indexOf('?');
            path(q < 0 ? uri : uri.substring(0, q));
            return rawQuery(q < 0 ? null : uri.substring(q + 1));
        }

        /**
         * Adds a header.
         *
         * @param name the header name
         * @param value the value
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        /**
         * The whole body, if the host has it.
         *
         * @param body the body, or {@code null}
         * @return this builder
         */
        public Builder body(byte @Nullable [] body) {
            this.body = body;
            return this;
        }

        /**
         * The client's address.
         *
         * @param remoteAddress the client's address
         * @return this builder
         */
        public Builder remoteAddress(InetSocketAddress remoteAddress) {
            this.remoteAddress = requireNonNull(remoteAddress, "remoteAddress");
            return this;
        }

        /**
         * The server address the client connected to.
         *
         * @param localAddress the local address
         * @return this builder
         */
        public Builder localAddress(InetSocketAddress localAddress) {
            this.localAddress = requireNonNull(localAddress, "localAddress");
            return this;
        }

        /** {@return the request} */
        public HttpRequest build() {
            return new HttpRequest(this);
        }
    }
}
