package io.gatekit.api;

import io.gatekit.api.client.HttpClient;
import io.gatekit.api.metrics.Metrics;
import java.lang.System.Logger;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the engine hands a plugin when it creates an instance: shared services, node-level
 * attributes and plugin metadata. Everything here is owned by the engine.
 */
public interface PluginContext {

    /** {@return the plugin's name} */
    String pluginName();

    /** {@return where the instance came from, e.g. {@code route 1} or {@code global_rule g}} */
    String owner();

    /** {@return the outbound HTTP client of the host; non-blocking} */
    HttpClient httpClient();

    /**
     * A scheduler for timers and background work of this instance. The engine shuts it down when
     * the instance is closed, so a forgotten timer cannot outlive its config.
     *
     * @return this instance's scheduler
     */
    ScheduledExecutorService scheduler();

    /**
     * {@return the clock this instance reads the time from} It serves rate windows, delays and
     * timestamps: the system's, or a test's manual one (the test kit's harness passes a clock it advances, the
     * same one that drives {@link #scheduler()}). Read it rather than
     * {@link System#currentTimeMillis()} so that time-based behaviour can be tested without waiting.
     */
    default Clock clock() {
        return Clock.systemUTC();
    }

    /** {@return where this plugin records its own counters and timers} */
    Metrics metrics();

    /** {@return a logger named after the plugin} */
    Logger logger();

    /**
     * The node-level attributes of this plugin ({@code plugin_attr.<name>} in the node config)
     * bound to {@code type}, or empty when none are set.
     *
     * @param <T> the attribute type
     * @param type the class to bind the attributes to
     * @return the bound attributes, or empty
     */
    <T> Optional<T> attributes(Class<T> type);

    /**
     * This plugin's {@code plugin_metadata} bound to {@link PluginFactory#metadataType()}, or empty
     * when none is set. An instance sees the metadata in force when it was created; a metadata
     * change re-creates the plugin's instances.
     *
     * @param <T> the metadata type
     * @param type the class to bind the metadata to
     * @return the bound metadata, or empty
     */
    <T> Optional<T> metadata(Class<T> type);
}
