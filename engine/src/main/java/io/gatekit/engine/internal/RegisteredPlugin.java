package io.gatekit.engine.internal;

import io.gatekit.api.Nullable;
import io.gatekit.api.PluginFactory;
import io.gatekit.engine.PluginInfo;
import io.gatekit.engine.internal.schema.CompiledSchema;

/**
 * A plugin factory with its schemas compiled once, at registration: the request path and config
 * changes never compile a schema again. {@code consumerSchema} is an authentication plugin's
 * schema of its config on a consumer, or {@code null}.
 */
record RegisteredPlugin(PluginFactory<?> factory, PluginInfo info, CompiledSchema schema,
        @Nullable CompiledSchema metadataSchema, @Nullable CompiledSchema consumerSchema) {

    /** The plugin name. */
    public String name() {
        return info.name();
    }
}
