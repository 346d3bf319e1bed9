package io.gatekit.engine.internal.schema;

import static io.gatekit.engine.internal.schema.Fixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.engine.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy-mirror schema against every example APISIX's tests accept or reject
 * (proxy-mirror-and-post-resp.md section 1.2, from t/plugin/proxy-mirror.t).
 */
class ProxyMirrorSchemaTest {

    private static final CompiledSchema SCHEMA = Fixtures.proxyMirror();

    private static List<Violation> check(String conf) {
        return SCHEMA.validate(json(conf));
    }

    private static String errorMsg(String conf) {
        return ApisixErrors.pluginError("proxy-mirror", check(conf));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1", "http://a", "http://ab.com", "http://[::1]", "http://[::1]:202",
        "http://127.0.0.1:1986", "grpc://127.0.0.1:1986", "grpcs://127.0.0.1:1986", "https://mirror.example.com:8443"})
    void acceptsEveryHostApisixAccepts(String host) {
        assertEquals(List.of(), check("{\"host\": \"" + host + "\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1:1999", "http://127.0.0.1::1999", "127.0.0.1:1999",
        "http://127.0.0.1:1999/invalid_uri", "http://127.0.0.1:1999/", "http://user@127.0.0.1"})
    void rejectsEveryHostApisixRejectsAsAPatternFailureOfHost(String host) {
        List<Violation> violations = check("{\"host\": \"" + host + "\"}");

        assertEquals(1, violations.size(), violations::toString);
        assertEquals("/host", violations.get(0).pointer());
        assertEquals("pattern", violations.get(0).keyword());
    }

    @Test
    void hostPatternFailureQuotesPatternAndValueAsLuaDoes() {
        assertEquals("failed to check the configuration of plugin proxy-mirror err: property \"host\" validation"
                + " failed: failed to match pattern \"^(http(s)?|grpc(s)?):\\\\/\\\\/"
                + "([\\\\da-zA-Z.-]+|\\\\[[\\\\da-fA-F:]+\\\\])(:\\\\d+)?$\" with \"ftp://127.0.0.1:1999\"",
                errorMsg("{\"host\": \"ftp://127.0.0.1:1999\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "/a?a=c", "/a&b", "/"})
    void rejectsPathsWithoutLeadingSlashOrWithQueryCharacters(String path) {
        List<Violation> violations = check("{\"host\": \"http://127.0.0.1:1999\", \"path\": \"" + path + "\"}");

        assertEquals(1, violations.size(), violations::toString);
        String message = violations.get(0).message();
        assertTrue(message.startsWith("property \"path\" validation failed: failed to match pattern"), message);
    }

    @Test
    void pathFailureReadsAsInApisix() {
        assertEquals("failed to check the configuration of plugin proxy-mirror err: property \"path\""
                + " validation failed: failed to match pattern \"^/[^?&]+$\" with \"a\"",
                errorMsg("{\"host\": \"http://127.0.0.1:1999\", \"path\": \"a\"}"));
    }

    @Test
    void acceptsPathWithEitherConcatMode() {
        assertEquals(List.of(), check("{\"host\": \"http://127.0.0.1:1986\", \"path\": \"/a\"}"));
        assertEquals(List.of(),
                check("{\"host\": \"http://127.0.0.1:1986\", \"path\": \"/a\", \"path_concat_mode\": \"prefix\"}"));
    }

    @Test
    void unknownConcatModeMatchesNoneOfTheEnumValues() {
        assertEquals("failed to check the configuration of plugin proxy-mirror err: property \"path_concat_mode\""
                + " validation failed: matches none of the enum values",
                errorMsg("{\"host\": \"http://a\", \"path_concat_mode\": \"append\"}"));
    }

    @Test
    void sampleRatioAboveOneIsRejectedWithApisixsExactErrorMsg() {
        assertEquals("failed to check the configuration of plugin proxy-mirror err: property \"sample_ratio\""
                + " validation failed: expected 10 to be at most 1",
                errorMsg("{\"host\": \"http://127.0.0.1:1986\", \"sample_ratio\": 10}"));
    }

    @Test
    void sampleRatioBelowTheMinimumPrintsTheLimitAsLuaPrintsNumbers() {
        assertEquals("failed to check the configuration of plugin proxy-mirror err: property \"sample_ratio\""
                + " validation failed: expected 0 to be at least 1e-05",
                errorMsg("{\"host\": \"http://a\", \"sample_ratio\": 0}"));
    }

    @Test
    void sampleRatioAtBothEndsOfItsRangeIsAccepted() {
        assertEquals(List.of(), check("{\"host\": \"http://a\", \"sample_ratio\": 0.00001}"));
        assertEquals(List.of(), check("{\"host\": \"http://a\", \"sample_ratio\": 1}"));
    }

    @Test
    void missingHostIsReportedAsARequiredProperty() {
        assertEquals("failed to check the configuration of plugin proxy-mirror err: property \"host\" is required",
                errorMsg("{\"path\": \"/a\"}"));
    }

    @Test
    void hostOfTheWrongTypeIsAWrongTypeError() {
        assertEquals("failed to check the configuration of plugin proxy-mirror err: property \"host\" validation"
                + " failed: wrong type: expected string, got number", errorMsg("{\"host\": 1999}"));
    }

    @Test
    void everyFaultOfOneConfIsReportedWithItsPointer() {
        List<Violation> violations = check("{\"host\": \"ftp://x\", \"path\": \"a\", \"sample_ratio\": 10}");

        assertEquals(List.of("/host", "/path", "/sample_ratio"), violations.stream().map(Violation::pointer).toList());
        assertEquals(List.of("pattern", "pattern", "maximum"), violations.stream().map(Violation::keyword).toList());
    }

    @Test
    void defaultsAreFilledAsApisixFillsThem() {
        SchemaResult result = SCHEMA.validateAndApplyDefaults(json("{\"host\": \"http://127.0.0.1:9797\"}"));

        assertTrue(result.valid());
        JsonNode conf = result.document();
        assertEquals("replace", conf.get("path_concat_mode").asText());
        assertEquals(1.0, conf.get("sample_ratio").asDouble());
        assertEquals("http://127.0.0.1:9797", conf.get("host").asText());
    }

    @Test
    void givenValuesAreNotReplacedByDefaults() {
        String given = "{\"host\": \"http://a\", \"path\": \"/a\", \"path_concat_mode\": \"prefix\","
                + " \"sample_ratio\": 0.5}";

        assertEquals(json(given), SCHEMA.validateAndApplyDefaults(json(given)).document());
    }
}
