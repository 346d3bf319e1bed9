package io.gatekit.engine.internal.schema;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.Violation;
import java.util.List;

/**
 * The outcome of {@link CompiledSchema#validateAndApplyDefaults(JsonNode)}.
 *
 * @param violations every violation, first the one APISIX would report; empty if valid
 * @param document the document with defaults applied if valid, else the document as given
 */
public record SchemaResult(List<Violation> violations, JsonNode document) {

    public SchemaResult {
        violations = List.copyOf(requireNonNull(violations, "violations"));
        requireNonNull(document, "document");
    }

    /** Whether the document had no violations. */
    public boolean valid() {
        return violations.isEmpty();
    }
}
