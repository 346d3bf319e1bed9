package io.gatekit.engine.internal;

import io.gatekit.api.Nullable;
import io.gatekit.api.PluginFactory;
import io.gatekit.engine.PluginInfo;
import io.gatekit.engine.internal.schema.CompiledSchema;

/**
 * A plugin factory with its schemas compiled once, at registration: the request path and config
 * changes never compile a schema again.
 */
public record RegisteredPlugin(PluginFactory<?> factory, PluginInfo info, CompiledSchema schema,
        @Nullable CompiledSchema metadataSchema) {

    /** The plugin name. */
    public String name() {
        return info.name();
    }
}
