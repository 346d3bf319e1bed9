package io.gatekit.engine.internal.schema;

/**
 * A schema could not be compiled or accepted: it is not JSON, not a JSON object, uses a keyword
 * wrongly, has a bad regular expression, refers to something that cannot be resolved, or (for a
 * plugin schema) declares {@code _meta} itself. The message names what is wrong in the schema.
 */
class SchemaException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public SchemaException(String message) {
        super(message);
    }

    public SchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}
