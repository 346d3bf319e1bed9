package io.gatekit.engine.internal.schema;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * Injects APISIX's {@code _meta} property into a plugin's config schema, as APISIX's plugin
 * loader does ({@code apisix/plugin.lua} {@code load_plugin}; the injected schema is
 * {@code plugin_injected_schema} in {@code apisix/schema_def.lua}).
 *
 * <p>The injected property, with {@code additionalProperties: false} so a typo in
 * {@code _meta} is an error:
 * <pre>
 * "_meta": {"type": "object", "additionalProperties": false, "properties": {
 *   "disable":        {"type": "boolean"},
 *   "error_response": {"oneOf": [{"type": "string"}, {"type": "object"}]},
 *   "priority":       {"type": "integer"},
 *   "filter":         {"type": "array"}}}
 * </pre>
 * {@code filter}'s expression is compiled (and its errors reported) elsewhere, as in APISIX.
 * APISIX's {@code pre_function} (Lua code) is not offered: Gatekit cannot run it. The schema is
 * marked with APISIX's {@code $comment}, so injecting twice is harmless.
 */
public final class MetaSchema {

    /** APISIX's mark on a schema that already has {@code _meta}. */
    public static final String MARK = "this is a mark for our injected plugin schema";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectNode META = meta();

    private MetaSchema() {
    }

    /**
     * {@code schemaJson} (the config schema of plugin {@code pluginName}) with {@code _meta}
     * injected, as JSON text; this is what the Admin API serves for the plugin.
     *
     * @throws SchemaException if the schema is not JSON, not an object schema, or declares
     *     {@code _meta} itself; the message names the plugin
     */
    public static String inject(String pluginName, String schemaJson) {
        requireNonNull(pluginName, "pluginName");
        requireNonNull(schemaJson, "schemaJson");
        JsonNode parsed;
        try {
            parsed = JSON.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            throw new SchemaException("invalid plugin [" + pluginName + "] schema: not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (parsed == null || !parsed.isObject()) {
            throw new SchemaException("invalid plugin [" + pluginName
                    + "] schema: expected a JSON object schema, got " + describe(parsed));
        }
        ObjectNode schema = (ObjectNode) parsed;
        JsonNode type = schema.get("type");
        if (type != null && !(type.isTextual() && type.asText().equals("object"))) {
            throw new SchemaException("invalid plugin [" + pluginName
                    + "] schema: \"type\" must be \"object\", got " + type);
        }
        JsonNode properties = schema.get("properties");
        if (properties != null && !properties.isObject()) {
            throw new SchemaException("invalid plugin [" + pluginName
                    + "] schema: \"properties\" must be an object, got " + properties);
        }
        ObjectNode props = properties == null ? schema.putObject("properties") : (ObjectNode) properties;
        JsonNode declared = props.get("_meta");
        if (declared != null) {
            if (MARK.equals(schema.path("$comment").asText(null)) && META.equals(declared)) {
                return schema.toString();
            }
            throw new SchemaException("invalid plugin [" + pluginName
                    + "]: found forbidden '_meta' field in the schema");
        }
        props.set("_meta", META.deepCopy());
        schema.put("$comment", MARK);
        return schema.toString();
    }

    /** The {@code _meta} property schema itself, as JSON text. */
    public static String metaJson() {
        return META.toString();
    }

    private static String describe(JsonNode node) {
        return node == null ? "nothing" : node.getNodeType().toString().toLowerCase(Locale.ROOT) + " " + node;
    }

    private static ObjectNode meta() {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("type", "object");
        ObjectNode properties = meta.putObject("properties");
        properties.putObject("disable").put("type", "boolean");
        ObjectNode errorResponse = properties.putObject("error_response");
        errorResponse.putArray("oneOf").add(JSON.createObjectNode().put("type", "string"))
                .add(JSON.createObjectNode().put("type", "object"));
        properties.putObject("priority").put("type", "integer")
                .put("description", "priority of plugins by customized order");
        properties.putObject("filter").put("type", "array")
                .put("description", "filter determines whether the plugin needs to be executed at runtime");
        meta.put("additionalProperties", false);
        return meta;
    }
}
