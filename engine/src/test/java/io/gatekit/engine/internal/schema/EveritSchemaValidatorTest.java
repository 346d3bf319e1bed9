package io.gatekit.engine.internal.schema;

import static io.gatekit.engine.internal.schema.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.gatekit.engine.Violation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class EveritSchemaValidatorTest {

    private final SchemaValidator validator = new EveritSchemaValidator();

    private List<Violation> validate(String schema, String document) {
        return validator.compile(schema).validate(json(document));
    }

    private static List<String> pointers(List<Violation> violations) {
        return violations.stream().map(Violation::pointer).toList();
    }

    private static List<String> messages(List<Violation> violations) {
        return violations.stream().map(Violation::message).toList();
    }

    @Test
    void reportsEveryViolationNotOnlyTheFirst() {
        List<Violation> violations = validate("""
                {"type": "object", "properties": {
                  "name": {"type": "string", "minLength": 3},
                  "port": {"type": "integer", "maximum": 65535},
                  "tags": {"type": "array", "items": {"type": "string"}}}}""",
                "{\"name\": \"ab\", \"port\": 70000, \"tags\": [\"a\", 5]}");

        assertEquals(List.of("/name", "/port", "/tags/1"), pointers(violations));
        assertEquals(List.of("minLength", "maximum", "type"), violations.stream().map(Violation::keyword).toList());
        assertEquals(List.of(
                "property \"name\" validation failed: string too short, expected at least 3, got 2",
                "property \"port\" validation failed: expected 70000 to be at most 65535",
                "property \"tags\" validation failed: failed to validate item 2: wrong type: expected string,"
                        + " got number"),
                messages(violations));
    }

    @Test
    void nestedViolationsCarryTheWholeLuaPath() {
        List<Violation> violations = validate("""
                {"type": "object", "properties": {"timeout": {"type": "object",
                  "properties": {"connect": {"type": "number", "exclusiveMinimum": 0}}}}}""",
                "{\"timeout\": {\"connect\": 0}}");

        assertEquals(List.of("property \"timeout\" validation failed: property \"connect\" validation failed:"
                + " expected 0 to be greater than 0"), messages(violations));
        assertEquals(List.of("/timeout/connect"), pointers(violations));
    }

    @Test
    void requiredAndExtraMembersArePointedAtByName() {
        List<Violation> violations = validate("""
                {"type": "object", "properties": {"a": {}}, "required": ["a"], "additionalProperties": false}""",
                "{\"b\": 1}");

        assertEquals(List.of("/a", "/b"), pointers(violations));
        assertEquals(List.of("property \"a\" is required", "additional properties forbidden, found b"),
                messages(violations));
    }

    @Test
    void aMissingMemberComesBeforeFaultsInsideOtherMembersAsApisixWouldReportIt() {
        List<Violation> violations = validate("""
                {"type": "object", "properties": {"x": {"type": "string"}, "y": {}}, "required": ["y"]}""",
                "{\"x\": 1}");

        assertEquals(List.of("/y", "/x"), pointers(violations));
    }

    @Test
    void faultsAreOrderedByWhereTheyAppearInTheDocument() {
        String schema = "{\"type\": \"object\", \"additionalProperties\": {\"type\": \"string\"}}";

        assertEquals(List.of("/z", "/a"), pointers(validate(schema, "{\"z\": 1, \"a\": 2}")));
        assertEquals(List.of("/a", "/z"), pointers(validate(schema, "{\"a\": 1, \"z\": 2}")));
    }

    @Test
    void oneOfFailureKeepsApisixsReasonAndNamesEachBranchOnItsOwnLine() {
        List<Violation> violations = validate("""
                {"properties": {"e": {"oneOf": [{"type": "string"}, {"type": "object", "required": ["code"]}]}}}""",
                "{\"e\": {}}");

        assertEquals(1, violations.size());
        assertEquals("oneOf", violations.get(0).keyword());
        assertEquals("property \"e\" validation failed: value should match only one schema, but matches none\n"
                + "  schema 1: wrong type: expected string, got table\n"
                + "  schema 2: property \"code\" is required", violations.get(0).message());
        assertEquals("property \"e\" validation failed: value should match only one schema, but matches none",
                ApisixErrors.reason(violations.get(0)));
    }

    @Test
    void oneOfMatchingTwoBranchesNamesTheFirstTwoItMatched() {
        List<Violation> violations = validate(
                "{\"oneOf\": [{\"type\": \"string\"}, {\"minimum\": 1}, {\"type\": \"integer\"}]}", "5");

        assertEquals(List.of("value should match only one schema, but matches both schemas 2 and 3"),
                messages(violations));
    }

    @Test
    void anyOfListsTheRequiredAlternativesAsCjsonEncodesThem() {
        List<Violation> violations = validate("""
                {"anyOf": [{"required": ["upstream"]}, {"required": ["service_id", "uri"]}]}""", "{}");

        assertEquals("object matches none of the required: [\"upstream\"] or [\"service_id\",\"uri\"]",
                ApisixErrors.reason(violations.get(0)));
        assertEquals("  schema 1: property \"upstream\" is required", violations.get(0).message().split("\n")[1]);
    }

    @Test
    void allOfFailuresAreNumberedFromOne() {
        List<Violation> violations = validate("""
                {"allOf": [{"type": "object"}, {"properties": {"q": {"type": "string"}}}]}""", "{\"q\": 1}");

        assertEquals(List.of("allOf 2 failed: property \"q\" validation failed: wrong type: expected string,"
                + " got number"),
                messages(violations));
        assertEquals(List.of("/q"), pointers(violations));
    }

    @Test
    void patternPropertiesAndAdditionalPropertySchemasNameTheMember() {
        List<Violation> violations = validate("""
                {"type": "object", "properties": {
                  "labels": {"patternProperties": {".*": {"type": "string"}}},
                  "extra": {"properties": {"k": {}}, "additionalProperties": {"type": "integer"}}}}""",
                "{\"labels\": {\"env\": 1}, \"extra\": {\"k\": 1, \"n\": \"x\"}}");

        assertEquals(List.of(
                "property \"labels\" validation failed: failed to validate env (matching \".*\"): wrong type:"
                        + " expected string, got number",
                "property \"extra\" validation failed: failed to validate additional property n: wrong type:"
                        + " expected integer, got string"),
                messages(violations));
    }

    @Test
    void typeListsAreReportedAsOneTypeError() {
        List<Violation> violations = validate(
                "{\"properties\": {\"v\": {\"type\": [\"string\", \"null\"]}}}", "{\"v\": true}");

        assertEquals(List.of("type"), violations.stream().map(Violation::keyword).toList());
        assertEquals(List.of("property \"v\" validation failed: wrong type: expected one of string, null, got boolean"),
                messages(violations));
    }

    @Test
    void jsonNullIsReportedWithLuasTypeName() {
        assertEquals(List.of("property \"s\" validation failed: wrong type: expected string, got userdata"),
                messages(validate("{\"properties\": {\"s\": {\"type\": \"string\"}}}", "{\"s\": null}")));
    }

    @Test
    void dependentPropertiesAreNamedWithTheirTrigger() {
        List<Violation> violations = validate("{\"dependencies\": {\"client_cert\": [\"client_key\"]}}",
                "{\"client_cert\": \"x\"}");

        assertEquals(List.of("property \"client_key\" is required when \"client_cert\" is set"), messages(violations));
        assertEquals(List.of("/client_key"), pointers(violations));
    }

    @Test
    void duplicateItemsAreNamedByTheirPositionsFromOne() {
        assertEquals(List.of("expected unique items but items 2 and 4 are equal"),
                messages(validate("{\"uniqueItems\": true}", "[1, \"a\", 2, \"a\"]")));
        assertEquals(List.of("expected unique items but items 1 and 3 are equal"),
                messages(validate("{\"uniqueItems\": true}", "[{\"a\": 1}, 2, {\"a\": 1}]")));
    }

    @Test
    void nestedArraysAreConvertedAndWalked() {
        List<Violation> violations = validate("""
                {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}""", "[[\"a\"], [\"b\", 1]]");

        assertEquals(List.of("/1/1"), pointers(violations));
        assertEquals(List.of("failed to validate item 2: failed to validate item 2: wrong type: expected string,"
                + " got number"),
                messages(violations));
    }

    @Test
    void numbersBeyondLongAndDoublePrecisionAreComparedExactly() {
        String integers = "{\"properties\": {\"n\": {\"type\": \"integer\", \"maximum\": 99999999999999999999999}}}";

        assertEquals(List.of(), validate(integers, "{\"n\": 99999999999999999999999}"));
        assertEquals(List.of("property \"n\" validation failed: expected 1e+23 to be at most 1e+23"),
                messages(validate(integers, "{\"n\": 100000000000000000000000}")));
    }

    @Test
    void bigDecimalDocumentsKeepTheirExactValue() {
        CompiledSchema schema = validator.compile(
                "{\"properties\": {\"n\": {\"type\": \"number\", \"maximum\": 99999999999999999999999}}}");
        JsonNodeFactory nodes = JsonNodeFactory.instance;

        assertEquals(List.of(), schema.validate(
                nodes.objectNode().set("n", nodes.numberNode(new BigDecimal("99999999999999999999998.5")))));
        assertEquals(List.of("maximum"), schema.validate(
                nodes.objectNode().set("n", nodes.numberNode(new BigDecimal("99999999999999999999999.5"))))
                .stream().map(Violation::keyword).toList());
    }

    @Test
    void aNumberWithoutFractionCountsAsAnIntegerAsInLua() {
        String schema = "{\"properties\": {\"n\": {\"type\": \"integer\"}}}";

        assertEquals(List.of(), validate(schema, "{\"n\": 2.0}"));
        assertEquals(List.of("property \"n\" validation failed: wrong type: expected integer, got number"),
                messages(validate(schema, "{\"n\": 2.5}")));
    }

    @Test
    void internalReferencesAreFollowed() {
        List<Violation> violations = validate("""
                {"definitions": {"port": {"type": "integer", "minimum": 1}},
                 "properties": {"port": {"$ref": "#/definitions/port"}}}""", "{\"port\": 0}");

        assertEquals(List.of("property \"port\" validation failed: expected 0 to be at least 1"), messages(violations));
    }

    @Test
    void membersWithSlashOrTildeAreEscapedInPointers() {
        List<Violation> violations = validate(
                "{\"properties\": {\"a/b~c\": {\"type\": \"string\"}}}", "{\"a/b~c\": 1}");

        assertEquals(List.of("/a~1b~0c"), pointers(violations));
        assertEquals(List.of("property \"a/b~c\" validation failed: wrong type: expected string, got number"),
                messages(violations));
    }

    @Test
    void aWrongRootTypeIsReportedAtTheEmptyPointer() {
        List<Violation> violations = validate("{\"type\": \"object\"}", "[1]");

        assertEquals(List.of(""), pointers(violations));
        assertEquals(List.of("wrong type: expected object, got table"), messages(violations));
    }

    @Test
    void defaultsAreAppliedToACopyInNestedObjectsAndArrayItems() {
        CompiledSchema schema = validator.compile("""
                {"type": "object", "properties": {
                  "pool": {"type": "object", "properties": {"size": {"type": "integer", "default": 320}}},
                  "nodes": {"type": "array", "items": {"properties": {"priority": {"default": 0}}}},
                  "mode": {"type": "string", "enum": ["a", "b"], "default": "a"},
                  "absent": {"type": "object", "default": {}, "properties": {"inner": {"default": 1}}}}}""");
        JsonNode given = json("{\"pool\": {}, \"nodes\": [{\"host\": \"a\"}, {\"host\": \"b\", \"priority\": 5}]}");
        JsonNode before = given.deepCopy();

        SchemaResult result = schema.validateAndApplyDefaults(given);

        assertEquals(json("""
                {"pool": {"size": 320}, "nodes": [{"host": "a", "priority": 0}, {"host": "b", "priority": 5}],
                 "mode": "a", "absent": {}}"""), result.document());
        assertEquals(before, given);
    }

    @Test
    void eachDocumentGetsItsOwnCopyOfADefaultObject() {
        CompiledSchema schema = validator.compile("""
                {"type": "object", "properties": {"headers": {"type": "object", "default": {"x": "1"}}}}""");

        JsonNode first = schema.validateAndApplyDefaults(json("{}")).document();
        ((com.fasterxml.jackson.databind.node.ObjectNode) first.get("headers")).put("x", "changed");
        JsonNode second = schema.validateAndApplyDefaults(json("{}")).document();

        assertEquals(json("{\"headers\": {\"x\": \"1\"}}"), second);
        assertEquals(json("{\"headers\": {\"x\": \"changed\"}}"), first);
    }

    @Test
    void defaultsComeOnlyFromTheBranchTheValueMatches() {
        CompiledSchema schema = validator.compile("""
                {"type": "object", "oneOf": [
                  {"properties": {"policy": {"enum": ["local"]}, "window": {"default": 60}}},
                  {"properties": {"policy": {"enum": ["redis"]}, "redis_port": {"default": 6379}},
                   "required": ["policy"]}]}""");

        assertEquals(json("{\"policy\": \"redis\", \"redis_port\": 6379}"),
                schema.validateAndApplyDefaults(json("{\"policy\": \"redis\"}")).document());
        assertEquals(json("{\"policy\": \"local\", \"window\": 60}"),
                schema.validateAndApplyDefaults(json("{\"policy\": \"local\"}")).document());
    }

    @Test
    void anInvalidDocumentGetsNoDefaults() {
        CompiledSchema schema = validator.compile("""
                {"properties": {"a": {"type": "string"}, "b": {"default": 1}}}""");
        JsonNode given = json("{\"a\": 1}");

        SchemaResult result = schema.validateAndApplyDefaults(given);

        assertFalse(result.valid());
        assertSame(given, result.document());
        assertEquals(1, result.violations().size());
    }

    @Test
    void compiledSchemaGivesTheSameAnswersFromManyThreadsAtOnce() throws Exception {
        CompiledSchema schema = Fixtures.proxyMirror();
        List<JsonNode> docs = List.of(
                json("{\"host\": \"http://127.0.0.1:1986\", \"_meta\": {\"priority\": 1}}"),
                json("{\"host\": \"ftp://x\", \"path\": \"a\", \"sample_ratio\": 10}"),
                json("{\"_meta\": {\"foo\": 1}}"),
                json("{\"host\": \"grpc://[::1]:50051\", \"path\": \"/a\"}"));
        List<SchemaResult> expected = docs.stream().map(schema::validateAndApplyDefaults).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int offset = t;
                tasks.add(() -> {
                    int mismatches = 0;
                    for (int i = 0; i < 2_000; i++) {
                        int which = (i + offset) % docs.size();
                        if (!schema.validateAndApplyDefaults(docs.get(which)).equals(expected.get(which))) {
                            mismatches++;
                        }
                    }
                    return mismatches;
                });
            }
            int mismatches = 0;
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                mismatches += f.get();
            }
            assertEquals(0, mismatches);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(3, expected.get(1).violations().size());
        assertTrue(expected.get(0).valid());
    }

    @Test
    void textThatIsNotJsonIsRefusedWithTheParserReason() {
        SchemaException e = assertThrows(SchemaException.class, () -> validator.compile("{\"type\": "));

        assertTrue(e.getMessage().startsWith("schema is not valid JSON: "), e.getMessage());
    }

    @Test
    void aSchemaThatIsNotAnObjectIsRefused() {
        SchemaException e = assertThrows(SchemaException.class, () -> validator.compile("[1]"));

        assertEquals("schema must be a JSON object, got array", e.getMessage());
    }

    @Test
    void aMisusedKeywordIsRefusedNamingWhereItIs() {
        SchemaException e = assertThrows(SchemaException.class,
                () -> validator.compile("{\"properties\": {\"n\": {\"minimum\": \"x\"}}}"));

        assertTrue(e.getMessage().contains("#/properties/n/minimum"), e.getMessage());
    }

    @Test
    void anUnknownTypeIsRefused() {
        SchemaException e = assertThrows(SchemaException.class, () -> validator.compile("{\"type\": \"text\"}"));

        assertTrue(e.getMessage().contains("text"), e.getMessage());
    }

    @Test
    void aBadRegularExpressionIsRefusedNamingThePattern() {
        SchemaException e = assertThrows(SchemaException.class,
                () -> validator.compile("{\"properties\": {\"p\": {\"pattern\": \"(abc\"}}}"));

        assertTrue(e.getMessage().startsWith("invalid schema: bad regular expression \"(abc\""), e.getMessage());
    }

    @Test
    void aReferenceToAnotherDocumentIsRefusedWithoutFetchingIt() {
        SchemaException e = assertThrows(SchemaException.class,
                () -> validator.compile("{\"properties\": {\"p\": {\"$ref\": \"http://127.0.0.1:9/schema.json\"}}}"));

        assertTrue(e.getMessage().contains("http://127.0.0.1:9/schema.json"), e.getMessage());
    }

    @Test
    void anUnresolvableInternalReferenceIsRefused() {
        assertThrows(SchemaException.class, () -> validator.compile("{\"$ref\": \"#/definitions/missing\"}"));
    }

    @Test
    void draftFourStyleExclusiveMinimumIsRefusedUnderTheDefaultDraft() {
        assertThrows(SchemaException.class,
                () -> validator.compile("{\"minimum\": 0, \"exclusiveMinimum\": true}"));
    }
}
