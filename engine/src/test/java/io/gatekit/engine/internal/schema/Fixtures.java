package io.gatekit.engine.internal.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Shared test inputs: JSON parsing and APISIX's proxy-mirror config schema. */
final class Fixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The proxy-mirror schema of proxy-mirror-and-post-resp.md section 1.2 (APISIX
     * apisix/plugins/proxy-mirror.lua), written out as JSON.
     */
    static final String PROXY_MIRROR_SCHEMA = """
            {
              "type": "object",
              "properties": {
                "host": {
                  "type": "string",
                  "pattern": "^(http(s)?|grpc(s)?):\\\\/\\\\/([\\\\da-zA-Z.-]+|\\\\[[\\\\da-fA-F:]+\\\\])(:\\\\d+)?$"
                },
                "path": {"type": "string", "pattern": "^/[^?&]+$"},
                "path_concat_mode": {
                  "type": "string",
                  "default": "replace",
                  "enum": ["replace", "prefix"],
                  "description": "the concatenation mode for custom path"
                },
                "sample_ratio": {"type": "number", "minimum": 0.00001, "maximum": 1, "default": 1}
              },
              "required": ["host"]
            }""";

    private Fixtures() {
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad test JSON: " + text, e);
        }
    }

    static ObjectNode object(String text) {
        return (ObjectNode) json(text);
    }

    /** The proxy-mirror schema with {@code _meta} injected, compiled. */
    static CompiledSchema proxyMirror() {
        return new EveritSchemaValidator().compile(MetaSchema.inject("proxy-mirror", PROXY_MIRROR_SCHEMA));
    }
}
