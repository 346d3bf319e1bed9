package io.gatekit.engine.internal.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.Violation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Words {@link Failure}s the way APISIX's lua jsonschema (api7/jsonschema,
 * {@code lib/jsonschema.lua}, {@code generate_validator}) words them, and orders them so the
 * first is the one APISIX reports. Leaf texts:
 *
 * <pre>
 * type            wrong type: expected string, got number   (one of a, b: for a type list)
 * required        property "host" is required
 * additionalProp. additional properties forbidden, found foo
 * dependencies    property "b" is required when "a" is set
 * minLength       string too short, expected at least 1, got 0      (maxLength: too long, at most)
 * pattern         failed to match pattern "^/[^?&amp;]+$" with "abc"
 * minimum         expected 0 to be at least 1e-05      (maximum: at most; exclusive*: greater
 *                                                       than, smaller than)
 * multipleOf      expected 7 to be a multiple of 2
 * enum            matches none of the enum values
 * const           failed to check const value
 * minItems        expect array to have at least 1 items (maxItems: at most)
 * uniqueItems     expected unique items but items 1 and 2 are equal
 * minProperties   expect object to have at least 1 properties (maxProperties: at most)
 * oneOf           value should match only one schema, but matches none
 *                 value should match only one schema, but matches both schemas 1 and 2
 * anyOf           object matches none of the required[: ["a"] or ["b"]]
 * not             value wasn't supposed to match schema
 * then / else     then clause did not match / else clause did not match
 * format          expect valid ipv4 address but got: 1.2.3
 * </pre>
 */
final class LuaReasons {

    private static final Comparator<List<Integer>> BY_KEY = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private record Rendered(Violation violation, List<Integer> sortKey) {
    }

    private LuaReasons() {
    }

    /** The violations for {@code failures} of {@code schema} in {@code document}, APISIX's first. */
    static List<Violation> render(JsonNode schema, JsonNode document, List<Failure> failures) {
        List<Rendered> rendered = new ArrayList<>(failures.size());
        for (Failure failure : failures) {
            rendered.add(render(schema, document, failure));
        }
        rendered.sort(Comparator.comparing(Rendered::sortKey, BY_KEY));
        List<Violation> out = new ArrayList<>(rendered.size());
        for (Rendered r : rendered) {
            out.add(r.violation());
        }
        return out;
    }

    private static Rendered render(JsonNode schema, JsonNode document, Failure f) {
        LuaPath.Walk walk = LuaPath.walk(schema, document, f.location(), 0, f.pointer(), 0);
        JsonNode node = LuaPath.resolve(schema, f.location());
        String keyword = keyword(f, node);
        String reason = reason(f, node, walk.value());
        StringBuilder message = new StringBuilder(walk.prefix()).append(reason);
        boolean noBranchMatched = keyword.equals("anyOf") || reason.endsWith("but matches none");
        if (f.keyword().equals(keyword) && noBranchMatched && f.location() != null) {
            appendBranches(message, schema, walk.value(), f);
        }
        List<Integer> key = new ArrayList<>(walk.sortKey());
        key.add(rank(keyword));
        key.add(subRank(f, node, walk.value()));
        String pointer = LuaPath.pointer(f.pointer());
        if (f.member() != null) {
            pointer = pointer + LuaPath.pointer(List.of(f.member()));
        }
        return new Rendered(new Violation(pointer, keyword, message.toString()), key);
    }

    /** The keyword to report: a {@code type} list is checked by everit as an anyOf of types. */
    private static String keyword(Failure f, JsonNode node) {
        if (f.keyword().equals("anyOf") && !node.has("anyOf") && node.path("type").isArray()) {
            return "type";
        }
        return f.keyword();
    }

