package io.gatekit.runner;

import java.util.Objects;

/**
 * A name with an optional value: one header, one query argument or one plugin configuration.
 *
 * <p>An entry without a value means "delete" in a {@link ReqAction.Rewrite} and "flag argument
 * without {@code =}" in the arguments of an {@link HttpReqCall}.
 *
 * @param name  the name, never {@code null}
 * @param value the value, or {@code null} when absent
 */
public record TextEntry(String name, String value) {

    /** Checks the name at once. */
    public TextEntry {
        Objects.requireNonNull(name, "name");
    }

    /** An entry with both a name and a value. */
    public static TextEntry of(String name, String value) {
        return new TextEntry(name, Objects.requireNonNull(value, "value"));
    }

    /** An entry with a name only: a deletion in a rewrite, a flag argument in a request. */
    public static TextEntry nameOnly(String name) {
        return new TextEntry(name, null);
    }

    /** Whether the entry carries a value. */
    public boolean hasValue() {
        return value != null;
    }
}
