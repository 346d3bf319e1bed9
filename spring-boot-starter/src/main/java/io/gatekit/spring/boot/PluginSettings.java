package io.gatekit.spring.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.engine.Engine;

/**
 * {@code gatekit.plugins} and {@code gatekit.plugin-attr} on the engine's builder, each checked
 * with an error that names the property, as APISIX's {@code plugins} and {@code plugin_attr}.
 */
final class PluginSettings {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PluginSettings() {
    }

    static void apply(GatekitProperties properties, Engine.Builder builder) {
        if (!properties.plugins().isEmpty()) {
            builder.enabledPlugins(properties.plugins());
        }
        properties.pluginAttr().forEach((plugin, json) ->
                builder.pluginAttributes(plugin, object(json, plugin).toString()));
    }

    /** Builds the engine; an enabled plugin that is not registered is named with the property. */
    static Engine build(GatekitProperties properties, Engine.Builder builder) {
        try {
            return builder.build();
        } catch (IllegalStateException e) {
            if (!properties.plugins().isEmpty() && String.valueOf(e.getMessage()).startsWith("enabled plugin [")) {
                throw new IllegalStateException("gatekit.plugins: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** {@code json}, the attributes of {@code plugin}, as a JSON object. */
    static JsonNode object(String json, String plugin) {
        String property = "gatekit.plugin-attr." + plugin;
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(property + ": " + json
                    + " (expected: a JSON object, e.g. {\"timeout\": {\"connect\": 2}})");
        }
        return node;
    }
}
