package io.gatekit.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The two PATCH flavours of the Admin API, on Jackson trees; inputs are never modified. */
final class JsonPatches {

    private JsonPatches() {
    }

    /**
     * JSON merge patch (RFC 7396), which is also what APISIX's {@code core.table.merge} does on
     * {@code PATCH /x/{id}}: objects merge key by key, {@code null} removes a key, anything else
     * (arrays included) replaces the target value whole.
     */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target.isObject() ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), merge(result.path(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    /**
     * Replaces the value at {@code path} (segments of {@code PATCH /x/{id}/a/b}) of {@code root}
     * with {@code value}, as APISIX's {@code core.table.patch}: missing objects on the way are
     * created, and a scalar on the way is an error naming the path up to it. A JSON {@code null}
     * value removes the key. Array elements are addressed by their 0-based index.
     *
     * @throws AdminError 400 {@code invalid sub-path: /a} when the path cannot be followed
     */
    static ObjectNode replaceAt(ObjectNode root, List<String> path, JsonNode value) {
        ObjectNode result = root.deepCopy();
        JsonNode current = result;
        for (int i = 0; i < path.size() - 1; i++) {
            String segment = path.get(i);
            JsonNode next;
            if (current instanceof ObjectNode object) {
                next = object.get(segment);
                if (next == null || next.isNull()) {
                    next = object.putObject(segment);
                }
            } else {
                int index = index((ArrayNode) current, segment, path, i);
                next = current.get(index);
            }
            if (!next.isContainerNode()) {
                throw invalidSubPath(path, i + 1);
            }
            current = next;
        }
        String last = path.get(path.size() - 1);
        if (current instanceof ObjectNode object) {
            if (value.isNull()) {
                object.remove(last);
            } else {
                object.set(last, value.deepCopy());
            }
        } else {
            ArrayNode array = (ArrayNode) current;
            int index = index(array, last, path, path.size() - 1);
            if (value.isNull()) {
                array.remove(index);
            } else {
                array.set(index, value.deepCopy());
            }
        }
        return result;
    }

    private static int index(ArrayNode array, String segment, List<String> path, int at) {
        if (!segment.isEmpty() && segment.length() <= 9 && segment.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(segment);
            if (index < array.size()) {
                return index;
            }
        }
        throw invalidSubPath(path, at + 1);
    }

    /** {@code path} as a JSON Pointer, with {@code ~} and {@code /} escaped. */
    static String pointer(List<String> path) {
        StringBuilder sb = new StringBuilder();
        for (String segment : path) {
            sb.append('/').append(segment.replace("~", "~0").replace("/", "~1"));
        }
        return sb.toString();
    }

    private static AdminError invalidSubPath(List<String> path, int length) {
        String shown = "/" + String.join("/", path.subList(0, length));
        return AdminError.badRequest("invalid sub-path: " + shown, pointer(path), "subPath",
                "cannot follow " + shown + " (expected: objects, or arrays with an existing 0-based index, "
                        + "all along the path)");
    }
}
