package io.gatekit.testkit;

import io.gatekit.api.Nullable;
import io.gatekit.api.PluginContext;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.metrics.Metrics;
import java.lang.System.Logger;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The engine's context for one instance, with {@link #clock()} a {@link ManualClock} and
 * {@link #scheduler()} on its time.
 *
 * <p>The engine shuts an instance's scheduler down when it closes the instance, and the plugin SPI
 * has no other close signal a context could see. So the manual scheduler watches the engine's own
 * one: it asks the engine for it (the engine creates it lazily and starts its thread only on a
 * first task, which never comes) and counts itself stopped once the engine has shut it down.
 */
final class ManualTimeContext implements PluginContext {

    private final PluginContext engine;
    private final ManualClock clock;
    private @Nullable ManualScheduler scheduler;

    ManualTimeContext(PluginContext engine, ManualClock clock) {
        this.engine = engine;
        this.clock = clock;
    }

    @Override
    public String pluginName() {
        return engine.pluginName();
    }

    @Override
    public String owner() {
        return engine.owner();
    }

    @Override
    public HttpClient httpClient() {
        return engine.httpClient();
    }

    @Override
    public synchronized ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            ScheduledExecutorService engineOwned = engine.scheduler();
            scheduler = new ManualScheduler(clock.timeline(), engine.pluginName() + " of " + engine.owner(),
                    engineOwned::isShutdown);
        }
        return scheduler;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Metrics metrics() {
        return engine.metrics();
    }

    @Override
    public Logger logger() {
        return engine.logger();
    }

    @Override
    public <T> Optional<T> attributes(Class<T> type) {
        return engine.attributes(type);
    }

    @Override
    public <T> Optional<T> metadata(Class<T> type) {
        return engine.metadata(type);
    }
}
