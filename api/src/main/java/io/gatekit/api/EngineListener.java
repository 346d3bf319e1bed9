package io.gatekit.api;

import java.util.List;

/**
 * Observes the engine: per plugin and phase timings and failures, and config changes. Methods
 * are called on the request path, so implementations must be fast and must not throw; the
 * defaults do nothing. The gateway's Prometheus exporter is one implementation.
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
}
