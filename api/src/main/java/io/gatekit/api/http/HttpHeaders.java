package io.gatekit.api.http;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Mutable HTTP header fields: names compare case-insensitively, a name may have several values,
 * and insertion order is kept (names keep the case they were added with, as runners and upstreams
 * see them).
 *
 * <pre>{@code
 * HttpHeaders headers = HttpHeaders.of("Content-Type", "application/json");
 * headers.add("Set-Cookie", "a=1").add("set-cookie", "b=2");
 * headers.all("SET-COOKIE"); // [a=1, b=2]
 * }</pre>
 *
 * <p>Backed by two parallel arrays and scanned linearly: requests carry few headers, and this
 * makes lookups allocation-free. Not thread-safe; an exchange belongs to one request.
 */
public final class HttpHeaders {

    private String[] names;
    private String[] values;
    private int size;

    private HttpHeaders(int capacity) {
        names = new String[capacity];
        values = new String[capacity];
    }

    /** {@return empty headers} */
    public static HttpHeaders of() {
        return new HttpHeaders(8);
    }

    /**
     * Headers from alternating names and values: {@code of("a", "1", "b", "2")}.
     *
     * @param namesAndValues names and values, alternating
     * @return new mutable headers
     */
    public static HttpHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("namesAndValues: " + namesAndValues.length
                    + " elements (expected: an even number, name then value)");
        }
        HttpHeaders headers = new HttpHeaders(Math.max(8, namesAndValues.length / 2));
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    /** {@return an independent copy} */
    public HttpHeaders copy() {
        HttpHeaders copy = new HttpHeaders(Math.max(8, size));
        System.arraycopy(names, 0, copy.names, 0, size);
        System.arraycopy(values, 0, copy.values, 0, size);
        copy.size = size;
        return copy;
    }

    /**
     * The first value of {@code name}, or {@code null}.
     *
     * @param name the header name, any case
     * @return the first value, or {@code null}
     */
    public @Nullable String get(String name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : values[i];
    }

    /**
     * All values of {@code name}, in order; empty when absent.
     *
     * @param name the header name, any case
     * @return every value, in order; empty when none
     */
    public List<String> all(String name) {
        List<String> all = null;
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            if (all == null) {
                all = new ArrayList<>(2);
            }
            all.add(values[i]);
        }
        return all == null ? List.of() : Collections.unmodifiableList(all);
    }

    /**
     * Whether {@code name} has at least one value.
     *
     * @param name the header name, any case
     * @return whether the header is present
     */
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    /**
     * Adds a value, keeping existing ones.
     *
     * @param name the header name
     * @param value the value
     * @return these headers
     */
    public HttpHeaders add(String name, String value) {
        checkName(name);
        requireNonNull(value, "value");
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        values[size] = value;
        size++;
        return this;
    }

    /**
     * Replaces all values of {@code name} with {@code value}.
     *
     * @param name the header name
     * @param value the value
     * @return these headers
     */
    public HttpHeaders set(String name, String value) {
        checkName(name);
        requireNonNull(value, "value");
        int first = indexOf(name, 0);
        if (first < 0) {
            return add(name, value);
        }
        names[first] = name;
        values[first] = value;
        removeFrom(name, first + 1);
        return this;
    }

    /**
     * Removes all values of {@code name}; returns whether any was present.
     *
     * @param name the header name, any case
     * @return whether there was one
     */
    public boolean remove(String name) {
        return removeFrom(name, 0);
    }

    /** Removes everything. */
    public void clear() {
        Arrays.fill(names, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
    }

    /** {@return the number of name/value pairs (a name with two values counts twice)} */
    public int size() {
        return size;
    }

    /** {@return whether there are no headers} */
    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * The name of pair {@code index}, as it was added.
     *
     * @param index from 0 to {@code size() - 1}
     * @return the name at {@code index}
     */
    public String name(int index) {
        checkIndex(index);
        return names[index];
    }

    /**
     * The value of pair {@code index}.
     *
     * @param index from 0 to {@code size() - 1}
     * @return the value at {@code index}
     */
    public String value(int index) {
        checkIndex(index);
        return values[index];
    }

    /**
     * Calls {@code action} with each name/value pair, in order.
     *
     * @param action called with each name and value, in order
     */
    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < size; i++) {
            action.accept(names[i], values[i]);
        }
    }

    /** {@return the distinct names, in first-seen order, lower-cased} */
    public Set<String> names() {
        Set<String> set = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            set.add(names[i].toLowerCase(java.util.Locale.ROOT));
        }
        return Collections.unmodifiableSet(set);
    }

    private int indexOf(String name, int from) {
        for (int i = from; i < size; i++) {
            if (sameName(names[i], name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@link String#equalsIgnoreCase}, fast for the ASCII names HTTP uses: letters fold by their
     * case bit, anything else must be equal; a non-ASCII pair falls back to the JDK's rule.
     */
    static boolean sameName(String a, String b) {
        int n = a.length();
        if (n != b.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x == y) {
                continue;
            }
            if (x >= 0x80 || y >= 0x80) {
                return a.regionMatches(true, i, b, i, n - i);
            }
            char folded = (char) (x | 0x20);
            if (folded != (y | 0x20) || folded < 'a' || folded > 'z') {
                return false;
            }
        }
        return true;
    }

    private boolean removeFrom(String name, int from) {
        int write = from;
        boolean removed = false;
        for (int read = from; read < size; read++) {
            if (sameName(names[read], name)) {
                removed = true;
                continue;
            }
            names[write] = names[read];
            values[write] = values[read];
            write++;
        }
        Arrays.fill(names, write, size, null);
        Arrays.fill(values, write, size, null);
        size = write;
        return removed;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index: " + index + " (expected: 0 <= index < " + size + ")");
        }
    }

    private static void checkName(String name) {
        requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw Arguments.invalid("name", "\"\"", "a non-empty header name");
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("HttpHeaders[");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(values[i]);
        }
        return sb.append(']').toString();
    }
}
