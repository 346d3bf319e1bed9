package io.gatekit.spring.cloud.gateway;

import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Plugins for the filter's tests: one that stamps what it saw, one that throws when asked to, one that counts log runs. */
final class TestPlugins {

    private TestPlugins() {
    }

    static List<PluginFactory<?>> all() {
        return List.of(new Stamp(), new Throw(), new Log());
    }

    /** {@code test-stamp}'s config: the tag it stamps, a number to prove typed YAML scalars. */
    record StampConf(String tag, int times) {
    }

    /** Adds {@code x-stamped: <tag>} to the request (rewrite) and {@code x-stamp: <tag>} to the response. */
    static final class Stamp implements PluginFactory<StampConf> {
        @Override
        public String name() {
            return "test-stamp";
        }

        @Override
        public int priority() {
            return 1000;
        }

        @Override
        public String configSchema() {
            return """
                    {"type": "object",
                     "properties": {"tag": {"type": "string"},
                                    "times": {"type": "integer", "minimum": 1, "default": 1}},
                     "required": ["tag"]}""";
        }

        @Override
        public Class<StampConf> configType() {
            return StampConf.class;
        }

        @Override
        public Plugin create(StampConf conf, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome rewrite(Exchange exchange) {
                    exchange.request().headers().add("x-stamped", conf.tag());
                    return Outcome.proceed();
                }

                @Override
                public Completion headerFilter(Exchange exchange) {
                    for (int i = 0; i < conf.times(); i++) {
                        exchange.response().headers().add("x-stamp", conf.tag());
                    }
                    return Completion.done();
                }
            };
        }
    }

    /** No config. */
    record NoConf() {
    }

    /** Throws in {@code access} when the request has {@code x-throw}. */
    static final class Throw implements PluginFactory<NoConf> {
        @Override
        public String name() {
            return "test-throw";
        }

        @Override
        public int priority() {
            return 900;
        }

        @Override
        public String configSchema() {
            return "{\"type\": \"object\"}";
        }

        @Override
        public Class<NoConf> configType() {
            return NoConf.class;
        }

        @Override
        public Plugin create(NoConf conf, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome access(Exchange exchange) {
                    if (exchange.request().headers().contains("x-throw")) {
                        throw new IllegalStateException("test-throw was asked to throw");
                    }
                    return Outcome.proceed();
                }
            };
        }
    }

    /** How often {@code test-log} ran, per {@code x-id}. */
    static final Map<String, Integer> LOGS = new ConcurrentHashMap<>();

    /** Counts its {@code log} runs per request ({@code x-id}). */
    static final class Log implements PluginFactory<NoConf> {
        @Override
        public String name() {
            return "test-log";
        }

        @Override
        public int priority() {
            return 800;
        }

        @Override
        public String configSchema() {
            return "{\"type\": \"object\"}";
        }

        @Override
        public Class<NoConf> configType() {
            return NoConf.class;
        }

        @Override
        public Plugin create(NoConf conf, PluginContext context) {
            return new Plugin() {
                @Override
                public void log(Exchange exchange) {
                    String id = exchange.request().headers().get("x-id");
                    if (id != null) {
                        LOGS.merge(id, 1, Integer::sum);
                    }
                }
            };
        }
    }
}
