package io.gatekit.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The entries a builder collects, in order: headers, arguments, response headers. The adding and
 * replacing code every builder of this package shares, with its argument checks.
 */
final class Entries {

    private final List<TextEntry> list = new ArrayList<>();

    /** Adds {@code name: value}; neither may be null. */
    void add(String name, String value) {
        list.add(TextEntry.of(name, value));
    }

    /** Adds an entry without a value: a deletion in a rewrite, a flag argument in a request. */
    void addNameOnly(String name) {
        list.add(TextEntry.nameOnly(name));
    }

    /** Adds {@code entry}; {@code what} names it when it is null. */
    void add(TextEntry entry, String what) {
        list.add(Objects.requireNonNull(entry, what));
    }

    /** Adds every entry of {@code entries}, already checked ones. */
    void addAll(List<TextEntry> entries) {
        list.addAll(entries);
    }

    /** Replaces every entry with those of {@code entries}, which are checked before anything changes. */
    void replaceAll(List<TextEntry> entries) {
        List<TextEntry> copy = List.copyOf(entries);
        list.clear();
        list.addAll(copy);
    }

    /** The entries as an unmodifiable list. */
    List<TextEntry> toList() {
        return List.copyOf(list);
    }
}
