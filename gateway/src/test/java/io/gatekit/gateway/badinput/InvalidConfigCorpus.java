package io.gatekit.gateway.badinput;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Generates invalid resource configs from valid ones: walks each valid document alongside its
 * JSON Schema and, at every field, makes one mutation per way the schema says the field can be
 * wrong (wrong type, value outside an enum, under a minimum, over a maximum, too short, too long,
 * not matching a pattern, too few items, repeated items, a required field removed, an unknown
 * property where none is allowed), plus hand-written mutations for what a schema cannot say
 * (references to missing ids, cross-field rules, unknown plugins, bad {@code _meta}). Each
 * mutation records the JSON pointer of the field it broke.
 */
final class InvalidConfigCorpus {

    /** One invalid document, for {@code kind}, broken at {@code pointer}. */
    record Mutation(String kind, String pointer, String how, JsonNode document) {
        @Override
        public String toString() {
            return kind + " " + pointer + " " + how;
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String UNKNOWN = "gatekit_unknown_field";

    private final Map<String, JsonNode> resourceSchemas;
    private final Function<String, JsonNode> pluginSchemas;
    private final List<Mutation> out = new ArrayList<>();
    private String kind = "";
    private JsonNode base = NODES.objectNode();

    /**
     * @param pluginSchemas a plugin's schema by name (as the Admin API serves it), or {@code null}
     *                      for an unknown plugin
     */
    InvalidConfigCorpus(Function<String, JsonNode> pluginSchemas) {
        this.pluginSchemas = pluginSchemas;
        this.resourceSchemas = Map.of(
                "routes", resource("route.json"), "services", resource("service.json"),
                "upstreams", resource("upstream.json"), "plugin_configs", resource("plugin_config.json"),
                "global_rules", resource("global_rule.json"), "common", resource("common.json"));
    }

    private static JsonNode resource(String name) {
        try (InputStream in = InvalidConfigCorpus.class.getResourceAsStream("/io/gatekit/engine/schema/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the engine's schema " + name + " is not on the class path");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every schema-derived mutation of {@code valid}, a valid document of {@code kind}. */
    List<Mutation> mutate(String kind, JsonNode valid) {
        this.kind = kind;
        this.base = valid;
        walk(valid, resourceSchemas.get(kind), "");
        return out;
    }

    /** Adds a hand-written mutation: {@code change} applied to a copy of {@code valid}. */
    void add(String kind, JsonNode valid, String pointer, String how, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode copy = valid.deepCopy();
        change.accept(copy);
        out.add(new Mutation(kind, pointer, how, copy));
    }

    List<Mutation> all() {
        return out;
    }

    // ------------------------------------------------------------------ schema walk

    private JsonNode resolve(JsonNode schema) {
        JsonNode ref = schema.get("$ref");
        if (ref == null) {
            return schema;
        }
        String target = ref.asText();
        String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String fragment = target.contains("#") ? target.substring(target.indexOf('#') + 1) : "";
        JsonNode root = switch (file) {
            case "common.json" -> resourceSchemas.get("common");
            case "upstream.json" -> resourceSchemas.get("upstreams");
            default -> throw new IllegalStateException("unknown $ref " + target);
        };
        return resolve(fragment.isEmpty() ? root : root.at(fragment));
    }

    private void walk(JsonNode value, JsonNode rawSchema, String pointer) {
        JsonNode schema = resolve(rawSchema);
        if (!pointer.isEmpty()) {
            fieldMutations(value, schema, pointer);
        }
        if (value.isObject()) {
            walkObject((ObjectNode) value, schema, pointer);
        } else if (value.isArray() && schema.has("items") && !value.isEmpty()) {
            walk(value.get(0), schema.get("items"), pointer + "/0");
        }
    }

    private void walkObject(ObjectNode value, JsonNode schema, String pointer) {
        JsonNode properties = schema.path("properties");
        for (String required : strings(schema.path("required"))) {
            if (value.has(required)) {
                replace(pointer, "/" + required, "required field removed", null);
            }
        }
        if (schema.path("additionalProperties").isBoolean() && !schema.get("additionalProperties").asBoolean()) {
            ObjectNode extended = value.deepCopy();
            extended.put(UNKNOWN, 1);
            put(pointer + "/" + UNKNOWN, "unknown property where none is allowed", pointer, extended);
        }
        if (schema.has("maxProperties")) {
            ObjectNode crowded = value.deepCopy();
            for (int i = 0; crowded.size() <= schema.get("maxProperties").asInt(); i++) {
                crowded.put("extra" + i, "v");
            }
            put(pointer, "more than maxProperties", pointer, crowded);
        }
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String child = pointer + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
            if (field.getKey().equals("plugins") && properties.has("plugins")) {
                walkPlugins((ObjectNode) field.getValue(), child);
                continue;
            }
            JsonNode childSchema = properties.get(field.getKey());
            if (childSchema == null) {
                childSchema = patternSchema(schema, field.getKey());
            }
            if (childSchema == null && schema.path("additionalProperties").isObject()) {
                childSchema = schema.get("additionalProperties");
            }
            if (childSchema != null) {
                walk(field.getValue(), childSchema, child);
            }
        }
    }

    private static JsonNode patternSchema(JsonNode schema, String name) {
        Iterator<Map.Entry<String, JsonNode>> patterns = schema.path("patternProperties").fields();
        while (patterns.hasNext()) {
            Map.Entry<String, JsonNode> p = patterns.next();
            if (Pattern.compile(p.getKey()).matcher(name).find()) {
                return p.getValue();
            }
        }
        return null;
    }

    private void walkPlugins(ObjectNode plugins, String pointer) {
        ObjectNode unknown = plugins.deepCopy();
        unknown.putObject("gatekit-no-such-plugin");
        put(pointer + "/gatekit-no-such-plugin", "unknown plugin", pointer, unknown);
        Iterator<Map.Entry<String, JsonNode>> entries = plugins.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> plugin = entries.next();
            JsonNode schema = pluginSchemas.apply(plugin.getKey());
            String child = pointer + "/" + plugin.getKey();
            fieldMutations(plugin.getValue(), NODES.objectNode().put("type", "object"), child);
            walkObject((ObjectNode) plugin.getValue(), schema, child);
        }
    }

    // ------------------------------------------------------------------ one field

    private void fieldMutations(JsonNode value, JsonNode schema, String pointer) {
        Set<String> allowed = types(schema);
        if (!allowed.isEmpty()) {
            for (JsonNode wrong : wrongTypeValues()) {
                if (!matchesAny(wrong, allowed)) {
                    replace(pointer, "", "wrong type " + typeOf(wrong), wrong);
                }
            }
        }
        if (schema.has("enum")) {
            JsonNode outside = value.isNumber() ? NODES.numberNode(987654) : NODES.textNode("gatekit-not-a-choice");
            replace(pointer, "", "value outside the enum", outside);
        }
        if (value.isNumber()) {
            boolean integer = allowed.contains("integer") && !allowed.contains("number");
            if (schema.has("minimum")) {
                replace(pointer, "", "under the minimum", number(schema.get("minimum").asDouble() - 1, integer));
            }
            if (schema.has("exclusiveMinimum") && schema.get("exclusiveMinimum").isNumber()) {
                replace(pointer, "", "at the exclusive minimum", number(schema.get("exclusiveMinimum").asDouble(),
                        integer));
            }
            if (schema.has("maximum")) {
                replace(pointer, "", "over the maximum", number(schema.get("maximum").asDouble() + 1, integer));
            }
        }
        if (value.isTextual()) {
            if (schema.path("minLength").asInt(0) > 0) {
                replace(pointer, "", "shorter than minLength",
                        NODES.textNode("x".repeat(schema.get("minLength").asInt() - 1)));
            }
            if (schema.has("maxLength")) {
                replace(pointer, "", "longer than maxLength",
                        NODES.textNode("x".repeat(schema.get("maxLength").asInt() + 1)));
            }
            if (schema.has("pattern")) {
                Pattern pattern = Pattern.compile(schema.get("pattern").asText());
                for (String candidate : List.of("has space", "bad/value!", "ünïcode", "x\ty", "::", "-")) {
                    int min = schema.path("minLength").asInt(0);
                    if (!pattern.matcher(candidate).find() && candidate.length() >= min) {
                        replace(pointer, "", "not matching the pattern", NODES.textNode(candidate));
                        break;
                    }
                }
            }
        }
        if (value.isArray()) {
            if (schema.path("minItems").asInt(0) > 0) {
                replace(pointer, "", "fewer than minItems", NODES.arrayNode());
            }
            if (schema.path("uniqueItems").asBoolean(false) && !value.isEmpty()) {
                ArrayNode repeated = value.deepCopy();
                repeated.add(value.get(0).deepCopy());
                replace(pointer, "", "repeated items", repeated);
            }
            if (schema.has("maxItems")) {
                ArrayNode long_ = value.deepCopy();
                while (long_.size() <= schema.get("maxItems").asInt()) {
                    long_.add(value.get(0).deepCopy());
                }
                replace(pointer, "", "more than maxItems", long_);
            }
        }
    }

    private static JsonNode number(double value, boolean integer) {
        return integer ? NODES.numberNode((long) Math.floor(value)) : NODES.numberNode(value);
    }

    private static List<JsonNode> wrongTypeValues() {
        return List.of(NODES.textNode("gatekit-wrong-type"), NODES.numberNode(7), NODES.numberNode(1.5),
                NODES.booleanNode(true), NODES.arrayNode(), NODES.objectNode());
    }

    /** The JSON types a schema admits, from {@code type} or from every branch of an anyOf/oneOf. */
    private Set<String> types(JsonNode schema) {
        Set<String> types = new LinkedHashSet<>();
        JsonNode type = schema.get("type");
        if (type != null) {
            if (type.isArray()) {
                type.forEach(t -> types.add(t.asText()));
            } else {
                types.add(type.asText());
            }
            return types;
        }
        for (String combinator : List.of("anyOf", "oneOf")) {
            if (schema.has(combinator)) {
                for (JsonNode branch : schema.get(combinator)) {
                    Set<String> branchTypes = types(resolve(branch));
                    if (branchTypes.isEmpty()) {
                        return Set.of();
                    }
                    types.addAll(branchTypes);
                }
                return types;
            }
        }
        return types;
    }

    private static boolean matchesAny(JsonNode value, Set<String> types) {
        for (String type : types) {
            boolean match = switch (type) {
                case "string" -> value.isTextual();
                case "integer" -> value.isIntegralNumber();
                case "number" -> value.isNumber();
                case "boolean" -> value.isBoolean();
                case "array" -> value.isArray();
                case "object" -> value.isObject();
                case "null" -> value.isNull();
                default -> false;
            };
            if (match) {
                return true;
            }
        }
        return false;
    }

    private static String typeOf(JsonNode value) {
        return value.isTextual() ? "string" : value.isIntegralNumber() ? "integer" : value.isNumber() ? "number"
                : value.isBoolean() ? "boolean" : value.isArray() ? "array" : "object";
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    // ------------------------------------------------------------------ edits

    /** Replaces (or, with {@code null}, removes) the node at {@code parent + leaf}. */
    private void replace(String parent, String leaf, String how, JsonNode replacement) {
        String target = parent + leaf;
        JsonNode copy = base.deepCopy();
        int slash = target.lastIndexOf('/');
        JsonNode container = copy.at(target.substring(0, slash));
        String last = target.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        if (container instanceof ObjectNode object) {
            if (replacement == null) {
                object.remove(last);
            } else {
                object.set(last, replacement);
            }
        } else if (container instanceof ArrayNode array) {
            array.set(Integer.parseInt(last), replacement);
        } else {
            throw new IllegalStateException("no container at " + target + " in " + base);
        }
        out.add(new Mutation(kind, target, how, copy));
    }

    /** Puts {@code replacement} at {@code at} (the pointer reported is {@code pointer}). */
    private void put(String pointer, String how, String at, JsonNode replacement) {
        JsonNode copy = base.deepCopy();
        if (at.isEmpty()) {
            out.add(new Mutation(kind, pointer, how, replacement));
            return;
        }
        int slash = at.lastIndexOf('/');
        JsonNode container = copy.at(at.substring(0, slash));
        String last = at.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        if (container instanceof ArrayNode array) {
            array.set(Integer.parseInt(last), replacement);
        } else {
            ((ObjectNode) container).set(last, replacement);
        }
        out.add(new Mutation(kind, pointer, how, copy));
    }
}
