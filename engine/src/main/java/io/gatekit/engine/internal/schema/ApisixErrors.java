package io.gatekit.engine.internal.schema;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.Violation;
import java.util.List;
import java.util.Set;

/**
 * Builds the {@code error_msg} strings of APISIX's Admin API from violations. Users' scripts match
 * on these texts, so they follow APISIX word for word; like APISIX, only the first violation is
 * worded, and callers keep the full list alongside.
 *
 * <p>Shapes (apache/apisix {@code apisix/plugin.lua} {@code check_single_plugin_schema};
 * {@code apisix/admin/*.lua} {@code check_conf}):
 * <pre>
 * failed to check the configuration of plugin limit-req err: property "rate" is required
 * invalid configuration: property "uri" validation failed: wrong type: expected string, got number
 * </pre>
 */
public final class ApisixErrors {

    /** The keywords whose violations are JSON Schema failures (worded by lua jsonschema). */
    private static final Set<String> SCHEMA_KEYWORDS = Set.of(
            "type", "required", "properties", "patternProperties", "additionalProperties",
            "dependencies", "propertyNames", "minProperties", "maxProperties", "items",
            "additionalItems", "minItems", "maxItems", "uniqueItems", "contains", "minLength",
            "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "multipleOf", "enum", "const", "allOf", "anyOf", "oneOf", "not",
            "if", "then", "else", "false", "schema");

    private ApisixErrors() {
    }

    /**
     * {@code failed to check the configuration of plugin <name> err: <reason>} for the first of
     * {@code violations} of plugin {@code pluginName}'s config.
     */
    public static String pluginError(String pluginName, List<Violation> violations) {
        requireNonNull(pluginName, "pluginName");
        return "failed to check the configuration of plugin " + pluginName + " err: " + first(violations);
    }

    /**
     * The {@code error_msg} for the first of a resource's {@code violations}: a JSON Schema
     * violation reads {@code invalid configuration: <reason>}; an engine rule (any other keyword,
     * e.g. from {@link ResourceChecks}) already carries APISIX's whole text and is used as is.
     */
    public static String resourceError(List<Violation> violations) {
        Violation first = requireNonNull(violations, "violations").isEmpty() ? null : violations.get(0);
        if (first != null && !SCHEMA_KEYWORDS.contains(first.keyword())) {
            return reason(first);
        }
        return "invalid configuration: " + first(violations);
    }

    /**
     * The APISIX reason carried by {@code violation}: the first line of its message (further lines
     * describe oneOf/anyOf branches for humans and are not part of APISIX's text).
     */
    public static String reason(Violation violation) {
        String message = violation.message();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * The Lua type name APISIX prints for a decoded JSON value: {@code string}, {@code number},
     * {@code boolean}, {@code table} (objects and arrays) or {@code userdata} (null).
     */
    public static String jsonType(JsonNode value) {
        return LuaText.typeName(requireNonNull(value, "value"));
    }

    private static String first(List<Violation> violations) {
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("violations: [] (expected: at least one)");
        }
        return reason(violations.get(0));
    }
}
