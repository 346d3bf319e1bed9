package io.gatekit.engine.internal.schema;

import static io.gatekit.engine.internal.schema.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gatekit.engine.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApisixErrorsTest {

    @Test
    void pluginErrorNamesThePluginAndTheFirstReasonOnly() {
        List<Violation> violations = List.of(
                new Violation("/rate", "exclusiveMinimum",
                        "property \"rate\" validation failed: expected -1 to be greater than 0"),
                new Violation("/burst", "type",
                        "property \"burst\" validation failed: wrong type: expected number, got string"));

        assertEquals("failed to check the configuration of plugin limit-req err: property \"rate\" validation failed:"
                + " expected -1 to be greater than 0", ApisixErrors.pluginError("limit-req", violations));
    }

    @Test
    void resourceSchemaErrorsArePrefixedAsTheAdminApiDoes() {
        List<Violation> violations = List.of(
                new Violation("/uri", "type",
                        "property \"uri\" validation failed: wrong type: expected string, got number"));

        assertEquals("invalid configuration: property \"uri\" validation failed: wrong type:"
                + " expected string, got number",
                ApisixErrors.resourceError(violations));
    }

    @Test
    void engineRulesKeepTheirOwnWholeText() {
        List<Violation> violations = List.of(new Violation("/upstream_host", "passHost",
                "`upstream_host` can't be empty when `pass_host` is `rewrite`"));

        assertEquals("`upstream_host` can't be empty when `pass_host` is `rewrite`",
                ApisixErrors.resourceError(violations));
    }

    @Test
    void branchDetailsAreLeftOutOfTheErrorMsg() {
        Violation violation = new Violation("/_meta/error_response", "oneOf",
                "property \"_meta\" validation failed: property \"error_response\" validation failed:"
                        + " value should match only one schema, but matches none\n"
                        + "  schema 1: wrong type: expected string, got boolean");

        assertEquals("failed to check the configuration of plugin jwt-auth err: property \"_meta\" validation failed:"
                + " property \"error_response\" validation failed: value should match only one schema,"
                + " but matches none", ApisixErrors.pluginError("jwt-auth", List.of(violation)));
    }

    @Test
    void anEmptyListHasNoErrorMsg() {
        assertThrows(IllegalArgumentException.class, () -> ApisixErrors.resourceError(List.of()));
        assertThrows(IllegalArgumentException.class, () -> ApisixErrors.pluginError("x", List.of()));
    }

    @Test
    void jsonTypesAreNamedAsLuaNamesThem() {
        assertEquals("table", ApisixErrors.jsonType(json("[1]")));
        assertEquals("userdata", ApisixErrors.jsonType(json("null")));
        assertEquals("number", ApisixErrors.jsonType(json("3")));
    }
}
