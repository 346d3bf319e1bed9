package io.gatekit.engine.internal.expr;

/**
 * A {@code vars} or {@code _meta.filter} expression that does not compile. The message is what
 * follows APISIX's {@code "failed to validate the 'vars' expression: "}: it names the offending
 * rule by its position in the JSON array ({@code rule[1][2]}, zero-based) and says what was
 * expected, for example
 * {@code rule[1]: unknown operator 'equals' (expected one of ==, ~=, >, >=, <, <=, ~~, ~*, IN,
 * HAS, ipmatch, or ! followed by one of them)}.
 */
final class ExprException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String pointer;

    ExprException(String pointer, String message) {
        super(message);
        this.pointer = pointer;
    }

    /**
     * A JSON Pointer, relative to the expression, to the offending value ({@code "/1/2"}), or
     * {@code ""} when the whole expression is at fault.
     */
    public String pointer() {
        return pointer;
    }
}
