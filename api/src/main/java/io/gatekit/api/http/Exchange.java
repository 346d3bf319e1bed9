package io.gatekit.api.http;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Consumer;
import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import java.util.function.BiConsumer;

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
     * {@code route_id}, {@code route_name}, {@code service_id}, {@code service_name}, ...; {@code null} when unset.
     *
     * @param name the variable's APISIX name
     * @return its value, or {@code null}
     */
    @Nullable String var(String name);

    /**
     * Hands {@code sink} the headers that carry this call's trace context (W3C {@code traceparent}
     * and {@code tracestate}, say) to a message a plugin builds and sends on the call's behalf, a
     * runner call for one. Nothing when no {@link io.gatekit.api.CallObserver} follows the call.
     * A message that copies the request's headers leaves out those of the same names. Requests
     * sent through {@link io.gatekit.api.client.HttpClient#send(io.gatekit.api.client.OutboundRequest,
     * Exchange)} get them without this.
     *
     * @param sink takes each header's name and value
     */
    default void forEachContextHeader(BiConsumer<String, String> sink) {
    }

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

    /**
     * The consumer an authentication plugin attached to this call, or {@code null} while none is.
     *
     * @return the consumer, or {@code null}
     */
    default @Nullable Consumer consumer() {
        return null;
    }

    /**
     * The consumer whose config of authentication plugin {@code plugin} has string field
     * {@code field} equal to {@code value}, as APISIX's {@code consumer.find_consumer}: how
     * {@code key-auth} finds who sent a key. Plugins other than authentication ones get nothing.
     *
     * @param plugin the authentication plugin's name, e.g. {@code key-auth}
     * @param field  the field of its consumer config that identifies, e.g. {@code key}
     * @param value  the value the request carries
     * @return the consumer, or {@code null} when none has it
     */
    default @Nullable Consumer findConsumer(String plugin, String field, String value) {
        return null;
    }

    /**
     * Attaches the consumer a plugin identified, in the {@code rewrite} phase: once that phase
     * ends, the plugins of the consumer and of its group take precedence over the route's (as
     * APISIX's {@code consumer.attach_consumer}), and {@code consumer_name} and
     * {@code consumer_group_id} become request variables. Sets the request header
     * {@code X-Consumer-Username}.
     *
     * @param consumer a consumer {@link #findConsumer} returned
     * @throws UnsupportedOperationException when the host has no consumers
     */
    default void attachConsumer(Consumer consumer) {
        throw new UnsupportedOperationException("consumers: not supported by " + getClass().getName());
    }
}
