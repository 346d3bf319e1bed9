package io.gatekit.api.http;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;

/**
 * One request going through the engine: the request, where it goes, the response, and typed
 * per-request attributes. Plugins get it in every phase; it belongs to that request only.
 *
 * <pre>{@code
 * public Outcome rewrite(Exchange exchange) {
 *     exchange.request().path("/v2" + exchange.request().path());
 *     return Outcome.proceed();
 * }
 * }</pre>
 */
public interface Exchange {

    /** {@return the request, as changed so far by plugins} */
    HttpRequest request();

    /** {@return where the request goes; filled in by the host before {@link Phase#BEFORE_PROXY}} */
    UpstreamTarget upstream();

    /**
     * The response: the upstream's or a plugin's; {@code null} in the request phases, before
     * there is one.
     *
     * @return the response, or {@code null} before there is one
     */
    @Nullable HttpResponse response();

    /** {@return the id of the matched route, or {@code null} when no route matched (global rules only)} */
    @Nullable String routeId();

    /** {@return the phase running now} */
    Phase phase();

    /**
     * A request variable by its APISIX name: {@code uri} (the path as received, normalized as
     * nginx's {@code $uri}: decoded, dot segments resolved, slashes merged; unchanged when a
     * plugin changes the path), {@code request_uri} (that and the query as received),
     * {@code real_request_uri} (path and query exactly as received), {@code host}, {@code request_method},
     * {@code remote_addr}, {@code arg_NAME}, {@code http_NAME}, {@code cookie_NAME},
     * {@code server_addr}, {@code server_port}, {@code status}, {@code upstream_status},
     * {@code route_id}, ...; {@code null} when unset.
     *
     * @param name the variable's APISIX name
     * @return its value, or {@code null}
     */
    @Nullable String var(String name);

    /**
     * The value of attribute {@code key}, or {@code null}.
     *
     * @param <T> the value type
     * @param key the key
     * @return the value, or {@code null}
     */
    <T> @Nullable T attr(AttributeKey<T> key);

    /**
     * Sets attribute {@code key} ({@code null} removes it).
     *
     * @param <T> the value type
     * @param key the key
     * @param value the value, or {@code null} to remove it
     */
    <T> void attr(AttributeKey<T> key, @Nullable T value);
}
