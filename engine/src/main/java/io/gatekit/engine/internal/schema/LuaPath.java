package io.gatekit.engine.internal.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.gatekit.api.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The path part of a lua jsonschema reason ({@code property "timeout" validation failed: }...),
 * built by walking a failure's schema location alongside its document pointer, plus the sort key
 * that puts the failure where APISIX's depth-first, first-error-wins check would meet it.
 *
 * <p>Texts (api7/jsonschema {@code generate_validator}): {@code property %q validation failed: },
 * {@code failed to validate <name> (matching %q): } for patternProperties,
 * {@code failed to validate additional property <name>: }, {@code failed to validate item %d: }
 * (1-based), {@code failed to validate additional item %d: }, {@code allOf %d failed: },
 * {@code failed to validate dependent schema for %q: }.
 *
 * <p>When the location cannot be followed step by step (a {@code $ref} jump, or no location), the
 * path is rebuilt from the document pointer alone: {@code property %q validation failed: } for an
 * object member, {@code failed to validate item %d: } for an array element.
 */
final class LuaPath {

    // Ranks: the order lua jsonschema checks keywords of one schema (type first, then the
    // properties loop, then the other object, array, string and number keywords, then enum and
    // the combinators). Lower runs first.
    static final int TYPE = 0;
    static final int REQUIRED = 1;
    static final int DESCEND = 2;
    static final int DEPENDENCIES = 3;
    static final int ADDITIONAL = 4;
    static final int COUNT = 5;
    static final int VALUE = 6;
    static final int ENUM = 7;
    static final int ALL_OF = 8;
    static final int ANY_OF = 9;
    static final int ONE_OF = 10;
    static final int CONDITIONAL = 11;
    static final int NOT = 12;
    static final int FORMAT = 13;
    static final int CONST = 14;
    static final int OTHER = 15;

    /**
     * A walked path.
     *
     * @param prefix the lua text to put before the leaf reason
     * @param sortKey (rank, position) pairs, one per step
     * @param value the failing value (a member name for {@code propertyNames} failures)
     */
    record Walk(String prefix, List<Integer> sortKey, JsonNode value) {
    }

    private LuaPath() {
    }

    /**
     * Walks {@code location} from token {@code locFrom} and {@code pointer} from token
     * {@code ptrFrom}; {@code schemaStart} and {@code docStart} are the schema and document
     * nodes those starting tokens lead to.
     */
    static Walk walk(JsonNode schemaStart, JsonNode docStart, @Nullable List<String> location,
            int locFrom, List<String> pointer, int ptrFrom) {
        if (location != null) {
            Walk walk = followLocation(schemaStart, docStart, location, locFrom, pointer, ptrFrom);
            if (walk != null) {
                return walk;
            }
        }
        return followPointer(docStart, pointer, ptrFrom);
    }