    /** The leaf reason, without the path. */
    static String reason(Failure f, JsonNode node, JsonNode value) {
        String keyword = keyword(f, node);
        boolean namesMember = keyword.equals("required") || keyword.equals("additionalProperties")
                || keyword.equals("dependencies");
        if (namesMember && f.member() == null) {
            return f.libraryMessage();
        }
        return switch (keyword) {
            case "type" -> typeReason(node, value);
            case "required" -> "property " + LuaText.quote(String.valueOf(f.member())) + " is required";
            case "additionalProperties" ->
                    "additional properties forbidden, found " + LuaText.bare(String.valueOf(f.member()));
            case "dependencies" -> dependencyReason(f, node, value);
            case "minLength" -> "string too short, expected at least " + integer(node, "minLength")
                    + ", got " + LuaText.length(value.asText());
            case "maxLength" -> "string too long, expected at most " + integer(node, "maxLength")
                    + ", got " + LuaText.length(value.asText());
            case "pattern" -> "failed to match pattern " + LuaText.quote(node.path("pattern").asText())
                    + " with " + LuaText.quote(value.asText());
            case "minimum" -> range(value, "at least", node.path("minimum"));
            case "maximum" -> range(value, "at most", node.path("maximum"));
            case "exclusiveMinimum" -> range(value, "greater than", limit(node, "exclusiveMinimum", "minimum"));
            case "exclusiveMaximum" -> range(value, "smaller than", limit(node, "exclusiveMaximum", "maximum"));
            case "multipleOf" -> "expected " + LuaText.number(value) + " to be a multiple of "
                    + LuaText.number(node.path("multipleOf"));
            case "enum" -> "matches none of the enum values";
            case "const" -> "failed to check const value";
            case "minItems" -> "expect array to have at least " + integer(node, "minItems") + " items";
            case "maxItems" -> "expect array to have at most " + integer(node, "maxItems") + " items";
            case "uniqueItems" -> uniqueReason(value);
            case "minProperties" -> "expect object to have at least " + integer(node, "minProperties") + " properties";
            case "maxProperties" -> "expect object to have at most " + integer(node, "maxProperties") + " properties";
            case "oneOf" -> oneOfReason(f, node);
            case "anyOf" -> anyOfReason(node);
            case "not" -> "value wasn't supposed to match schema";
            case "then" -> "then clause did not match";
            case "else" -> "else clause did not match";
            case "false" -> "expect false always";
            case "contains" -> "failed to check contains";
            case "format" -> formatReason(node, value);
            default -> f.libraryMessage();
        };
    }

    private static String typeReason(JsonNode node, JsonNode value) {
        JsonNode type = node.path("type");
        String got = LuaText.typeName(value);
        if (type.isArray()) {
            List<String> names = new ArrayList<>();
            type.forEach(t -> names.add(t.asText()));
            return "wrong type: expected one of " + String.join(", ", names) + ", got " + got;
        }
        if (type.isTextual()) {
            return "wrong type: expected " + type.asText() + ", got " + got;
        }
        return "wrong type: got " + got;
    }

    private static String dependencyReason(Failure f, JsonNode node, JsonNode value) {
        String missing = String.valueOf(f.member());
        for (Map.Entry<String, JsonNode> dep : node.path("dependencies").properties()) {
            if (dep.getValue().isArray() && value.has(dep.getKey())) {
                for (JsonNode required : dep.getValue()) {
                    if (required.asText().equals(missing) && !value.has(missing)) {
                        return "property " + LuaText.quote(missing) + " is required when "
                                + LuaText.quote(dep.getKey()) + " is set";
                    }
                }
            }
        }
        return "property " + LuaText.quote(missing) + " is required";
    }

    private static JsonNode limit(JsonNode node, String keyword, String draft4Keyword) {
        JsonNode limit = node.path(keyword);
        return limit.isBoolean() ? node.path(draft4Keyword) : limit;
    }

    private static String range(JsonNode value, String relation, JsonNode limit) {
        return "expected " + LuaText.number(value) + " to be " + relation + " " + LuaText.number(limit);
    }

    private static String integer(JsonNode node, String keyword) {
        return LuaText.number(node.path(keyword));
    }

