package io.gatekit.api;

import io.gatekit.api.http.Exchange;
import java.nio.ByteBuffer;

/**
 * A plugin instance bound to one validated config, created by its {@link PluginFactory}.
 *
 * <p>An instance is shared by every request of the routes that configure it, on many threads at
 * once, so it holds no per-request state (use {@link Exchange#attr} for that). It implements only
 * the phases it needs; the engine finds out which ones when the config is applied and never calls
 * the others, so an unused phase costs nothing.
 *
 * <pre>{@code
 * final class StampPlugin implements Plugin {
 *     private final String value;
 *
 *     StampPlugin(String value) { this.value = value; }
 *
 *     public Outcome rewrite(Exchange exchange) {
 *         exchange.request().headers().set("x-stamp", value);
 *         return Outcome.proceed();
 *     }
 * }
 * }</pre>
 *
 * <p>A phase method must not block: return {@link Outcome#async} or {@link Completion#after} for
 * work that waits. If it throws, the engine fails only this request (500, unless
 * {@link #failOpen()}), names the plugin and route in the log and the listener, and goes on
 * serving others.
 */
public interface Plugin extends AutoCloseable {

    /**
     * Rewrite the request; may short-circuit.
     *
     * @param exchange the request, mutable
     * @return whether to continue or to respond
     */
    default Outcome rewrite(Exchange exchange) {
        return Outcome.proceed();
    }

    /**
     * Decide on the request; may short-circuit.
     *
     * @param exchange the request, mutable
     * @return whether to continue or to respond
     */
    default Outcome access(Exchange exchange) {
        return Outcome.proceed();
    }

    /**
     * Last look before the upstream is called; {@link Exchange#upstream()} holds the picked node.
     * May short-circuit.
     *
     * @param exchange the request and its chosen upstream
     * @return whether to continue or to respond
     */
    default Outcome beforeProxy(Exchange exchange) {
        return Outcome.proceed();
    }

    /**
     * The response status and headers are known and may be changed; if this plugin asked for
     * {@link BodyBuffering#RESPONSE}, the whole body is in {@link Exchange#response()} too.
     *
     * @param exchange the request and the response
     * @return when this plugin is done with the response head
     */
    default Completion headerFilter(Exchange exchange) {
        return Completion.done();
    }

    /**
     * One chunk of the response body, on its way to the client. Returns the chunk to pass on:
     * {@code chunk} itself when unchanged, or a replacement.
     *
     * @param exchange the request and the response
     * @param chunk the chunk as received from the upstream or the previous plugin
     * @return the chunk to pass on
     * @param last whether this is the final chunk of the body
     */
    default ByteBuffer bodyFilter(Exchange exchange, ByteBuffer chunk, boolean last) {
        return chunk;
    }

    /**
     * The response was sent; record what happened. Exceptions here are logged and ignored.
     *
     * @param exchange the finished exchange
     */
    default void log(Exchange exchange) {
    }

    /**
     * Follows the whole call, from before its first phase to its end: a tracing plugin starts the
     * call's span here and returns what follows its plugins and upstream attempts (see
     * {@link CallObserver}). Called once per call of every route this instance is on, right after
     * routing, before any phase, global rules first; only for plugin classes that override it.
     *
     * @param exchange the call, with its route matched and no plugin run yet
     * @return the call's observer, or {@code null} (the default) to follow nothing
     */
    default @Nullable CallObserver observe(Exchange exchange) {
        return null;
    }

    /** {@return which bodies this instance needs whole. Default: none, bodies stream} */
    default BodyBuffering bodyBuffering() {
        return BodyBuffering.NONE;
    }

    /**
     * Whether a failure of this instance lets the request continue (fail-open) instead of ending
     * it with a 500 (fail-closed, the default).
     *
     * @return true to continue the request when this instance fails
     */
    default boolean failOpen() {
        return false;
    }

    /**
     * Releases what this instance holds. Called exactly once, when the instance leaves the config
     * (a change, a delete, or the engine closing) and no request uses it any more.
     */
    @Override
    default void close() {
    }
}
