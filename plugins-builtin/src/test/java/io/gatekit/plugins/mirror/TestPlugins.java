package io.gatekit.plugins.mirror;

import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.http.Exchange;
import java.util.Map;

/** Plugins that share a route with proxy-mirror in tests. */
final class TestPlugins {

    private TestPlugins() {
    }

    /** Config of {@link Rewrite}: what to change in {@code rewrite}. */
    record RewriteConf(@Nullable String path, @Nullable String query, @Nullable Map<String, String> headers) {
    }

    /**
     * {@code test-rewrite}, priority 1008 like APISIX's proxy-rewrite (so it runs after
     * proxy-mirror unless {@code _meta.priority} says otherwise): sets the path, query and headers.
     */
    static final class Rewrite extends SimplePluginFactory<RewriteConf> {
        Rewrite() {
            super("test-rewrite", 1008, """
                    {"type": "object",
                     "properties": {"path": {"type": "string"}, "query": {"type": "string"},
                                    "headers": {"type": "object", "additionalProperties": {"type": "string"}}}}""",
                    RewriteConf.class);
        }

        @Override
        public Plugin create(RewriteConf conf, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome rewrite(Exchange exchange) {
                    if (conf.path() != null) {
                        exchange.request().path(conf.path());
                    }
                    if (conf.query() != null) {
                        exchange.request().query().set("rewritten", conf.query());
                    }
                    if (conf.headers() != null) {
                        conf.headers().forEach(exchange.request().headers()::set);
                    }
                    return Outcome.proceed();
                }
            };
        }
    }

    /** Config of {@link Deny}. */
    record DenyConf(int status) {
    }

    /** {@code test-deny}: answers in {@code access}, so the request never reaches the upstream. */
    static final class Deny extends SimplePluginFactory<DenyConf> {
        Deny() {
            super("test-deny", 2500,
                    "{\"type\": \"object\", \"properties\": {\"status\": {\"type\": \"integer\", \"default\": 403}}}",
                    DenyConf.class);
        }

        @Override
        public Plugin create(DenyConf conf, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome access(Exchange exchange) {
                    return Outcome.respond(conf.status());
                }
            };
        }
    }
}
