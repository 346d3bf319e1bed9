package io.gatekit.engine.internal.schema;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import io.gatekit.engine.Violation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.everit.json.schema.ArraySchema;
import org.everit.json.schema.CombinedSchema;
import org.everit.json.schema.ConditionalSchema;
import org.everit.json.schema.ObjectSchema;
import org.everit.json.schema.ReferenceSchema;
import org.everit.json.schema.Schema;
import org.everit.json.schema.ValidationException;
import org.everit.json.schema.loader.SchemaLoader;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * {@link SchemaValidator} on everit-json-schema (draft 7 unless {@code $schema} says otherwise).
 * The only class that knows everit and org.json: documents arrive as Jackson trees, are copied
 * into org.json for everit, and everit's exception tree is turned into neutral {@link Failure}s
 * that {@link LuaReasons} words.
 *
 * <p>Remote {@code $ref}s are refused (a schema must not make the engine fetch URLs). Defaults
 * are applied by walking everit's schema model over a Jackson copy of the document, copying each
 * default from the schema text; everit's own {@code useDefaults} is off because it would put one
 * shared default object into every document.
 */
public final class EveritSchemaValidator implements SchemaValidator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DEPTH = 256;
    private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    @Override
    public CompiledSchema compile(String schemaJson) {
        requireNonNull(schemaJson, "schemaJson");
        JsonNode tree;
        try {
            tree = JSON.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            throw new SchemaException("schema is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new SchemaException("schema must be a JSON object, got "
                    + (tree == null ? "nothing" : tree.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        try {
            Schema schema = SchemaLoader.builder()
                    .draftV7Support()
                    .useDefaults(false)
                    .schemaClient(url -> {
                        throw new RemoteRefRefused(url);
                    })
                    .schemaJson(toOrg(tree, new ArrayList<>()))
                    .build()
                    .load()
                    .build();
            return new EveritCompiledSchema(schema, tree);
        } catch (org.everit.json.schema.SchemaException e) {
            throw new SchemaException("invalid schema: " + e.getMessage(), e);
        } catch (PatternSyntaxException e) {
            throw new SchemaException("invalid schema: bad regular expression "
                    + LuaText.quote(e.getPattern()) + ": " + e.getDescription(), e);
        } catch (RemoteRefRefused e) {
            throw new SchemaException("invalid schema: $ref to " + e.getMessage()
                    + " is not allowed, only references inside the schema", e);
        } catch (JSONException | IllegalArgumentException | IllegalStateException e) {
            throw new SchemaException("invalid schema: " + e.getMessage(), e);
        }
    }

    private static final class EveritCompiledSchema implements CompiledSchema {
        private final Schema schema;
        private final JsonNode tree;
        private final Defaults defaults;

        EveritCompiledSchema(Schema schema, JsonNode tree) {
            this.defaults = new Defaults(tree);
            this.schema = schema;
            this.tree = tree;
        }

        @Override
        public List<Violation> validate(JsonNode document) {
            requireNonNull(document, "document");
            Object subject;
            try {
                subject = toOrg(document, new ArrayList<>());
            } catch (NonFiniteNumber e) {
                return List.of(new Violation(LuaPath.pointer(e.pointer), "type",
                        "wrong type: expected a finite number, got " + e.getMessage()));
            }
            try {
                schema.validate(subject);
                return List.of();
            } catch (ValidationException e) {
                return LuaReasons.render(tree, document, flatten(e, List.of()));
            }
        }

        @Override
        public SchemaResult validateAndApplyDefaults(JsonNode document) {
            List<Violation> violations = validate(document);
            if (!violations.isEmpty()) {
                return new SchemaResult(violations, document);
            }
            JsonNode copy = document.deepCopy();
            applyDefaults(schema, defaults, copy, 0);
            return new SchemaResult(violations, copy);
        }

        @Override
        public String toString() {
            return "CompiledSchema" + tree;
        }
    }

    // ---- everit's exception tree -> Failures ------------------------------------------------

    /**
     * Leaf failures of {@code e}. Wrappers ("N schema violations found", everit's synthetic allOf
     * around a schema with several keywords, a real allOf) are opened; oneOf/anyOf stay leaves
     * and keep their branches' failures as causes.
     */
    private static List<Failure> flatten(ValidationException e, @Nullable List<String> inherited) {
        List<String> location = location(e.getSchemaLocation(), inherited);
        String keyword = e.getKeyword();
        List<ValidationException> causes = e.getCausingExceptions();
        if ((keyword == null || keyword.equals("allOf")) && !causes.isEmpty()) {
            List<Failure> out = new ArrayList<>();
            for (ValidationException cause : causes) {
                out.addAll(flatten(cause, location));
            }
            return out;
        }
        List<Failure> branchFailures = new ArrayList<>();
        if ("oneOf".equals(keyword) || "anyOf".equals(keyword)) {
            for (ValidationException cause : causes) {
                branchFailures.addAll(flatten(cause, location));
            }
        }
        String message = e.getErrorMessage() == null ? e.getMessage() : e.getErrorMessage();
        return List.of(new Failure(tokens(e.getPointerToViolation()),
                keyword == null ? "schema" : keyword, location, member(keyword, message),
                message, branchFailures));
    }

    private static @Nullable List<String> location(@Nullable String raw, @Nullable List<String> inherited) {
        if (raw == null) {
            return inherited;
        }
        int hash = raw.indexOf('#');
        return hash < 0 ? inherited : tokens(raw.substring(hash));
    }

    /** Decoded tokens of an everit pointer such as {@code #/a~1b/0} (it also escapes quotes). */
    private static List<String> tokens(@Nullable String pointer) {
        List<String> out = new ArrayList<>();
        if (pointer == null) {
            return out;
        }
        String body = pointer.startsWith("#") ? pointer.substring(1) : pointer;
        if (body.isEmpty()) {
            return out;
        }
        for (String raw : body.substring(body.startsWith("/") ? 1 : 0).split("/", -1)) {
            StringBuilder token = new StringBuilder(raw.length());
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c == '~' && i + 1 < raw.length() && (raw.charAt(i + 1) == '0' || raw.charAt(i + 1) == '1')) {
                    token.append(raw.charAt(++i) == '0' ? '~' : '/');
                } else if (c == '\\' && i + 1 < raw.length()) {
                    token.append(raw.charAt(++i));
                } else {
                    token.append(c);
                }
            }
            out.add(token.toString());
        }
        return out;
    }

    /** The member everit names in its message for required/additionalProperties/dependencies. */
    private static @Nullable String member(@Nullable String keyword, String message) {
        if (keyword == null) {
            return null;
        }
        return switch (keyword) {
            case "required" -> between(message, "required key [", "] not found");
            case "additionalProperties" -> between(message, "extraneous key [", "] is not permitted");
            case "dependencies" -> between(message, "property [", "] is required");
            default -> null;
        };
    }

    private static @Nullable String between(String message, String start, String end) {
        if (message.startsWith(start) && message.endsWith(end)
                && message.length() >= start.length() + end.length()) {
            return message.substring(start.length(), message.length() - end.length());
        }
        return null;
    }

    // ---- defaults ---------------------------------------------------------------------------

    /**
     * Fills absent members that have a {@code default}, as lua jsonschema does: in every object
     * the schema walks into, never inside a default just inserted. Of anyOf/oneOf branches only
     * the (first) one the value matches contributes defaults.
     */
    private static void applyDefaults(Schema declared, Defaults tree, JsonNode value, int depth) {
        if (depth > MAX_DEPTH) {
            return;
        }
        Schema schema = unwrap(declared);
        if (schema instanceof CombinedSchema combined) {
            combinedDefaults(combined, tree, value, depth);
        } else if (schema instanceof ConditionalSchema conditional) {
            if (conditional.getIfSchema().isPresent()) {
                boolean matches = matches(conditional.getIfSchema().get(), value);
                (matches ? conditional.getThenSchema() : conditional.getElseSchema())
                        .ifPresent(branch -> applyDefaults(branch, tree, value, depth + 1));
            }
        } else if (schema instanceof ObjectSchema object && value instanceof ObjectNode node) {
            objectDefaults(object, tree, node, depth);
        } else if (schema instanceof ArraySchema array && value instanceof ArrayNode node) {
            arrayDefaults(array, tree, node, depth);
        }
    }

    private static void combinedDefaults(CombinedSchema combined, Defaults tree, JsonNode value, int depth) {
        if (combined.getCriterion() == CombinedSchema.ALL_CRITERION) {
            for (Schema sub : combined.getSubschemas()) {
                applyDefaults(sub, tree, value, depth + 1);
            }
            return;
        }
        for (Schema sub : combined.getSubschemas()) {
            if (matches(sub, value)) {
                applyDefaults(sub, tree, value, depth + 1);
                return;
            }
        }
    }

    private static void objectDefaults(ObjectSchema schema, Defaults tree, ObjectNode node, int depth) {
        List<String> present = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            present.add(field.getKey());
        }
        for (Map.Entry<String, Schema> property : schema.getPropertySchemas().entrySet()) {
            JsonNode child = node.get(property.getKey());
            if (child != null) {
                applyDefaults(property.getValue(), tree, child, depth + 1);
                continue;
            }
            JsonNode fallback = tree.of(property.getValue());
            if (fallback != null) {
                node.set(property.getKey(), fallback);
            }
        }
        for (String name : present) {
            boolean matched = schema.getPropertySchemas().containsKey(name);
            for (Map.Entry<Pattern, Schema> pattern : schema.getPatternProperties().entrySet()) {
                if (pattern.getKey().matcher(name).find()) {
                    matched = true;
                    applyDefaults(pattern.getValue(), tree, node.get(name), depth + 1);
                }
            }
            if (!matched && schema.getSchemaOfAdditionalProperties() != null) {
                applyDefaults(schema.getSchemaOfAdditionalProperties(), tree, node.get(name), depth + 1);
            }
        }
        for (Map.Entry<String, Schema> dependency : schema.getSchemaDependencies().entrySet()) {
            if (present.contains(dependency.getKey())) {
                applyDefaults(dependency.getValue(), tree, node, depth + 1);
            }
        }
    }

    private static void arrayDefaults(ArraySchema schema, Defaults tree, ArrayNode node, int depth) {
        List<Schema> tuple = schema.getItemSchemas();
        for (int i = 0; i < node.size(); i++) {
            Schema item = schema.getAllItemSchema();
            if (tuple != null) {
                item = i < tuple.size() ? tuple.get(i) : schema.getSchemaOfAdditionalItems();
            }
            if (item != null) {
                applyDefaults(item, tree, node.get(i), depth + 1);
            }
        }
    }

    /**
     * The default a property schema declares, read from the schema text at the schema's
     * location (everit keeps defaults only when it applies them itself), looking through
     * references and keyword groups. A fresh copy each time.
     */
    private static @Nullable JsonNode defaultOf(Schema declared, JsonNode tree, int depth) {
        if (depth > MAX_DEPTH) {
            return null;
        }
        String location = declared.getSchemaLocation();
        if (location != null && location.indexOf('#') >= 0) {
            JsonNode fallback = LuaPath.resolve(tree, tokens(location.substring(location.indexOf('#')))).get("default");
            if (fallback != null) {
                return fallback.deepCopy();
            }
        }
        if (declared instanceof ReferenceSchema ref && ref.getReferredSchema() != null) {
            return defaultOf(ref.getReferredSchema(), tree, depth + 1);
        }
        if (declared instanceof CombinedSchema combined && combined.getCriterion() == CombinedSchema.ALL_CRITERION) {
            for (Schema sub : combined.getSubschemas()) {
                JsonNode fallback = defaultOf(sub, tree, depth + 1);
                if (fallback != null) {
                    return fallback;
                }
            }
        }
        return null;
    }

    /**
     * The defaults of one schema's properties, each looked up in the schema text once: applying
     * defaults to ten thousand confs of one plugin would otherwise resolve the same locations
     * ten thousand times. Schemas are immutable, so the cache never goes stale; keyed by
     * identity, since everit's own equals compares whole subtrees.
     */
    private static final class Defaults {
        private final JsonNode tree;
        private final Map<Schema, Optional<JsonNode>> known = new IdentityHashMap<>();

        Defaults(JsonNode tree) {
            this.tree = tree;
        }

        /** A fresh copy of the default {@code property} declares, or {@code null}. */
        @Nullable JsonNode of(Schema property) {
            Optional<JsonNode> found;
            synchronized (known) {
                found = known.computeIfAbsent(property, p -> Optional.ofNullable(defaultOf(p, tree, 0)));
            }
            if (found.isEmpty()) {
                return null;
            }
            JsonNode copy = found.get().deepCopy();
            return copy;
        }
    }

    private static Schema unwrap(Schema schema) {
        Schema current = schema;
        for (int i = 0; i < MAX_DEPTH && current instanceof ReferenceSchema ref
                && ref.getReferredSchema() != null; i++) {
            current = ref.getReferredSchema();
        }
        return current;
    }

    private static boolean matches(Schema schema, JsonNode value) {
        try {
            schema.validate(toOrg(value, new ArrayList<>()));
            return true;
        } catch (ValidationException | NonFiniteNumber e) {
            return false;
        }
    }

    // ---- Jackson <-> org.json -----------------------------------------------------------------

    /**
     * An org.json copy of {@code node}. Numbers keep their exact value; a number with no
     * fractional part becomes an integer (lua jsonschema, like JSON Schema 6+, treats {@code 1.0}
     * as an integer, while everit would not).
     */
    private static Object toOrg(JsonNode node, List<String> path) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                JSONObject object = new JSONObject();
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    path.add(field.getKey());
                    object.put(field.getKey(), toOrg(field.getValue(), path));
                    path.remove(path.size() - 1);
                }
                return object;
            }
            case ARRAY -> {
                JSONArray array = new JSONArray();
                for (int i = 0; i < node.size(); i++) {
                    path.add(Integer.toString(i));
                    array.put(toOrg(node.get(i), path));
                    path.remove(path.size() - 1);
                }
                return array;
            }
            case NUMBER -> {
                return number(node, path);
            }
            case BOOLEAN -> {
                return node.booleanValue();
            }
            case STRING -> {
                return node.textValue();
            }
            case BINARY -> {
                return node.asText();
            }
            default -> {
                return JSONObject.NULL;
            }
        }
    }

    private static Number number(JsonNode node, List<String> path) {
        if (node.isIntegralNumber()) {
            return node.isBigInteger() ? smallest(node.bigIntegerValue()) : node.numberValue();
        }
        if (node.isDouble() || node.isFloat()) {
            double d = node.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NonFiniteNumber(path, LuaText.number(d));
            }
        }
        BigDecimal decimal = node.isBigDecimal() ? node.decimalValue() : BigDecimal.valueOf(node.doubleValue());
        decimal = decimal.signum() == 0 ? BigDecimal.ZERO : decimal.stripTrailingZeros();
        return decimal.scale() <= 0 ? smallest(decimal.toBigIntegerExact()) : decimal;
    }

    private static Number smallest(BigInteger value) {
        if (value.compareTo(INT_MIN) >= 0 && value.compareTo(INT_MAX) <= 0) {
            return value.intValue();
        }
        if (value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0) {
            return value.longValue();
        }
        return value;
    }

    private static final class NonFiniteNumber extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<String> pointer;

        NonFiniteNumber(List<String> pointer, String value) {
            super(value, null, false, false);
            this.pointer = List.copyOf(pointer);
        }
    }

    private static final class RemoteRefRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RemoteRefRefused(String url) {
            super(url, null, false, false);
        }
    }
}
