package io.gatekit.engine.internal.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.Violation;
import java.util.List;

/**
 * A compiled schema. Immutable and safe to use from many threads at once; validation never
 * modifies the document passed in.
 */
public interface CompiledSchema {

    /**
     * Every violation of this schema in {@code document}, empty if it is valid.
     *
     * <p>Pointers are JSON Pointers into {@code document} ({@code ""} for the document itself;
     * {@code required} and {@code additionalProperties} violations point at the missing or extra
     * member). The list is ordered so that its first element is the one APISIX would report.
     */
    List<Violation> validate(JsonNode document);

    /**
     * Validates {@code document} and, if it is valid, returns a copy with the schema's
     * {@code default}s filled in where members are absent (as APISIX does before a plugin sees
     * its config). If it is invalid the result holds the violations and {@code document} itself.
     */
    SchemaResult validateAndApplyDefaults(JsonNode document);
}
