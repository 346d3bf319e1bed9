package io.gatekit.engine;

import io.gatekit.api.Nullable;
import java.util.Optional;

/** {@link ConfigSource#memory()}: the engine is the store. */
final class MemoryConfigSource implements ConfigSource {

    private volatile @Nullable Engine engine;

    @Override
    public void start(Engine engine) {
        this.engine = engine;
    }

    @Override
    public Resource put(ResourceKind kind, String id, String json) {
        return engine().put(kind, id, json);
    }

    @Override
    public Resource create(ResourceKind kind, String json) {
        return engine().create(kind, json);
    }

    @Override
    public Optional<Resource> delete(ResourceKind kind, String id, boolean force) {
        return engine().delete(kind, id, force);
    }

    private Engine engine() {
        Engine started = engine;
        if (started == null) {
            throw new IllegalStateException("config source not started (expected: start(engine) first)");
        }
        return started;
    }

    @Override
    public String toString() {
        return "memory";
    }
}
