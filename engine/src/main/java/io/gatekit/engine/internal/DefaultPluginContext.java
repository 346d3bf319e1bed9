package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;
import io.gatekit.api.PluginContext;
import io.gatekit.api.client.HttpClient;
import io.gatekit.api.metrics.Metrics;
import java.lang.System.Logger;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The context of one plugin instance. The scheduler is created on first use only (most plugins
 * never ask, and a config may hold tens of thousands of instances) and shut down with the
 * instance.
 */
final class DefaultPluginContext implements PluginContext {

    private final String pluginName;
    private final String owner;
    private final HttpClient httpClient;
    private final Metrics metrics;
    private final @Nullable JsonNode attributes;
    private final @Nullable JsonNode metadata;
    private final Logger logger;
    private @Nullable ScheduledExecutorService scheduler;

    DefaultPluginContext(String pluginName, String owner, HttpClient httpClient, Metrics metrics,
            @Nullable JsonNode attributes, @Nullable JsonNode metadata) {
        this.pluginName = pluginName;
        this.owner = owner;
        this.httpClient = new ObservedHttpClient(httpClient, pluginName);
        this.metrics = metrics;
        this.attributes = attributes;
        this.metadata = metadata;
        this.logger = System.getLogger("io.gatekit.plugin." + pluginName);
    }

    @Override
    public String pluginName() {
        return pluginName;
    }

    @Override
    public String owner() {
        return owner;
    }

    @Override
    public HttpClient httpClient() {
        return httpClient;
    }

    @Override
    public synchronized ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            String threadName = "gatekit-" + pluginName + "-" + owner.replace(' ', '-');
            ThreadFactory factory = runnable -> {
                Thread thread = new Thread(runnable, threadName);
                thread.setDaemon(true);
                return thread;
            };
            scheduler = Executors.newSingleThreadScheduledExecutor(factory);
        }
        return scheduler;
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public Logger logger() {
        return logger;
    }

    @Override
    public <T> Optional<T> attributes(Class<T> type) {
        return attributes == null ? Optional.empty() : Optional.ofNullable(ConfigBinder.bind(attributes, type));
    }

    @Override
    public <T> Optional<T> metadata(Class<T> type) {
        return metadata == null ? Optional.empty() : Optional.ofNullable(ConfigBinder.bind(metadata, type));
    }

    /** Stops the scheduler, if it was ever created. */
    synchronized void shutdown() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
