package io.gatekit.plugins.ext;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.runner.TextEntry;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Checking and applying the header lists a runner answers with. */
final class Entries {

    private Entries() {
    }

    /**
     * Checks every entry before anything is applied, so a bad answer changes nothing: names must be
     * HTTP tokens, values must not break the header block.
     *
     * @throws IllegalArgumentException naming the first bad entry
     */
    static void checkHeaders(String what, List<TextEntry> entries) {
        for (TextEntry entry : entries) {
            String name = entry.name();
            if (name.isEmpty() || !name.chars().allMatch(Entries::isTokenChar)) {
                throw new IllegalArgumentException(what + " name: \"" + name + "\" (expected: an HTTP token)");
            }
            String value = entry.value();
            if (value != null && value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException(what + " " + name + ": a value with CR, LF or NUL"
                        + " (expected: one header line)");
            }
        }
    }

    /**
     * Applies entries as APISIX does: the first value of a name replaces the header, later values
     * of the same name add to it, an entry without a value removes the header. Names are lower-cased
     * first when {@code lowerCase}.
     */
    static void apply(List<TextEntry> entries, HttpHeaders headers, boolean lowerCase) {
        Set<String> seen = new HashSet<>();
        for (TextEntry entry : entries) {
            String name = lowerCase ? entry.name().toLowerCase(Locale.ROOT) : entry.name();
            if (!entry.hasValue()) {
                headers.remove(name);
            } else if (seen.add(name.toLowerCase(Locale.ROOT))) {
                headers.set(name, entry.value());
            } else {
                headers.add(name, entry.value());
            }
        }
    }

    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7F && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}
