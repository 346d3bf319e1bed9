package io.gatekit.api.http;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Mutable query arguments: ordered, multi-valued, names compared exactly, kept in the order
 * the upstream will see them.
 *
 * <pre>{@code
 * QueryParams q = QueryParams.parse("a=1&b=2&a=3");
 * q.all("a");          // [1, 3]
 * q.set("b", "x y");
 * q.encode();          // a=1&b=x+y&a=3
 * }</pre>
 */
public final class QueryParams {

    private final List<String> names = new ArrayList<>(4);
    private final List<String> values = new ArrayList<>(4);

    private QueryParams() {
    }

    /** {@return no arguments} */
    public static QueryParams of() {
        return new QueryParams();
    }

    /**
     * Parses a raw query string (without {@code ?}); {@code +} and percent escapes are decoded,
     * a name without {@code =} gets the value {@code ""}.
     *
     * @param rawQuery the query string without {@code ?}, or {@code null}
     * @return the parsed, mutable arguments
     */
    public static QueryParams parse(@Nullable String rawQuery) {
        QueryParams params = new QueryParams();
        split(rawQuery, (name, value) -> params.add(name, value == null ? "" : value));
        return params;
    }

    /**
     * Splits a raw query string (without {@code ?}) as nginx does and hands each argument to
     * {@code each} in order, decoded ({@code +} is a space, a stray {@code %} stays): its name
     * and its value, or {@code null} for a name without {@code =}. Empty pieces between
     * {@code &}s are skipped.
     *
     * <pre>{@code
     * QueryParams.split("a=1&flag&b=", (name, value) -> ...); // (a, 1), (flag, null), (b, "")
     * }</pre>
     *
     * @param rawQuery the query string without {@code ?}, or {@code null}
     * @param each receives each name and value
     */
    public static void split(@Nullable String rawQuery, BiConsumer<String, @Nullable String> each) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return;
        }
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            if (end > start) {
                int eq = rawQuery.indexOf('=', start);
                if (eq < 0 || eq > end) {
                    each.accept(decode(rawQuery.substring(start, end)), null);
                } else {
                    each.accept(decode(rawQuery.substring(start, eq)), decode(rawQuery.substring(eq + 1, end)));
                }
            }
            start = end + 1;
        }
    }

    /**
     * The first value of {@code name}, or {@code null}.
     *
     * @param name the argument name
     * @return the first value, or {@code null}
     */
    public @Nullable String get(String name) {
        int i = names.indexOf(name);
        return i < 0 ? null : values.get(i);
    }

    /**
     * All values of {@code name}, in order.
     *
     * @param name the argument name
     * @return every value, in order; empty when none
     */
    public List<String> all(String name) {
        List<String> all = new ArrayList<>(2);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(name)) {
                all.add(values.get(i));
            }
        }
        return Collections.unmodifiableList(all);
    }

    /**
     * Whether {@code name} is present.
     *
     * @param name the argument name
     * @return whether the argument is present
     */
    public boolean contains(String name) {
        return names.contains(name);
    }

    /**
     * Adds a value, keeping existing ones.
     *
     * @param name the argument name
     * @param value the value
     * @return these arguments
     */
    public QueryParams add(String name, String value) {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
        names.add(name);
        values.add(value);
        return this;
    }

    /**
     * Replaces all values of {@code name}.
     *
     * @param name the argument name
     * @param value the value
     * @return these arguments
     */
    public QueryParams set(String name, String value) {
        requireNonNull(value, "value");
        int first = names.indexOf(name);
        if (first < 0) {
            return add(name, value);
        }
        values.set(first, value);
        for (int i = names.size() - 1; i > first; i--) {
            if (names.get(i).equals(name)) {
                names.remove(i);
                values.remove(i);
            }
        }
        return this;
    }

    /**
     * Removes all values of {@code name}; returns whether any was present.
     *
     * @param name the argument name
     * @return whether there was one
     */
    public boolean remove(String name) {
        boolean removed = false;
        for (int i = names.size() - 1; i >= 0; i--) {
            if (names.get(i).equals(name)) {
                names.remove(i);
                values.remove(i);
                removed = true;
            }
        }
        return removed;
    }

    /** {@return number of name/value pairs} */
    public int size() {
        return names.size();
    }

    /** {@return whether there are none} */
    public boolean isEmpty() {
        return names.isEmpty();
    }

    /**
     * Name of pair {@code index}.
     *
     * @param index from 0 to {@code size() - 1}
     * @return the name at {@code index}
     */
    public String name(int index) {
        return names.get(index);
    }

    /**
     * Value of pair {@code index}.
     *
     * @param index from 0 to {@code size() - 1}
     * @return the value at {@code index}
     */
    public String value(int index) {
        return values.get(index);
    }

    /** {@return the form-encoded query string, without {@code ?}; {@code ""} when empty} */
    public String encode() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                sb.append('&');
            }
            sb.append(URLEncoder.encode(names.get(i), StandardCharsets.UTF_8));
            if (!values.get(i).isEmpty()) {
                sb.append('=').append(URLEncoder.encode(values.get(i), StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }

    /** {@return an independent copy} */
    public QueryParams copy() {
        QueryParams copy = new QueryParams();
        copy.names.addAll(names);
        copy.values.addAll(values);
        return copy;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s; // a stray '%' is kept literally, as nginx does
        }
    }

    @Override
    public String toString() {
        return "QueryParams[" + encode() + "]";
    }
}
