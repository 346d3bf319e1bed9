package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Violation;
import io.gatekit.engine.internal.ConfigState.Stored;

/**
 * Resources between their JSON text and the engine's state: bodies parsed with APISIX's
 * {@code invalid request body} error, values from a store, and {@link Resource} views of what is
 * stored.
 */
final class ResourceJson {

    private ResourceJson() {
    }

    static Resource resource(ResourceKind kind, Stored stored) {
        return new Resource(kind, stored.id(), stored.value().toString(), stored.createdIndex(),
                stored.modifiedIndex());
    }

    static JsonNode parseBody(String json) {
        try {
            JsonNode node = ConfigBinder.mapper().readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException("empty body");
            }
            return node;
        } catch (Exception e) {
            String reason = e.getMessage() == null ? "malformed JSON" : e.getMessage().split("\n")[0];
            throw ConfigException.invalid("invalid request body: " + reason,
                    new Violation("", "json", "malformed JSON: " + reason));
        }
    }

    static JsonNode parse(String json, String what) {
        try {
            return ConfigBinder.mapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(what + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    static Stored stored(Resource resource, JsonNode value) {
        return new Stored(resource.id(), value, resource.createdIndex(), resource.modifiedIndex());
    }

    /** A value from a store: JSON as the store holds it; its {@code id} is the key's when absent. */
    static JsonNode parseSourced(Resource resource) {
        JsonNode value = parseBody(resource.json());
        if (value instanceof ObjectNode object && !object.hasNonNull("id")) {
            ObjectNode copy = object.deepCopy();
            copy.put("id", resource.id());
            return copy;
        }
        return value;
    }
}
