package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Nullable;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Violation;
import io.gatekit.engine.internal.ConfigState.Stored;
import io.gatekit.engine.internal.expr.Expr;
import io.gatekit.engine.internal.schema.ApisixErrors;
import io.gatekit.engine.internal.schema.ResourceChecks;
import io.gatekit.engine.internal.schema.ResourceSchemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks one resource before it is stored: its schema, its plugins, its {@code vars}, and that
 * what it refers to exists. Collects every problem; the first one, in APISIX's words, becomes
 * the {@code error_msg}.
 */
final class ResourceValidator {

    private static final String ID_PATTERN = "^[a-zA-Z0-9-_.]{1,64}$";

    private final PluginConfs confs;
    private final ResourceSchemas schemas;

    ResourceValidator(PluginConfs confs, ResourceSchemas schemas) {
        this.confs = confs;
        this.schemas = schemas;
    }

    /**
     * What a resource may refer to: the stored state, or the resources a standalone document
     * staged so far.
     */
    @FunctionalInterface
    interface Refs {
        /** Whether {@code kind/id} exists. */
        boolean has(ResourceKind kind, String id);
    }

    /**
     * Throws {@link ConfigException} unless {@code value} may be stored as {@code kind/id} in
     * {@code state}; returns its checked plugin confs, as {@link PluginConfs#check} does.
     */
    List<PluginConfs.Checked> check(ResourceKind kind, String id, JsonNode value, ConfigState state) {
        return check(kind, id, value, (k, i) -> state.get(k, i) != null);
    }

    /**
     * Throws {@link ConfigException} unless {@code value} may be stored as {@code kind/id} next to
     * {@code refs}; returns its checked plugin confs, as {@link PluginConfs#check} does.
     */
    List<PluginConfs.Checked> check(ResourceKind kind, String id, JsonNode value, Refs refs) {
        List<Violation> violations = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        if (!id.matches(ID_PATTERN) && kind != ResourceKind.PLUGIN_METADATA) {
            add(violations, messages, new Violation("/id", "pattern",
                    "id: \"" + id + "\" (expected: 1 to 64 of A-Z a-z 0-9 - _ .)"),
                    "invalid configuration: property \"id\" validation failed: failed to match pattern \""
                            + ID_PATTERN + "\" with \"" + id + "\"");
        }
        if (!value.isObject()) {
            throw ConfigException.invalid("invalid configuration: wrong type: expected object, got "
                    + ApisixErrors.jsonType(value), new Violation("", "type", "expected a JSON object"));
        }
        if (kind == ResourceKind.CONSUMERS && value.isObject() && value.hasNonNull("username")
                && !value.get("username").asText().equals(id)) {
            add(violations, messages, new Violation("/username", "const", "username: \"" + value.get("username")
                    .asText() + "\" (expected: \"" + id + "\", the username in the path)"), "wrong username");
        }
        if (value.hasNonNull("id") && !value.get("id").asText().equals(id)) {
            add(violations, messages, new Violation("/id", "const", "wrong id: body has \"" + value.get("id")
                    .asText() + "\" but the path has \"" + id + "\""), "wrong route id");
        }
        List<PluginConfs.Checked> plugins = List.of();
        if (kind == ResourceKind.PLUGIN_METADATA) {
            checkMetadata(id, value, violations, messages);
        } else {
            plugins = checkResource(kind, value, refs, violations, messages);
        }
        if (!violations.isEmpty()) {
            throw new ConfigException(400, messages.get(0), violations);
        }
        return plugins;
    }

    private List<PluginConfs.Checked> checkResource(ResourceKind kind, JsonNode value, Refs refs,
            List<Violation> violations, List<String> messages) {
        List<Violation> schemaViolations = schemas.schema(kind.path()).validate(value);
        if (!schemaViolations.isEmpty()) {
            violations.addAll(schemaViolations);
            violations.addAll(ResourceChecks.alternatives(kind.path(), value));
            messages.add(ApisixErrors.resourceError(schemaViolations));
            return List.of();
        }
        for (Violation v : ResourceChecks.check(kind.path(), value)) {
            add(violations, messages, v, ApisixErrors.resourceError(List.of(v)));
        }
        List<PluginConfs.Checked> plugins;
        if (kind == ResourceKind.CONSUMERS) {
            // APISIX's admin/consumers.lua: "invalid plugins configuration: " before the plugin's error
            List<String> pluginMessages = new ArrayList<>();
            plugins = confs.checkConsumer(value.get("plugins"), "/plugins", violations, pluginMessages);
            pluginMessages.forEach(m -> messages.add("invalid plugins configuration: " + m));
            checkGroupRef(refs, value, violations, messages);
        } else {
            plugins = confs.check(value.get("plugins"), "/plugins", violations, messages);
        }
        if (kind == ResourceKind.ROUTES && value.has("vars")) {
            try {
                Expr.compile(value.get("vars"));
            } catch (IllegalArgumentException e) {
                String msg = "failed to validate the 'vars' expression: " + e.getMessage();
                add(violations, messages, new Violation("/vars", "vars", msg), msg);
            }
        }
        checkRef(refs, value, "upstream_id", ResourceKind.UPSTREAMS, violations, messages);
        checkRef(refs, value, "service_id", ResourceKind.SERVICES, violations, messages);
        checkRef(refs, value, "plugin_config_id", ResourceKind.PLUGIN_CONFIGS, violations, messages);
        return plugins;
    }

