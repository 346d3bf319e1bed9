package io.gatekit.api;

/**
 * The phases a request goes through, in this order, as in APISIX.
 *
 * <p>The first three run before the upstream is called and may short-circuit the request with a
 * response of their own ({@link Outcome#respond}). The last three run on the response (from the
 * upstream, or the one a plugin short-circuited with) and may change it, but not replace the
 * exchange's flow.
 */
public enum Phase {
    /** After the route matched and configs merged; rewrite the request, authenticate. */
    REWRITE("rewrite", true),
    /** After rewrite; authorize, limit, decide. */
    ACCESS("access", true),
    /** After the upstream node was picked, right before the upstream is called. */
    BEFORE_PROXY("before_proxy", true),
    /** When response status and headers are known; the body may be complete if buffered. */
    HEADER_FILTER("header_filter", false),
    /** For each response body chunk. */
    BODY_FILTER("body_filter", false),
    /** After the response was sent. */
    LOG("log", false);

    private final String apisixName;
    private final boolean mayShortCircuit;

    Phase(String apisixName, boolean mayShortCircuit) {
        this.apisixName = apisixName;
        this.mayShortCircuit = mayShortCircuit;
    }

    /** {@return the phase's name as APISIX spells it, e.g. {@code before_proxy}} */
    public String apisixName() {
        return apisixName;
    }

    /** {@return whether a plugin may end the request with its own response in this phase} */
    public boolean mayShortCircuit() {
        return mayShortCircuit;
    }
}
