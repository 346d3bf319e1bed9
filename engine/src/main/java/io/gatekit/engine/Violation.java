package io.gatekit.engine;

import static java.util.Objects.requireNonNull;

/**
 * One reason a configuration was rejected.
 *
 * <p>Every rejected change reports all its violations, not only the first, each with where it is
 * ({@link #pointer()}, a JSON Pointer into the submitted document), which rule it broke
 * ({@link #keyword()}, a JSON Schema keyword such as {@code type} or {@code pattern}, or an engine
 * rule such as {@code unknownPlugin}) and a sentence for humans ({@link #message()}).
 *
 * <pre>{@code
 * /plugins/proxy-mirror/host  pattern  string "ftp://x" does not match pattern ^(http|https|grpc|grpcs)://...
 * }</pre>
 *
 * @param pointer JSON Pointer to the offending value, {@code ""} for the whole document
 * @param keyword the schema keyword or engine rule that failed
 * @param message what is wrong and what was expected
 */
public record Violation(String pointer, String keyword, String message) {

    public Violation {
        requireNonNull(pointer, "pointer");
        requireNonNull(keyword, "keyword");
        requireNonNull(message, "message");
    }

    /** This violation with {@code prefix} (a JSON Pointer) put in front of its pointer. */
    public Violation under(String prefix) {
        return new Violation(prefix + pointer, keyword, message);
    }

    @Override
    public String toString() {
        return (pointer.isEmpty() ? "/" : pointer) + ": " + message + " [" + keyword + "]";
    }
}
