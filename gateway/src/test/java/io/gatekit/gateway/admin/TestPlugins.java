package io.gatekit.gateway.admin;

import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.http.Exchange;
import java.util.List;

/**
 * Small plugins registered in code for the Admin API tests. Two of them stand in for the built-in
 * plugins of the seeds (same names, schemas shaped like APISIX's) so the seeds' curl bodies can be
 * sent verbatim without depending on the real implementations.
 */
final class TestPlugins {

    private TestPlugins() {
    }

    /** Stands in for {@code proxy-mirror}: priority 1010, runs in access. */
    static final class MirrorStandIn extends SimplePluginFactory<MirrorStandIn.Conf> {
        record Conf(String host, String path, double sampleRatio) {
        }

        MirrorStandIn() {
            super("proxy-mirror", 1010, """
                {"type": "object",
                 "properties": {
                   "host": {"type": "string", "pattern":
                            "^(http(s)?|grpc(s)?)://([\\\\da-zA-Z.-]+|\\\\[[\\\\da-fA-F:]+\\\\])(:\\\\d+)?$"},
                   "path": {"type": "string", "pattern": "^/[^?&]+$"},
                   "sample_ratio": {"type": "number", "minimum": 0.00001, "maximum": 1, "default": 1}
                 },
                 "required": ["host"]}""", Conf.class);
        }

        @Override
        public Plugin create(Conf config, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome access(Exchange exchange) {
                    return Outcome.proceed();
                }
            };
        }
    }

    /** Stands in for {@code ext-plugin-post-resp}: priority -4000, runs in before_proxy. */
    static final class PostRespStandIn extends SimplePluginFactory<PostRespStandIn.Conf> {
        record Entry(String name, String value) {
        }

        record Conf(List<Entry> conf, boolean allowDegradation) {
        }

        PostRespStandIn() {
            super("ext-plugin-post-resp", -4000, """
                {"type": "object",
                 "properties": {
                   "conf": {"type": "array", "minItems": 1,
                            "items": {"type": "object",
                                      "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 128},
                                                     "value": {"type": "string"}},
                                      "required": ["name", "value"]}},
                   "allow_degradation": {"type": "boolean", "default": false}
                 }}""", Conf.class);
        }

        @Override
        public Plugin create(Conf config, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome beforeProxy(Exchange exchange) {
                    return Outcome.proceed();
                }
            };
        }
    }

    /** Adds a header in rewrite; has a {@code plugin_metadata} schema. Priority 100. */
    static final class Stamp extends SimplePluginFactory<Stamp.Conf> {
        record Conf(String value, List<String> tags) {
        }

        record Metadata(String prefix) {
        }

        Stamp() {
            super("stamp", 100, """
                {"type": "object",
                 "properties": {
                   "value": {"type": "string", "minLength": 1},
                   "tags": {"type": "array", "items": {"type": "string"}, "default": []}
                 },
                 "required": ["value"],
                 "additionalProperties": false}""", Conf.class);
        }

        @Override
        public String metadataSchema() {
            return """
                {"type": "object", "properties": {"prefix": {"type": "string"}}, "required": ["prefix"]}""";
        }

        @Override
        public Class<?> metadataType() {
            return Metadata.class;
        }

        @Override
        public Plugin create(Conf config, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome rewrite(Exchange exchange) {
                    exchange.request().headers().set("x-stamp", config.value());
                    return Outcome.proceed();
                }
            };
        }
    }
}
