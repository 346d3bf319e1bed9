package io.gatekit.api;

/**
 * Which bodies a plugin needs whole. Bodies stream through the host unless some plugin on the
 * route asks for them here; only then are they buffered (up to the host's limit) and exposed as
 * {@link io.gatekit.api.http.HttpRequest#body()} and {@link io.gatekit.api.http.HttpResponse#body()}.
 */
public enum BodyBuffering {
    /** Bodies stream; the plugin never reads them whole. */
    NONE,
    /** The whole request body is read before the request phases run. */
    REQUEST,
    /** The whole upstream response body is read before {@link Phase#HEADER_FILTER} runs. */
    RESPONSE,
    /** Both. */
    BOTH;

    /** {@return whether the request body must be buffered} */
    public boolean request() {
        return this == REQUEST || this == BOTH;
    }

    /** {@return whether the response body must be buffered} */
    public boolean response() {
        return this == RESPONSE || this == BOTH;
    }

    /**
     * The union of this and {@code other}.
     *
     * @param other what another plugin asks for
     * @return what either asks for
     */
    public BodyBuffering with(BodyBuffering other) {
        boolean req = request() || other.request();
        boolean resp = response() || other.response();
        return req ? (resp ? BOTH : REQUEST) : (resp ? RESPONSE : NONE);
    }
}
