package io.gatekit.gateway.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Nullable;
import io.gatekit.engine.Resource;
import io.gatekit.engine.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** JSON in and out of the Admin API. */
final class Json {

    /** APISIX's {@code MAX_REQ_BODY}: 1.5 MiB. */
    static final int MAX_BODY = 1024 * 1024 * 3 / 2;

    // a key given twice means two parsers may disagree on the config (cjson keeps the last, others
    // the first): refuse it rather than pick one silently
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** Parses JSON the engine produced; a failure is a bug, not a client error. */
    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }

    /** Parses JSON text of a client, or {@code null} when it is not JSON. */
    static @Nullable JsonNode tryParse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * A request body as JSON, or {@code null} when there is none (empty or only whitespace), as
     * APISIX's {@code core.request.get_body} gives {@code nil}.
     *
     * @throws AdminError 400 {@code invalid request body: ...}, worded as the engine words it, when
     *         the body is too large or not JSON
     */
    static @Nullable JsonNode body(byte[] body) {
        if (body.length > MAX_BODY) {
            throw AdminError.badRequest("invalid request body: request size " + body.length
                    + " is greater than the maximum size " + MAX_BODY + " allowed", "", "maxLength",
                    "body of " + body.length + " bytes (expected: at most " + MAX_BODY + ")");
        }
        if (isBlank(body)) {
            return null;
        }
        checkUtf8(body);
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            String reason = e.getMessage() == null ? "malformed JSON" : e.getMessage().split("\n")[0];
            throw AdminError.badRequest("invalid request body: " + reason, "", "json", "malformed JSON: " + reason);
        }
    }

    /**
     * Jackson decodes some invalid UTF-8 (overlong forms, surrogates) into characters of its own
     * choosing; a config must mean the same to every reader, so such bytes are refused first.
     */
    private static void checkUtf8(byte[] body) {
        java.nio.charset.CharsetDecoder decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(body);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(body.length);
        java.nio.charset.CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            String reason = "invalid UTF-8 at byte " + in.position();
            throw AdminError.badRequest("invalid request body: " + reason, "", "json",
                    "malformed JSON: " + reason + " (expected: UTF-8 text)");
        }
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /**
     * The v3 single-object body: {@code {"key", "value", "createdIndex", "modifiedIndex"}}; the key
     * is the store key under {@code keyPrefix}, e.g. {@code /apisix/routes/1}, as APISIX shows it.
     */
    static ObjectNode single(Resource resource, JsonNode value, String keyPrefix) {
        ObjectNode node = object();
        node.put("key", key(resource, keyPrefix));
        node.set("value", value);
        node.put("createdIndex", resource.createdIndex());
        node.put("modifiedIndex", resource.modifiedIndex());
        return node;
    }

    static ObjectNode single(Resource resource, String keyPrefix) {
        return single(resource, parse(resource.json()), keyPrefix);
    }

    static String key(Resource resource, String keyPrefix) {
        return keyPrefix + "/" + resource.kind().path() + "/" + resource.id();
    }

    /** {@code {"error_msg": ..., "violations": [...]}}; the list only when there are violations. */
    static ObjectNode error(String errorMsg, List<Violation> violations) {
        ObjectNode node = object();
        node.put("error_msg", errorMsg);
        if (!violations.isEmpty()) {
            ArrayNode list = node.putArray("violations");
            for (Violation v : violations) {
                list.addObject().put("pointer", v.pointer()).put("keyword", v.keyword()).put("message", v.message());
            }
        }
        return node;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
