package io.gatekit.engine;

import java.util.Optional;

/**
 * Where the engine's config lives and how changes reach it. A source feeds an {@link Engine}:
 * once, in {@link #start}, the whole config (through {@link Engine#load} or
 * {@link Engine#replaceAll}), then every change ({@link Engine#apply}, {@link Engine#remove}) until
 * it is closed. Writers (the gateway's Admin API) go through the source, never straight to the
 * engine, so that with a shared store every node sees every change.
 *
 * <p>Implementations:
 * <ul>
 *   <li>{@link #memory()}: the engine's own in-memory store; writes apply at once.</li>
 *   <li>{@link StandaloneConfig}: a document in APISIX's standalone layout ({@code apisix.yaml}),
 *       from a file followed as it changes or from the class path; read-only.</li>
 *   <li>{@code io.gatekit.config.etcd.EtcdConfigSource} ({@code gatekit-config-etcd}): etcd in
 *       APISIX's key layout, shared by a cluster of gateways.</li>
 * </ul>
 *
 * <p>Writes return the resource as stored, with the store's revisions as
 * {@link Resource#createdIndex()}/{@link Resource#modifiedIndex()}; once a write has returned,
 * reads of the same engine see it. An invalid value is refused with {@link ConfigException} and
 * nothing is written.
 */
public interface ConfigSource extends AutoCloseable {

    /**
     * Loads the whole config into {@code engine} and starts following changes. Returns once the
     * first load is applied.
     *
     * @throws IllegalStateException when the config cannot be loaded (store unreachable, say)
     */
    void start(Engine engine);

    /** Creates or replaces {@code kind/id}; see {@link Engine#put}. */
    Resource put(ResourceKind kind, String id, String json);

    /** Creates a resource under an id the source generates, unique across every writer. */
    Resource create(ResourceKind kind, String json);

    /** Deletes {@code kind/id}; see {@link Engine#delete}. */
    Optional<Resource> delete(ResourceKind kind, String id, boolean force);

    /** Stops following changes; the engine keeps the config it has. */
    @Override
    default void close() {
    }

    /** The engine's own store: writes go straight into the engine, nothing is shared. */
    static ConfigSource memory() {
        return new MemoryConfigSource();
    }
}
