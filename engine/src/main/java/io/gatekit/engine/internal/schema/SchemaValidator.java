package io.gatekit.engine.internal.schema;

/**
 * Compiles JSON Schemas (draft 7, or the draft named by {@code $schema}). This seam keeps the
 * validator library replaceable: nothing outside the implementation sees its types.
 *
 * <p>Compile once per schema (per plugin type, per resource kind) and reuse the result; compiling
 * is orders of magnitude dearer than validating.
 */
public interface SchemaValidator {

    /**
     * Compiles {@code schemaJson}.
     *
     * @throws SchemaException if the text is not a JSON object schema the validator accepts; the
     *     message names the offending keyword or location
     */
    CompiledSchema compile(String schemaJson);
}