    private static @Nullable Walk followLocation(JsonNode schemaStart, JsonNode docStart,
            List<String> location, int locFrom, List<String> pointer, int ptrFrom) {
        StringBuilder prefix = new StringBuilder();
        List<Integer> key = new ArrayList<>();
        JsonNode node = schemaStart;
        JsonNode doc = docStart;
        int di = ptrFrom;
        int i = locFrom;
        while (i < location.size()) {
            String token = location.get(i);
            String next = i + 1 < location.size() ? location.get(i + 1) : null;
            String member = di < pointer.size() ? pointer.get(di) : null;
            switch (token) {
                case "properties", "patternProperties" -> {
                    if (next == null || member == null
                            || (token.equals("properties") && !member.equals(next))) {
                        return null;
                    }
                    prefix.append(token.equals("properties")
                            ? "property " + LuaText.quote(member) + " validation failed: "
                            : "failed to validate " + LuaText.bare(member) + " (matching "
                                    + LuaText.quote(next) + "): ");
                    node = node.path(token).path(next);
                    i += 2;
                }
                case "additionalProperties" -> {
                    if (member == null) {
                        return null;
                    }
                    prefix.append("failed to validate additional property ")
                            .append(LuaText.bare(member)).append(": ");
                    node = node.path(token);
                    i += 1;
                }
                case "items", "additionalItems" -> {
                    int index = index(member);
                    if (index < 0) {
                        return null;
                    }
                    boolean tuple = token.equals("items") && node.path("items").isArray();
                    node = tuple ? node.path("items").path(index(next)) : node.path(token);
                    i += tuple ? 2 : 1;
                    prefix.append(token.equals("items") ? "failed to validate item "
                            : "failed to validate additional item ").append(index + 1).append(": ");
                }
                case "propertyNames" -> {
                    if (member == null) {
                        return null;
                    }
                    prefix.append("failed to validate property name ")
                            .append(LuaText.quote(member)).append(": ");
                    key.add(DESCEND);
                    key.add(position(doc, member));
                    node = node.path(token);
                    doc = TextNode.valueOf(member);
                    di++;
                    i += 1;
                    continue;
                }
                case "allOf" -> {
                    int n = index(next);
                    if (n < 0) {
                        return null;
                    }
                    prefix.append("allOf ").append(n + 1).append(" failed: ");
                    key.add(ALL_OF);
                    key.add(n);
                    node = node.path(token).path(n);
                    i += 2;
                    continue;
                }
                case "dependencies" -> {
                    if (next == null) {
                        return null;
                    }
                    prefix.append("failed to validate dependent schema for ")
                            .append(LuaText.quote(next)).append(": ");
                    key.add(DEPENDENCIES);
                    key.add(0);
                    node = node.path(token).path(next);
                    i += 2;
                    continue;
                }
                default -> {
                    return null;
                }
            }
            // every case that reaches here stepped into a member or element of the document
            key.add(DESCEND);
            key.add(position(doc, member));
            doc = child(doc, member);
            di++;
        }
        if (di != pointer.size()) {
            return null;
        }
        return new Walk(prefix.toString(), key, doc);
    }

    private static Walk followPointer(JsonNode docStart, List<String> pointer, int ptrFrom) {
        StringBuilder prefix = new StringBuilder();
        List<Integer> key = new ArrayList<>();
        JsonNode doc = docStart;
        for (int i = ptrFrom; i < pointer.size(); i++) {
            String member = pointer.get(i);
            if (doc.isArray()) {
                prefix.append("failed to validate item ").append(index(member) + 1).append(": ");
            } else {
                prefix.append("property ").append(LuaText.quote(member)).append(" validation failed: ");
            }
            key.add(DESCEND);
            key.add(position(doc, member));
            doc = child(doc, member);
        }
        return new Walk(prefix.toString(), key, doc);
    }

    /** The node {@code tokens} lead to from {@code root}, or a missing node. */
    static JsonNode resolve(JsonNode root, @Nullable List<String> tokens) {
        if (tokens == null) {
            return MissingNode.getInstance();
        }
        JsonNode node = root;
        for (String token : tokens) {
            node = child(node, token);
        }
        return node;
    }

    static JsonNode child(JsonNode node, @Nullable String token) {
        if (token == null) {
            return MissingNode.getInstance();
        }
        if (node.isArray()) {
            int index = index(token);
            return index < 0 ? MissingNode.getInstance() : node.path(index);
        }
        return node.path(token);
    }

    /** Where {@code member} sits in {@code container}: its index, or its place among the keys. */
    static int position(JsonNode container, @Nullable String member) {
        if (member == null) {
            return Integer.MAX_VALUE;
        }
        if (container.isArray()) {
            int index = index(member);
            return index < 0 ? Integer.MAX_VALUE : index;
        }
        int place = 0;
        for (Map.Entry<String, JsonNode> field : container.properties()) {
            if (field.getKey().equals(member)) {
                return place;
            }
            place++;
        }
        return Integer.MAX_VALUE;
    }

    static int index(@Nullable String token) {
        if (token == null || token.isEmpty() || token.length() > 9) {
            return -1;
        }
        for (int i = 0; i < token.length(); i++) {
            if (!Character.isDigit(token.charAt(i))) {
                return -1;
            }
        }
        return Integer.parseInt(token);
    }

    /** Tokens as a JSON Pointer string ({@code ""} for none). */
    static String pointer(List<String> tokens) {
        StringBuilder out = new StringBuilder();
        for (String token : tokens) {
            out.append('/').append(token.replace("~", "~0").replace("/", "~1"));
        }
        return out.toString();
    }
}
