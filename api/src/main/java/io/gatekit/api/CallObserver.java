package io.gatekit.api;

import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.http.Exchange;
import java.util.function.BiConsumer;

/**
 * Follows one call from its start to its end: the plugin phases it runs, the messages sent on its
 * behalf (each attempt to the upstream, each request a plugin sends through its client) and the
 * headers that carry its context to them. A tracer is the typical observer: a span per call, per
 * plugin phase and per outbound message, and a W3C {@code traceparent} on each message.
 *
 * <p>An observer is attached when the call starts, by {@link EngineListener#callStarted} or by a
 * plugin on the route ({@link Plugin#observe}); a call nobody observes costs nothing more. Methods
 * are called on the request path, one at a time for a call (though not always on one thread: an
 * async plugin's phase ends on the thread that completed it), so they must be fast and must not
 * throw; the engine logs and ignores what one throws. The defaults do nothing.
 *
 * <pre>{@code
 * CallObserver slowPlugins = new CallObserver() {
 *     public Runnable pluginStarted(Exchange exchange, String plugin, Phase phase) {
 *         long start = System.nanoTime();
 *         return () -> report(plugin, phase, System.nanoTime() - start); // when the method returned
 *     }
 * };
 * }</pre>
 */
public interface CallObserver {

    /**
     * Whether this observer hears of each plugin phase ({@link #pluginStarted}, {@link #pluginEnded}).
     * Read once, when the observer is attached: an observer that only propagates context answers
     * false and the engine keeps its fast path.
     *
     * @return true to hear of plugin phases
     */
    default boolean followsPlugins() {
        return true;
    }

    /**
     * A plugin's phase method is about to run.
     *
     * @param exchange the call
     * @param plugin the plugin's name
     * @param phase the phase
     * @return what to run on this thread as soon as the method returns (to close a thread-local
     *         scope opened here, say), even when the phase goes on asynchronously; or {@code null}
     */
    default @Nullable Runnable pluginStarted(Exchange exchange, String plugin, Phase phase) {
        return null;
    }

    /**
     * A plugin's phase ended: its method returned, or the stage it returned completed.
     *
     * @param exchange the call
     * @param plugin the plugin's name
     * @param phase the phase
     * @param error what the method threw or the stage failed with, or {@code null}
     */
    default void pluginEnded(Exchange exchange, String plugin, Phase phase, @Nullable Throwable error) {
    }

    /**
     * An attempt to the upstream is about to be sent: {@link Exchange#upstream()} names the node,
     * {@link Exchange#request()} the method and path. Called once per attempt, when the host makes
     * the attempt's headers.
     *
     * @param exchange the call
     * @param attempt the attempt's number, from 1
     * @param headers where to add the headers that carry this call's context to the upstream; a
     *                header of the same name in the request is not forwarded then
     * @return what to tell when the attempt ends
     */
    default Outbound upstreamStarted(Exchange exchange, int attempt, BiConsumer<String, String> headers) {
        return Outbound.IGNORED;
    }

    /**
     * A plugin sends {@code request} through its client on this call's behalf (a mirror copy, a
     * callout), by {@link io.gatekit.api.client.HttpClient#send(OutboundRequest, Exchange)}.
     *
     * @param exchange the call
     * @param plugin the plugin sending it
     * @param request the request as the plugin built it
     * @param headers where to add the headers that carry this call's context; a header of the same
     *                name in {@code request} is replaced
     * @return what to tell when the request ends
     */
    default Outbound requestStarted(Exchange exchange, String plugin, OutboundRequest request,
            BiConsumer<String, String> headers) {
        return Outbound.IGNORED;
    }

    /**
     * The headers that carry this call's current context to a message a plugin builds itself (a
     * runner call), by {@link Exchange#forEachContextHeader}.
     *
     * @param exchange the call
     * @param headers where to add them
     */
    default void contextHeaders(Exchange exchange, BiConsumer<String, String> headers) {
    }

    /**
     * The call completed: the response went out (or the client went away) and {@code log} ran.
     * {@link Exchange#response()} holds what the client got, when it got something.
     *
     * @param exchange the call
     */
    default void callCompleted(Exchange exchange) {
    }

    /**
     * An observer that tells both {@code first} and {@code second}, in that order.
     *
     * @param first told first, or {@code null}
     * @param second told second, or {@code null}
     * @return the pair, or the one that is not {@code null}, or {@code null} when both are
     */
    static @Nullable CallObserver both(@Nullable CallObserver first, @Nullable CallObserver second) {
        if (first == null) {
            return second;
        }
        if (second == null) {
            return first;
        }
        return new CallObservers(first, second);
    }

    /** One message sent on a call's behalf, as an observer follows it; told once how it ended. */
    @FunctionalInterface
    interface Outbound {

        /** Ignores how the message ended. */
        Outbound IGNORED = (status, error) -> { };

        /**
         * The message ended: its response head arrived, or it failed.
         *
         * @param status the response status, or 0 when there was none
         * @param error why it failed, or {@code null}
         */
        void ended(int status, @Nullable Throwable error);
    }
}