    private void checkMetadata(String plugin, JsonNode value, List<Violation> violations, List<String> messages) {
        RegisteredPlugin registered = confs.registry().get(plugin);
        if (registered == null) {
            add(violations, messages, new Violation("", "unknownPlugin", "unknown plugin [" + plugin + "]"),
                    "invalid plugin name");
            return;
        }
        if (registered.metadataSchema() == null) {
            add(violations, messages, new Violation("", "metadataSchema",
                    "plugin [" + plugin + "] has no metadata_schema (expected: a plugin that declares one)"),
                    "no metadata schema for plugin " + plugin);
            return;
        }
        JsonNode stripped = value.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) stripped).remove(List.of("id", "create_time",
                "update_time"));
        List<Violation> found = registered.metadataSchema().validate(stripped);
        if (!found.isEmpty()) {
            violations.addAll(found);
            messages.add(ApisixErrors.pluginError(plugin, found));
        }
    }

    private static void checkGroupRef(Refs refs, JsonNode value, List<Violation> violations, List<String> messages) {
        JsonNode ref = value.get("group_id");
        if (ref != null && !ref.isNull() && !refs.has(ResourceKind.CONSUMER_GROUPS, ref.asText())) {
            String msg = "failed to fetch consumer group info by consumer group id [" + ref.asText()
                    + "], response code: 404";
            add(violations, messages, new Violation("/group_id", "reference", msg), msg);
        }
    }

    private static void checkRef(Refs refs, JsonNode value, String field, ResourceKind kind,
            List<Violation> violations, List<String> messages) {
        JsonNode ref = value.get(field);
        if (ref == null || ref.isNull()) {
            return;
        }
        if (!refs.has(kind, ref.asText())) {
            String msg = "failed to fetch " + kind.singular() + " info by " + kind.singular() + " id ["
                    + ref.asText() + "], response code: 404";
            add(violations, messages, new Violation("/" + field, "reference", msg), msg);
        }
    }

    /**
     * Throws {@link ConfigException} if another resource still uses {@code kind/id}, as APISIX
     * refuses to delete it: {@code can not delete this upstream, route [1] is still using it now}.
     */
    void checkDeletable(ResourceKind kind, String id, ConfigState state) {
        if (kind == ResourceKind.CONSUMER_GROUPS) {
            for (Stored consumer : state.all(ResourceKind.CONSUMERS).values()) {
                JsonNode ref = consumer.value().get("group_id");
                if (ref != null && ref.asText().equals(id)) {
                    // APISIX's admin/consumer_group.lua, comma and all
                    String msg = "can not delete this consumer group, consumer [" + consumer.id()
                            + "] is still using it now";
                    throw ConfigException.invalid(msg, new Violation("", "inUse", msg));
                }
            }
            return;
        }
        String field = switch (kind) {
            case UPSTREAMS -> "upstream_id";
            case SERVICES -> "service_id";
            case PLUGIN_CONFIGS -> "plugin_config_id";
            default -> null;
        };
        if (field == null) {
            return;
        }
        for (ResourceKind user : List.of(ResourceKind.ROUTES, ResourceKind.SERVICES)) {
            for (Map.Entry<String, Stored> e : state.all(user).entrySet()) {
                JsonNode ref = e.getValue().value().get(field);
                if (ref != null && ref.asText().equals(id)) {
                    String msg = "can not delete this " + kind.singular() + ", " + user.singular() + " ["
                            + e.getKey() + "] is still using it now";
                    throw ConfigException.invalid(msg, new Violation("", "inUse", msg));
                }
            }
        }
    }

    private static void add(List<Violation> violations, List<String> messages, Violation violation,
            @Nullable String message) {
        violations.add(violation);
        messages.add(message == null ? violation.message() : message);
    }
}
