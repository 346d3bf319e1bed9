package io.gatekit.plugins.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.ConfigException;
import io.gatekit.testkit.PluginConformance;
import io.gatekit.testkit.PluginHarness;
import io.gatekit.testkit.RunResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ResponseRewriteTest {

    private static HttpResponse upstream(int status, String body, String... headers) {
        return HttpResponse.of(status, HttpHeaders.of(headers), body.getBytes(StandardCharsets.UTF_8));
    }

    private static RunResult run(String config, HttpResponse upstream, String uri, int chunk) {
        try (PluginHarness harness = PluginHarness.of(new ResponseRewriteFactory())) {
            harness.route("{\"response-rewrite\": " + config + "}");
            harness.upstreamResponds(upstream).bodyChunkSize(chunk);
            return harness.request(uri);
        }
    }

    @TestFactory
    Stream<DynamicTest> keepsThePluginContract() {
        return PluginConformance.of(new ResponseRewriteFactory())
                .accepts("""
                        {"status_code": 201, "body": "new", "headers": {"add": ["X-A: 1"], "set": {"X-B": "$uri"},
                                                                      "remove": ["Server"]}, "vars": [["status", "==", 200]]}""",
                        """
                        {"filters": [{"regex": "hello", "replace": "hi", "scope": "global"}]}""")
                .rejects("""
                        {"status_code": 199}""", "/status_code")
                .rejects("""
                        {"body": "x", "filters": [{"regex": "a", "replace": "b"}]}""")
                .rejects("""
                        {"filters": [{"regex": "a"}]}""", "/filters/0/replace")
                .discoverable()
                .tests();
    }

    @Test
    void statusHeadersAndBodyAreReplacedOnAStreamedBody() {
        RunResult result = run("""
                {"status_code": 203, "body": "{\\"replaced\\": true}",
                 "headers": {"add": ["X-Via: gatekit"], "set": {"X-Uri": "$uri"}, "remove": ["X-Secret"]}}""",
                upstream(200, "a long upstream body, streamed in small chunks", "X-Secret", "s",
                        "Content-Length", "47", "ETag", "\"v1\""), "/path", 5);

        assertEquals(203, result.response().status());
        assertEquals("{\"replaced\": true}", result.bodyText());
        assertEquals("gatekit", result.response().headers().get("X-Via"));
        assertEquals("/path", result.response().headers().get("X-Uri"));
        assertFalse(result.response().headers().contains("X-Secret"));
        assertFalse(result.response().headers().contains("Content-Length"));
        assertFalse(result.response().headers().contains("ETag"));
    }

    @Test
    void aBase64BodyIsDecoded() {
        RunResult result = run("""
                {"body": "SGVsbG8gV29ybGQ=", "body_base64": true}""", upstream(200, "x"), "/", 0);

        assertEquals("Hello World", result.bodyText());
    }

    @Test
    void varsChooseWhichResponsesChange() {
        String config = """
                {"vars": [["status", "==", 500]], "status_code": 200, "body": "fine"}""";

        RunResult failed = run(config, upstream(500, "boom"), "/", 0);
        RunResult ok = run(config, upstream(201, "created"), "/", 0);

        assertEquals(200, failed.response().status());
        assertEquals("fine", failed.bodyText());
        assertEquals(201, ok.response().status());
        assertEquals("created", ok.bodyText());
    }

    @Test
    void filtersSubstituteOnceOrGloballyAcrossChunksWithGroups() {
        RunResult result = run("""
                {"filters": [{"regex": "(hello) (\\\\w+)", "replace": "$2 ${1}", "scope": "global"},
                             {"regex": "X", "replace": "Y"}]}""",
                upstream(200, "hello world, hello there, X X"), "/", 4);

        assertEquals("world hello, there hello, Y X", result.bodyText());
    }

    @Test
    void filtersHonourOptionsAndCutTheBodyAtMaxRespBodySize() {
        RunResult caseless = run("""
                {"filters": [{"regex": "HELLO", "replace": "bye", "options": "ijo"}]}""",
                upstream(200, "hello"), "/", 0);
        RunResult cut = run("""
                {"max_resp_body_size": 5, "filters": [{"regex": "a", "replace": "b", "scope": "global"}]}""",
                upstream(200, "aaaaaaaaaa"), "/", 3);

        assertEquals("bye", caseless.bodyText());
        assertEquals("bbbbb", cut.bodyText());
    }

    @Test
    void aGzipBodyIsDecodedFilteredAndSentPlain() throws IOException {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write("hello gzip".getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse gzipped = HttpResponse.of(200, HttpHeaders.of("Content-Encoding", "gzip"), zipped.toByteArray());

        RunResult result = run("""
                {"filters": [{"regex": "gzip", "replace": "plain"}]}""", gzipped, "/", 7);

        assertEquals("hello plain", result.bodyText());
        assertNull(result.response().headers().get("Content-Encoding"));
    }

    @Test
    void aBodyInAnEncodingThePluginCannotDecodeIsLeftAsItIs() {
        RunResult result = run("""
                {"filters": [{"regex": "a", "replace": "b"}]}""",
                upstream(200, "aaa", "Content-Encoding", "br"), "/", 0);

        assertEquals("aaa", result.bodyText());
        assertEquals("br", result.response().headers().get("Content-Encoding"));
    }

    @Test
    void theFlatFormSetsHeaders() {
        RunResult result = run("""
                {"headers": {"X-Server-Id": 3, "X-Name": "gk"}}""", upstream(200, "", "X-Name", "old"), "/", 0);

        assertEquals("3", result.response().headers().get("X-Server-Id"));
        assertEquals(List.of("gk"), result.response().headers().all("X-Name"));
    }

    @Test
    void badConfigsAreRefusedWithApisixTexts() {
        try (PluginHarness harness = PluginHarness.of(new ResponseRewriteFactory())) {
            assertEquals("failed to check the configuration of plugin response-rewrite err: invalid base64 content",
                    assertThrows(ConfigException.class, () -> harness.route("""
                            {"response-rewrite": {"body": "!!!", "body_base64": true}}""")).errorMsg());
            String vars = assertThrows(ConfigException.class, () -> harness.route("""
                    {"response-rewrite": {"vars": [["status", "=", 200]]}}""")).errorMsg();
            assertTrue(vars.startsWith("failed to check the configuration of plugin response-rewrite err: "
                    + "failed to validate the 'vars' expression: "), vars);
            String regex = assertThrows(ConfigException.class, () -> harness.route("""
                    {"response-rewrite": {"filters": [{"regex": "(", "replace": "x"}]}}""")).errorMsg();
            assertTrue(regex.startsWith("failed to check the configuration of plugin response-rewrite err: "
                    + "regex \"(\" validation failed: "), regex);
        }
    }
}
