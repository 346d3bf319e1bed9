package io.gatekit.spring.cloud.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code Gatekit} filter's {@code plugins} as the JSON text of an APISIX route's plugins: parsed
 * from JSON text (each config kept as its JSON tree), or made from the map Spring binds a YAML map
 * to, whose scalars it binds as text (typed here as YAML read them) and its lists as maps keyed
 * {@code 0, 1, ...}.
 */
final class PluginsJson {

    static final String EXPECTED = "expected: the JSON object of an APISIX route's plugins, e.g. "
            + "{\"proxy-mirror\": {\"host\": \"http://127.0.0.1:9797\"}}";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PluginsJson() {
    }

    /** {@code json} as a map of each plugin's config tree, when it is a JSON object. */
    static Map<String, JsonNode> parse(String json) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String hint = e.getOriginalMessage().contains("end-of-input")
                    ? "; the shortcut form ends at the first comma: put JSON with commas under args.plugins" : "";
            throw new IllegalArgumentException("plugins: " + json + " (" + EXPECTED + hint + ")", e);
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("plugins: " + json + " (" + EXPECTED + ")");
        }
        Map<String, JsonNode> plugins = new java.util.LinkedHashMap<>();
        tree.fields().forEachRemaining(field -> plugins.put(field.getKey(), field.getValue()));
        return plugins;
    }

    /** The JSON text of {@code plugins}; none is {@code {}}: no plugins, the global rules still run. */
    static String of(@Nullable Map<String, Object> plugins) {
        return plugins == null ? "{}" : fromMap(plugins).toString();
    }

    private static ObjectNode fromMap(Map<?, ?> map) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        map.forEach((key, value) -> node.set(String.valueOf(key), fromValue(value)));
        return node;
    }

    private static JsonNode fromValue(@Nullable Object value) {
        if (value == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (value instanceof JsonNode parsed) {
            return parsed; // from JSON text: typed as written
        }
        if (value instanceof Map<?, ?> map) {
            List<Object> list = asList(map);
            return list != null ? fromValue(list) : fromMap(map);
        }
        if (value instanceof List<?> list) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            list.forEach(item -> array.add(fromValue(item)));
            return array;
        }
        if (value instanceof String text) {
            return scalar(text);
        }
        return JSON.valueToTree(value);
    }

    /** A map keyed 0..n-1 (a bound YAML list) as that list; {@code null} for any other map. */
    private static @Nullable List<Object> asList(Map<?, ?> map) {
        if (map.isEmpty()) {
            return null;
        }
        List<Object> list = new ArrayList<>(map.size());
        for (int i = 0; i < map.size(); i++) {
            if (!map.containsKey(String.valueOf(i))) {
                return null;
            }
            list.add(map.get(String.valueOf(i)));
        }
        return list;
    }

    /** A bound YAML scalar as YAML read it: {@code true}/{@code false}, a number, or text. */
    private static JsonNode scalar(String text) {
        if (text.equals("true") || text.equals("false")) {
            return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(text));
        }
        if (text.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
            try {
                return JSON.readTree(text);
            } catch (JsonProcessingException e) {
                return JsonNodeFactory.instance.textNode(text);
            }
        }
        return JsonNodeFactory.instance.textNode(text);
    }
}
