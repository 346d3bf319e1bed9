package io.gatekit.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import io.gatekit.api.http.QueryParams;
import io.gatekit.engine.Resource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code GET /apisix/admin/{resources}}: the v3 list body with APISIX's filters and paging
 * (apache/apisix {@code apisix/admin/v3_adapter.lua}, {@code filter} and {@code pagination}).
 *
 * <ul>
 *   <li>{@code name=<regex>}: keeps values whose {@code name} the regex finds a match in;</li>
 *   <li>{@code label=<key>}: keeps values whose {@code labels} have that key;</li>
 *   <li>{@code uri=<regex>}: keeps values whose {@code uri} or one of whose {@code uris} matches;</li>
 *   <li>{@code total} counts what the filters kept, before paging;</li>
 *   <li>paging happens only when both {@code page} and {@code page_size} are integers:
 *       {@code page_size} outside 10 to 500 is refused, {@code page} below 1 means 1, and items
 *       are ordered by {@code createdIndex}.</li>
 * </ul>
 * Regexes are Java's, close to the PCRE APISIX uses; an invalid one is refused with 400 (APISIX
 * would silently match nothing).
 */
final class Listing {

    private Listing() {
    }

    static ObjectNode render(List<Resource> resources, QueryParams query, String keyPrefix) {
        Pattern name = pattern(query, "name");
        Pattern uri = pattern(query, "uri");
        String label = query.get("label");
        List<Item> kept = new ArrayList<>(resources.size());
        for (Resource resource : resources) {
            JsonNode value = Json.parse(resource.json());
            if (matches(value, name, label, uri)) {
                kept.add(new Item(resource, value));
            }
        }
        int total = kept.size();
        List<Item> page = page(kept, query);
        ObjectNode body = Json.object();
        body.put("total", total);
        ArrayNode list = body.putArray("list");
        for (Item item : page) {
            list.add(Json.single(item.resource(), item.value(), keyPrefix));
        }
        return body;
    }

    private record Item(Resource resource, JsonNode value) {
    }

    private static boolean matches(JsonNode value, @Nullable Pattern name, @Nullable String label,
            @Nullable Pattern uri) {
        if (name != null && !(value.path("name").isTextual() && name.matcher(value.get("name").asText()).find())) {
            return false;
        }
        if (label != null && !value.path("labels").has(label)) {
            return false;
        }
        if (uri != null) {
            boolean found = value.path("uri").isTextual() && uri.matcher(value.get("uri").asText()).find();
            for (JsonNode one : value.path("uris")) {
                found |= one.isTextual() && uri.matcher(one.asText()).find();
            }
            return found;
        }
        return true;
    }

    private static List<Item> page(List<Item> items, QueryParams query) {
        Integer page = integer(query.get("page"));
        Integer size = integer(query.get("page_size"));
        if (page == null || size == null) {
            return items;
        }
        if (size < 10 || size > 500) {
            throw AdminError.badRequest("page_size must be between 10 and 500", "", "page_size",
                    "page_size: " + size + " (expected: 10 to 500)");
        }
        List<Item> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingLong(item -> item.resource().createdIndex()));
        long from = (long) (Math.max(page, 1) - 1) * size;
        if (from >= sorted.size()) {
            return List.of();
        }
        return sorted.subList((int) from, (int) Math.min(from + size, sorted.size()));
    }

    private static @Nullable Integer integer(@Nullable String text) {
        if (text == null) {
            return null;
        }
        try {
            return Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static @Nullable Pattern pattern(QueryParams query, String arg) {
        String regex = query.get(arg);
        if (regex == null) {
            return null;
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw AdminError.badRequest("invalid argument " + arg + ": " + e.getDescription(), "", arg,
                    arg + ": " + regex + " (expected: a regular expression)");
        }
    }
}
