package io.gatekit.api;

import io.gatekit.api.http.Exchange;
import java.util.List;

/**
 * Observes the engine: per plugin and phase timings and failures, config changes, and each call
 * as it starts (to follow it with a {@link CallObserver}: a tracer's spans). Methods are called on
 * the request path, so implementations must be fast and must not throw; the defaults do nothing.
 * The engine's metrics and the OpenTelemetry tracer of {@code gatekit-opentelemetry} are
 * implementations; {@link #of} combines several.
 *
 * <pre>{@code
 * EngineListener slowPlugins = new EngineListener() {
 *     public void pluginPhase(String plugin, Phase phase, String routeId, long nanos) {
 *         if (nanos > 1_000_000) log.warn(plugin + " took " + nanos + " ns in " + phase);
 *     }
 * };
 * }</pre>
 */
public interface EngineListener {

    /** A listener that does nothing. */
    EngineListener NONE = new EngineListener() { };

    /**
     * Whether the engine times every plugin phase for {@link #pluginPhase}. Read once, when the
     * engine is built. A listener that needs no timings (a tracer that follows calls through
     * {@link #callStarted}) answers false, and the engine then reads no clock per plugin.
     *
     * @return true (the default) to hear {@link #pluginPhase}
     */
    default boolean timesPlugins() {
        return true;
    }

    /**
     * A call starts: its route is matched (or not), no plugin has run. Return an observer to
     * follow this call to its end, or {@code null} (the default) for none: then nothing more is
     * made or called for the call than {@link #pluginPhase} and {@link #pluginFailed}.
     *
     * @param exchange the call; {@link Exchange#routeId()} tells the route
     * @return the call's observer, or {@code null}
     */
    default @Nullable CallObserver callStarted(Exchange exchange) {
        return null;
    }

    /**
     * A plugin's phase method ran (synchronously, or until its stage completed).
     *
     * @param plugin the plugin name
     * @param phase the phase that ran
     * @param nanos how long it took, in nanoseconds
     * @param routeId the route, or {@code ""} when no route matched
     */
    default void pluginPhase(String plugin, Phase phase, String routeId, long nanos) {
    }

    /**
     * A plugin's phase method threw or its stage failed; the request was failed or continued.
     *
     * @param plugin the plugin name
     * @param phase the phase that failed
     * @param routeId the route, or {@code ""} when no route matched
     * @param error what it threw or failed with
     */
    default void pluginFailed(String plugin, Phase phase, String routeId, Throwable error) {
    }

    /**
     * A config change was applied; {@code version} is the new snapshot's version.
     *
     * @param version the version of the snapshot now in force
     */
    default void configApplied(long version) {
    }

    /**
     * A config change was rejected; the previous snapshot stays in force.
     *
     * @param reasons every problem found, one per entry
     */
    default void configRejected(List<String> reasons) {
    }

    /**
     * A listener that tells each of {@code listeners}, in order. It times plugins when one of
     * them does, and a call is followed by the observers of each (see {@link CallObserver#both}).
     *
     * @param listeners the listeners
     * @return one listener for all of them
     */
    static EngineListener of(EngineListener... listeners) {
        return of(List.of(listeners));
    }

    /**
     * A listener that tells each of {@code listeners}, in order; see {@link #of(EngineListener...)}.
     *
     * @param listeners the listeners
     * @return one listener for all of them ({@link #NONE} for none, the listener itself for one)
     */
    static EngineListener of(List<EngineListener> listeners) {
        List<EngineListener> all = listeners.stream().filter(l -> l != NONE).toList();
        if (all.isEmpty()) {
            return NONE;
        }
        return all.size() == 1 ? all.get(0) : new EngineListeners(all);
    }
}
