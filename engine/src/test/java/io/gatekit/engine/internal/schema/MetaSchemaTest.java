package io.gatekit.engine.internal.schema;

import static io.gatekit.engine.internal.schema.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetaSchemaTest {

    private static final String JWT_LIKE = """
            {"type": "object", "properties": {"header": {"type": "string", "default": "authorization"}}}""";

    private static List<Violation> check(String conf) {
        return new EveritSchemaValidator().compile(MetaSchema.inject("jwt-auth", JWT_LIKE)).validate(json(conf));
    }

    private static String errorMsg(String conf) {
        return ApisixErrors.pluginError("jwt-auth", check(conf));
    }

    @Test
    void injectedMetaAcceptsEveryKeyApisixDefines() {
        assertEquals(List.of(), check("""
                {"_meta": {"disable": true, "priority": 1200, "error_response": "denied",
                           "filter": [["arg_version", "==", "v2"]]}}"""));
        assertEquals(List.of(), check("{\"_meta\": {\"error_response\": {\"message\": \"denied\"}}}"));
    }

    @Test
    void anUnknownMetaKeyIsRejected() {
        List<Violation> violations = check("{\"_meta\": {\"foo\": 1}}");

        assertEquals(1, violations.size());
        assertEquals("/_meta/foo", violations.get(0).pointer());
        assertEquals("failed to check the configuration of plugin jwt-auth err: property \"_meta\" validation failed:"
                + " additional properties forbidden, found foo", errorMsg("{\"_meta\": {\"foo\": 1}}"));
    }

    @Test
    void metaThatIsNotAnObjectReadsAsInApisix() {
        assertEquals("failed to check the configuration of plugin jwt-auth err: property \"_meta\" validation failed:"
                + " wrong type: expected object, got boolean", errorMsg("{\"_meta\": true}"));
    }

    @Test
    void errorResponseOfAnotherTypeMatchesNoneOfItsTwoForms() {
        assertEquals("failed to check the configuration of plugin jwt-auth err: property \"_meta\" validation failed:"
                + " property \"error_response\" validation failed: value should match only one schema,"
                + " but matches none",
                errorMsg("{\"_meta\": {\"error_response\": 403}}"));
    }

    @Test
    void filterThatIsNotAnArrayReadsAsInApisix() {
        assertEquals("failed to check the configuration of plugin jwt-auth err: property \"_meta\" validation failed:"
                + " property \"filter\" validation failed: wrong type: expected array, got string",
                errorMsg("{\"_meta\": {\"filter\": \"arg_k == v\"}}"));
    }

    @Test
    void priorityMustBeAnInteger() {
        List<Violation> violations = check("{\"_meta\": {\"priority\": 1.5}}");

        assertEquals("/_meta/priority", violations.get(0).pointer());
        assertEquals("type", violations.get(0).keyword());
    }

    @Test
    void thePluginsOwnPropertiesAndDefaultsAreKept() {
        String injected = MetaSchema.inject("jwt-auth", JWT_LIKE);
        SchemaResult result = new EveritSchemaValidator().compile(injected)
                .validateAndApplyDefaults(json("{\"_meta\": {\"priority\": 1}}"));

        assertEquals(json("{\"_meta\": {\"priority\": 1}, \"header\": \"authorization\"}"), result.document());
        assertEquals(MetaSchema.MARK, json(injected).get("$comment").asText());
    }

    @Test
    void aSchemaWithoutPropertiesGetsThem() {
        JsonNode injected = json(MetaSchema.inject("batch-requests", "{\"type\": \"object\"}"));

        assertEquals(json(MetaSchema.metaJson()), injected.at("/properties/_meta"));
    }

    @Test
    void injectingTwiceChangesNothing() {
        String once = MetaSchema.inject("jwt-auth", JWT_LIKE);

        assertEquals(json(once), json(MetaSchema.inject("jwt-auth", once)));
    }

    @Test
    void aPluginThatDeclaresMetaItselfIsRefusedByName() {
        SchemaException e = assertThrows(SchemaException.class, () -> MetaSchema.inject("sneaky",
                "{\"type\": \"object\", \"properties\": {\"_meta\": {\"type\": \"object\"}}}"));

        assertEquals("invalid plugin [sneaky]: found forbidden '_meta' field in the schema", e.getMessage());
    }

    @Test
    void aSchemaThatIsNotAnObjectSchemaIsRefusedByName() {
        SchemaException array = assertThrows(SchemaException.class, () -> MetaSchema.inject("odd", "[]"));
        SchemaException string = assertThrows(SchemaException.class,
                () -> MetaSchema.inject("odd", "{\"type\": \"string\"}"));
        SchemaException garbage = assertThrows(SchemaException.class, () -> MetaSchema.inject("odd", "{type"));

        assertTrue(array.getMessage().startsWith("invalid plugin [odd] schema: expected a JSON object schema"),
                array.getMessage());
        assertEquals("invalid plugin [odd] schema: \"type\" must be \"object\", got \"string\"", string.getMessage());
        assertTrue(garbage.getMessage().startsWith("invalid plugin [odd] schema: not valid JSON"),
                garbage.getMessage());
    }
}