    /** lua's unique_item_in_array: a repeated scalar first, then equal tables, 1-based. */
    private static String uniqueReason(JsonNode array) {
        Map<Object, Integer> seen = new HashMap<>();
        List<Integer> tables = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            if (item.isContainerNode()) {
                tables.add(i);
                continue;
            }
            Object scalar = item.isNumber() ? (Object) item.doubleValue() : item;
            Integer first = seen.putIfAbsent(scalar, i);
            if (first != null) {
                return unique(first, i);
            }
        }
        for (int a = 0; a < tables.size(); a++) {
            for (int b = a + 1; b < tables.size(); b++) {
                if (array.get(tables.get(a)).equals(array.get(tables.get(b)))) {
                    return unique(tables.get(a), tables.get(b));
                }
            }
        }
        return "expected unique items";
    }

    private static String unique(int first, int second) {
        return "expected unique items but items " + (first + 1) + " and " + (second + 1) + " are equal";
    }

    private static String oneOfReason(Failure f, JsonNode node) {
        int branches = node.path("oneOf").size();
        TreeMap<Integer, List<Failure>> failed = byBranch(f);
        if (failed.size() >= branches || branches == 0) {
            return "value should match only one schema, but matches none";
        }
        List<Integer> matched = new ArrayList<>();
        for (int i = 0; i < branches && matched.size() < 2; i++) {
            if (!failed.containsKey(i)) {
                matched.add(i + 1);
            }
        }
        if (matched.size() < 2) {
            return "value should match only one schema, but matches none";
        }
        return "value should match only one schema, but matches both schemas "
                + matched.get(0) + " and " + matched.get(1);
    }

    private static String anyOfReason(JsonNode node) {
        List<String> requires = new ArrayList<>();
        for (JsonNode branch : node.path("anyOf")) {
            JsonNode required = branch.path("required");
            if (required.isArray()) {
                List<String> names = new ArrayList<>();
                required.forEach(r -> names.add(r.asText()));
                requires.add(names.isEmpty() ? "{}" : LuaText.cjsonArray(names));
            }
        }
        String reason = "object matches none of the required";
        return requires.isEmpty() ? reason : reason + ": " + String.join(" or ", requires);
    }

    private static String formatReason(JsonNode node, JsonNode value) {
        String format = node.path("format").asText();
        String kind = switch (format) {
            case "ipv4", "ipv6" -> format + " address";
            case "email" -> "email address";
            // lua jsonschema's hostname check reports itself as an ipv4 check; kept as APISIX says it
            case "hostname" -> "ipv4 address";
            default -> format;
        };
        return "expect valid " + kind + " but got: " + value.asText();
    }

    /** One line per failed branch, after the combinator's own reason. */
    private static void appendBranches(StringBuilder message, JsonNode schema, JsonNode value, Failure f) {
        List<String> location = Objects.requireNonNull(f.location(), "location");
        JsonNode combinator = LuaPath.resolve(schema, location);
        for (Map.Entry<Integer, List<Failure>> branch : byBranch(f).entrySet()) {
            List<String> branchLocation = new ArrayList<>(location);
            branchLocation.add(f.keyword());
            branchLocation.add(Integer.toString(branch.getKey()));
            JsonNode branchSchema = combinator.path(f.keyword()).path(branch.getKey());
            List<String> reasons = new ArrayList<>();
            for (Failure cause : branch.getValue()) {
                LuaPath.Walk walk = LuaPath.walk(branchSchema, value, cause.location(),
                        branchLocation.size(), cause.pointer(), f.pointer().size());
                JsonNode node = LuaPath.resolve(schema, cause.location());
                reasons.add(walk.prefix() + reason(cause, node, walk.value()));
            }
            message.append("\n  schema ").append(branch.getKey() + 1).append(": ")
                    .append(String.join("; ", reasons));
        }
    }

    /** The causes of a oneOf/anyOf failure, grouped by 0-based branch; unknown branches dropped. */
    private static TreeMap<Integer, List<Failure>> byBranch(Failure f) {
        TreeMap<Integer, List<Failure>> branches = new TreeMap<>();
        List<String> location = f.location();
        if (location == null) {
            return branches;
        }
        int at = location.size();
        for (Failure cause : f.causes()) {
            List<String> causeLocation = cause.location();
            if (causeLocation == null || causeLocation.size() <= at + 1
                    || !causeLocation.subList(0, at).equals(location)
                    || !causeLocation.get(at).equals(f.keyword())) {
                continue;
            }
            int branch = LuaPath.index(causeLocation.get(at + 1));
            if (branch >= 0) {
                branches.computeIfAbsent(branch, b -> new ArrayList<>()).add(cause);
            }
        }
        return branches;
    }

    private static int rank(String keyword) {
        return switch (keyword) {
            case "type" -> LuaPath.TYPE;
            case "required", "minItems", "maxItems" -> LuaPath.REQUIRED;
            case "dependencies" -> LuaPath.DEPENDENCIES;
            case "additionalProperties", "uniqueItems" -> LuaPath.ADDITIONAL;
            case "minProperties", "maxProperties" -> LuaPath.COUNT;
            case "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
                    "exclusiveMaximum", "multipleOf" -> LuaPath.VALUE;
            case "enum" -> LuaPath.ENUM;
            case "allOf" -> LuaPath.ALL_OF;
            case "anyOf" -> LuaPath.ANY_OF;
            case "oneOf" -> LuaPath.ONE_OF;
            case "if", "then", "else" -> LuaPath.CONDITIONAL;
            case "not" -> LuaPath.NOT;
            case "format" -> LuaPath.FORMAT;
            case "const" -> LuaPath.CONST;
            default -> LuaPath.OTHER;
        };
    }

    /**
     * Orders failures of the same rank at one place: lua's keyword order for string and number
     * checks, required members by the schema's list, extra members by their position.
     */
    private static int subRank(Failure f, JsonNode node, JsonNode value) {
        String member = f.member();
        if (member == null) {
            return switch (f.keyword()) {
                case "maxLength", "exclusiveMinimum" -> 1;
                case "pattern", "maximum" -> 2;
                case "exclusiveMaximum" -> 3;
                case "multipleOf" -> 4;
                default -> 0;
            };
        }
        if (f.keyword().equals("required")) {
            int i = 0;
            for (JsonNode required : node.path("required")) {
                if (required.asText().equals(member)) {
                    return i;
                }
                i++;
            }
            return i;
        }
        return LuaPath.position(value, member);
    }
}
