package io.gatekit.api;

/**
 * Argument checks that fail with one message form, Armeria's {@code "name: value (expected: ...)"},
 * so that every bad input names the field, what it got and what it takes:
 *
 * <pre>{@code
 * if (timeout <= 0) {
 *     throw Arguments.invalid("timeout", timeout, "> 0");   // timeout: -1 (expected: > 0)
 * }
 * }</pre>
 *
 * <p>A value that needs quotes to be read (an empty string, say) is passed quoted by the caller.
 */
public final class Arguments {

    private Arguments() {
    }

    /**
     * The message {@code "name: value (expected: expected)"}.
     *
     * @param name     the argument, field or setting
     * @param value    what was given, as it should be shown
     * @param expected the form that is accepted
     * @return the message
     */
    public static String message(String name, @Nullable Object value, String expected) {
        return name + ": " + value + " (expected: " + expected + ")";
    }

    /**
     * An {@link IllegalArgumentException} with {@link #message}, for the caller to throw.
     *
     * @param name     the argument, field or setting
     * @param value    what was given, as it should be shown
     * @param expected the form that is accepted
     * @return the exception
     */
    public static IllegalArgumentException invalid(String name, @Nullable Object value, String expected) {
        return new IllegalArgumentException(message(name, value, expected));
    }

    /**
     * Throws {@link #invalid} unless {@code valid}.
     *
     * @param valid    whether the argument is acceptable
     * @param name     the argument, field or setting
     * @param value    what was given, as it should be shown
     * @param expected the form that is accepted
     * @throws IllegalArgumentException when {@code valid} is false
     */
    public static void check(boolean valid, String name, @Nullable Object value, String expected) {
        if (!valid) {
            throw invalid(name, value, expected);
        }
    }
}
