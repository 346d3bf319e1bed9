package io.gatekit.api.http;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;

/**
 * A response: from the upstream, or one a plugin answers with. Mutable in the response phases:
 * plugins may change the status, the headers and (when the body was buffered) the body.
 *
 * <pre>{@code
 * HttpResponse response = HttpResponse.of(403, HttpHeaders.of("content-type", "text/plain"),
 *         "forbidden".getBytes(StandardCharsets.UTF_8));
 * }</pre>
 */
public final class HttpResponse {

    private int status;
    private final HttpHeaders headers;
    private byte @Nullable [] body;

    private HttpResponse(int status, HttpHeaders headers, byte @Nullable [] body) {
        this.status = HttpStatus.check("status", status);
        this.headers = requireNonNull(headers, "headers");
        this.body = body;
    }

    /**
     * A response with {@code status}, no headers and no body.
     *
     * @param status the HTTP status, 100 to 599
     * @return a response with no headers and no body
     */
    public static HttpResponse of(int status) {
        return new HttpResponse(status, HttpHeaders.of(), null);
    }

    /**
     * A response with everything given; {@code body} may be {@code null} (none, or streaming).
     *
     * @param status the HTTP status, 100 to 599
     * @param headers the headers, kept and mutable
     * @param body the body, or {@code null}
     * @return a new response
     */
    public static HttpResponse of(int status, HttpHeaders headers, byte @Nullable [] body) {
        return new HttpResponse(status, headers, body);
    }

    /** {@return the status code} */
    public int status() {
        return status;
    }

    /**
     * Changes the status code.
     *
     * @param status the new status, 100 to 599
     * @return this response
     */
    public HttpResponse status(int status) {
        this.status = HttpStatus.check("status", status);
        return this;
    }

    /** {@return the headers, mutable} */
    public HttpHeaders headers() {
        return headers;
    }

    /** {@return the whole body when buffered or produced by a plugin; {@code null} when it streams} */
    public byte @Nullable [] body() {
        return body;
    }

    /**
     * Replaces the body. The host fixes Content-Length to match.
     *
     * @param body the new body, or {@code null}
     * @return this response
     */
    public HttpResponse body(byte @Nullable [] body) {
        this.body = body;
        return this;
    }

    @Override
    public String toString() {
        return "HttpResponse[" + status + ", " + headers.size() + " headers, "
                + (body == null ? "no body" : body.length + " bytes") + ']';
    }
}
