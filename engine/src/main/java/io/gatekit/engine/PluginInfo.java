package io.gatekit.engine;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;

/**
 * A registered plugin, as the Admin API's {@code /apisix/admin/plugins} endpoints describe it.
 *
 * @param name           the plugin name
 * @param version        its version
 * @param priority       its default priority
 * @param schema         the instance config schema as JSON text, with {@code _meta} injected
 * @param metadataSchema the {@code plugin_metadata} schema, or {@code null}
 * @param consumerSchema the schema of its config on a consumer (an authentication plugin's
 *                       {@code consumer_schema}), or {@code null}
 * @param factoryClass   the factory's class name, for diagnostics
 */
public record PluginInfo(String name, String version, int priority, String schema,
        @Nullable String metadataSchema, @Nullable String consumerSchema, String factoryClass) {

    public PluginInfo {
        requireNonNull(name, "name");
        requireNonNull(version, "version");
        requireNonNull(schema, "schema");
        requireNonNull(factoryClass, "factoryClass");
    }

    /** A plugin without a consumer schema. */
    public PluginInfo(String name, String version, int priority, String schema,
            @Nullable String metadataSchema, String factoryClass) {
        this(name, version, priority, schema, metadataSchema, null, factoryClass);
    }
}
