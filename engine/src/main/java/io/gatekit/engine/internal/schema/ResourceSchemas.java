package io.gatekit.engine.internal.schema;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The compiled schemas of the Admin API resources, by kind ({@code routes}, {@code services},
 * {@code upstreams}, {@code plugin_configs}, {@code global_rules}, {@code ssls}), loaded from the JSON files in
 * {@code io/gatekit/engine/schema/} on the class path.
 *
 * <p>The files share definitions through {@code {"$ref": "common.json#/definitions/id"}} and
 * {@code {"$ref": "upstream.json"}}; these are inlined (keys beside the {@code $ref} win) before
 * compiling, so each served schema is self-contained and every error path reads as in APISIX.
 * Everything is compiled once, in the constructor.
 */
public final class ResourceSchemas {

    private static final String DIRECTORY = "/io/gatekit/engine/schema/";
    private static final Map<String, String> FILES = Map.of(
            "routes", "route.json",
            "services", "service.json",
            "upstreams", "upstream.json",
            "plugin_configs", "plugin_config.json",
            "global_rules", "global_rule.json",
            "consumers", "consumer.json",
            "consumer_groups", "consumer_group.json",
            "ssls", "ssl.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> texts = new LinkedHashMap<>();
    private final Map<String, CompiledSchema> compiled = new HashMap<>();

    /**
     * Loads and compiles every resource schema with {@code validator}.
     *
     * @throws IllegalStateException if a schema file is missing or does not compile (a build
     *     defect, not a user error)
     */
    public ResourceSchemas(SchemaValidator validator) {
        requireNonNull(validator, "validator");
        Map<String, JsonNode> files = new HashMap<>();
        for (String kind : List.of("routes", "services", "upstreams", "plugin_configs", "global_rules",
                "consumers", "consumer_groups", "ssls")) {
            JsonNode inlined = inline(read(FILES.get(kind), files), files, new ArrayDeque<>());
            String text = inlined.toString();
            try {
                compiled.put(kind, validator.compile(text));
            } catch (SchemaException e) {
                throw new IllegalStateException("resource schema " + FILES.get(kind) + ": " + e.getMessage(), e);
            }
            texts.put(kind, text);
        }
    }

    /** The resource kinds there are schemas for. */
    public Set<String> kinds() {
        return texts.keySet();
    }

    /**
     * The compiled schema of resource {@code kind} (e.g. {@code routes}).
     *
     * @throws IllegalArgumentException if there is no schema for {@code kind}
     */
    public CompiledSchema schema(String kind) {
        CompiledSchema schema = compiled.get(requireNonNull(kind, "kind"));
        if (schema == null) {
            throw new IllegalArgumentException("kind: \"" + kind + "\" (expected: one of " + texts.keySet() + ")");
        }
        return schema;
    }

    /**
     * The self-contained JSON Schema text of resource {@code kind}.
     *
     * @throws IllegalArgumentException if there is no schema for {@code kind}
     */
    public String json(String kind) {
        schema(kind);
        return texts.get(kind);
    }

    private static JsonNode read(String file, Map<String, JsonNode> cache) {
        JsonNode cached = cache.get(file);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = ResourceSchemas.class.getResourceAsStream(DIRECTORY + file)) {
            if (in == null) {
                throw new IllegalStateException("resource schema " + DIRECTORY + file + " is not on the class path");
            }
            JsonNode node = JSON.readTree(in);
            cache.put(file, node);
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource schema " + DIRECTORY + file, e);
        }
    }

    /** A copy of {@code node} with every reference to another file replaced by what it names. */
    private static JsonNode inline(JsonNode node, Map<String, JsonNode> files, Deque<String> resolving) {
        if (node.isArray()) {
            var copy = JSON.createArrayNode();
            node.forEach(item -> copy.add(inline(item, files, resolving)));
            return copy;
        }
        if (!node.isObject()) {
            return node;
        }
        JsonNode ref = node.get("$ref");
        if (ref != null && ref.isTextual() && !ref.asText().startsWith("#")) {
            return inlineRef(ref.asText(), (ObjectNode) node, files, resolving);
        }
        ObjectNode copy = JSON.createObjectNode();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            copy.set(field.getKey(), inline(field.getValue(), files, resolving));
        }
        return copy;
    }

    private static JsonNode inlineRef(String ref, ObjectNode holder, Map<String, JsonNode> files,
            Deque<String> resolving) {
        if (resolving.contains(ref)) {
            throw new IllegalStateException("resource schema $ref cycle: " + resolving + " -> " + ref);
        }
        int hash = ref.indexOf('#');
        String file = hash < 0 ? ref : ref.substring(0, hash);
        JsonNode target = read(file, files);
        if (hash >= 0) {
            target = target.at(ref.substring(hash + 1));
        }
        if (!target.isObject()) {
            throw new IllegalStateException("resource schema $ref " + ref + " does not name a schema");
        }
        resolving.push(ref);
        ObjectNode result = (ObjectNode) inline(target, files, resolving);
        resolving.pop();
        result.remove("$comment");
        for (Map.Entry<String, JsonNode> sibling : holder.properties()) {
            if (!sibling.getKey().equals("$ref")) {
                result.set(sibling.getKey(), inline(sibling.getValue(), files, resolving));
            }
        }
        return result;
    }
}
