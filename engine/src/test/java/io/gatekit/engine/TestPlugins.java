package io.gatekit.engine;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.SimplePluginFactory;
import io.gatekit.api.http.Exchange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Small plugins for engine tests: they record what ran, in order, into the exchange. */
final class TestPlugins {

    @SuppressWarnings("unchecked")
    static final AttributeKey<List<String>> TRACE = AttributeKey.of("trace", (Class<List<String>>) (Class<?>) List.class);

    /** Every instance closed so far, by "name:tag". */
    static final List<String> CLOSED = new CopyOnWriteArrayList<>();

    private TestPlugins() {
    }

    static void trace(Exchange exchange, String entry) {
        List<String> trace = exchange.attr(TRACE);
        if (trace == null) {
            trace = new ArrayList<>();
            exchange.attr(TRACE, trace);
        }
        trace.add(entry);
    }

    /** Config of the tracing plugins: a tag to tell instances apart, and what to do. */
    record Conf(String tag, int respond, boolean fail, boolean async) {
    }

    static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "tag": {"type": "string", "default": ""},
               "respond": {"type": "integer", "minimum": 0, "maximum": 599, "default": 0},
               "fail": {"type": "boolean", "default": false},
               "async": {"type": "boolean", "default": false}
             },
             "additionalProperties": false}""";

    /** A plugin that traces "name[:tag]@phase" in the phases it is told to. */
    static final class Tracer extends SimplePluginFactory<Conf> {
        private final boolean failOpen;

        Tracer(String name, int priority) {
            this(name, priority, false);
        }

        Tracer(String name, int priority, boolean failOpen) {
            super(name, priority, SCHEMA, Conf.class);
            this.failOpen = failOpen;
        }

        @Override
        public Plugin create(Conf conf, PluginContext context) {
            String label = conf.tag().isEmpty() ? name() : name() + ":" + conf.tag();
            return new Plugin() {
                @Override
                public Outcome rewrite(Exchange exchange) {
                    trace(exchange, label + "@rewrite");
                    return Outcome.proceed();
                }

                @Override
                public Outcome access(Exchange exchange) {
                    trace(exchange, label + "@access");
                    if (conf.fail()) {
                        throw new IllegalStateException("boom from " + label);
                    }
                    Outcome outcome = conf.respond() > 0 ? Outcome.respond(conf.respond(), "from " + label)
                            : Outcome.proceed();
                    return conf.async() ? Outcome.async(CompletableFuture.supplyAsync(() -> outcome)) : outcome;
                }

                @Override
                public Completion headerFilter(Exchange exchange) {
                    trace(exchange, label + "@header_filter");
                    exchange.response().headers().add("x-seen-by", label);
                    return Completion.done();
                }

                @Override
                public void log(Exchange exchange) {
                    trace(exchange, label + "@log");
                }

                @Override
                public boolean failOpen() {
                    return failOpen;
                }

                @Override
                public void close() {
                    CLOSED.add(label);
                }
            };
        }
    }
}
