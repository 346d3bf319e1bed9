package io.gatekit.spring.boot;

import io.gatekit.api.Nullable;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ConfigSource;
import io.gatekit.engine.Engine;
import io.gatekit.engine.StandaloneConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The engine's config source as the properties choose it, started on the engine when the bean is
 * created (so an invalid document fails the application's start) and closed with the context.
 */
public final class GatekitConfig implements AutoCloseable {

    private final @Nullable ConfigSource source;
    private final String description;

    private GatekitConfig(@Nullable ConfigSource source, String description) {
        this.source = source;
        this.description = description;
    }

    static GatekitConfig start(Engine engine, GatekitProperties properties, ClassLoader loader) {
        ConfigSource source = source(properties, loader);
        if (source == null) {
            return new GatekitConfig(null, "none");
        }
        source.start(engine);
        return new GatekitConfig(source, source instanceof StandaloneConfig document ? document.name() : source.toString());
    }

    private static @Nullable ConfigSource source(GatekitProperties properties, ClassLoader loader) {
        String location = properties.config();
        boolean etcd = !properties.etcd().endpoints().isEmpty();
        if (location != null && !location.isBlank()) {
            if (etcd) {
                throw new IllegalArgumentException("gatekit.config: " + location + " and gatekit.etcd.endpoints: "
                        + properties.etcd().endpoints() + " (expected: one of them)");
            }
            return document(location.strip(), loader);
        }
        return etcd ? EtcdSources.of(properties.etcd()) : null;
    }

    /** {@code classpath:} and a resource, {@code file:} and a path, or a path. */
    static StandaloneConfig document(String location, ClassLoader loader) {
        if (location.startsWith("classpath:")) {
            String name = location.substring("classpath:".length());
            while (name.startsWith("/")) {
                name = name.substring(1);
            }
            if (loader.getResource(name) == null) {
                throw new IllegalArgumentException("gatekit.config: " + location
                        + " (expected: a class path resource, e.g. classpath:apisix.yaml)");
            }
            return StandaloneConfig.classpath(name, loader);
        }
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        return StandaloneConfig.file(Path.of(path));
    }

    /** Where the config comes from: the document's location, the etcd source, or {@code none}. */
    public String description() {
        return description;
    }

    /**
     * The last change the source refused and still refuses: a file's, while no later change of it
     * applied; etcd's, while its key still holds the refused value. Empty when none is.
     */
    public Optional<ConfigException> lastRejection() {
        if (source == null) {
            return Optional.empty();
        }
        return source instanceof StandaloneConfig document ? document.lastRejection()
                : EtcdSources.lastRejection(source);
    }

    /** Stops following changes; the engine keeps the config it has. */
    @Override
    public void close() {
        if (source != null) {
            source.close();
        }
    }
}
