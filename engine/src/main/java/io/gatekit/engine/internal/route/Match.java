package io.gatekit.engine.internal.route;

import io.gatekit.api.Nullable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The route a request matched, and the path parameters its uri captured ({@code :id},
 * {@code *path}). A match of a uri without parameters is created once, when the router is built,
 * and returned for every request; one with parameters is created per request and reads its values
 * from the path lazily.
 *
 * @param <T> the payload type
 */
public final class Match<T> {

    private static final String[] NO_NAMES = new String[0];

    private final Candidate<T> candidate;
    private final @Nullable String path;
    private final int @Nullable [] bounds;

    Match(Candidate<T> candidate, @Nullable String path, int @Nullable [] bounds) {
        this.candidate = candidate;
        this.path = path;
        this.bounds = bounds;
    }

    /** The payload of the matched route. */
    public T payload() {
        return candidate.route.payload();
    }

    /** The id of the matched route. */
    public String routeId() {
        return candidate.route.id();
    }

    /** The route's uri that matched, as configured ({@code /user/:id}). */
    public String uri() {
        return candidate.pattern.uri();
    }

    /** How many parameters the uri captured. */
    public int paramCount() {
        return bounds == null ? 0 : bounds.length / 2;
    }

    /** The name of parameter {@code index}, in path order. */
    public String paramName(int index) {
        return names()[checkIndex(index)];
    }

    /** The value of parameter {@code index}, as it appears in the path (not decoded). */
    public String paramValue(int index) {
        checkIndex(index);
        return path.substring(bounds[2 * index], bounds[2 * index + 1]);
    }

    /** The value of parameter {@code name}, or {@code null} if the uri has no such parameter. */
    public @Nullable String param(String name) {
        String[] names = names();
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return paramValue(i);
            }
        }
        return null;
    }

    /** All parameters by name, in path order; empty (and not allocated) when there are none. */
    public Map<String, String> params() {
        int count = paramCount();
        if (count == 0) {
            return Map.of();
        }
        Map<String, String> params = new LinkedHashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            params.put(paramName(i), paramValue(i));
        }
        return Collections.unmodifiableMap(params);
    }

    private String[] names() {
        return bounds == null ? NO_NAMES : candidate.pattern.paramNames();
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= paramCount()) {
            throw new IndexOutOfBoundsException("index: " + index + " (expected 0 to "
                    + (paramCount() - 1) + ")");
        }
        return index;
    }

    @Override
    public String toString() {
        String params = paramCount() == 0 ? "" : ", params=" + params();
        return "Match{route=" + routeId() + ", uri=" + uri() + params + "}";
    }
}
