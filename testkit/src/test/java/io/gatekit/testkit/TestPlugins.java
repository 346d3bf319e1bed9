package io.gatekit.testkit;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.http.Exchange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/** Small plugins, well-behaved and deliberately broken, for testing the testkit. */
final class TestPlugins {

    static final AttributeKey<String> STAMPED = AttributeKey.of("stamped", String.class);

    private TestPlugins() {
    }

    /** A factory from a name, priority, schema, config type and a create function. */
    static <C> PluginFactory<C> factory(String name, int priority, String schema, Class<C> type,
            BiFunction<C, PluginContext, Plugin> create) {
        return PluginFactory.of(name, priority, schema, type, create::apply);
    }

    record Value(String value) {
    }

    static final String VALUE_SCHEMA = """
            {"type": "object",
             "properties": {"value": {"type": "string", "minLength": 1}},
             "required": ["value"],
             "additionalProperties": false}""";

    record Empty() {
    }

    static final String EMPTY_SCHEMA = """
            {"type": "object", "additionalProperties": false}""";

    record Millis(long millis) {
    }

    static final String MILLIS_SCHEMA = """
            {"type": "object",
             "properties": {"millis": {"type": "integer", "minimum": 0}},
             "required": ["millis"]}""";

    /** {@code stamp}: x-stamp on the request (rewrite) and the response (header_filter); an attribute. */
    static PluginFactory<Value> stamp() {
        return factory("stamp", 100, VALUE_SCHEMA, Value.class, (config, context) -> new Plugin() {
            @Override
            public Outcome rewrite(Exchange exchange) {
                exchange.request().headers().set("x-stamp", config.value());
                exchange.attr(STAMPED, config.value());
                return Outcome.proceed();
            }

            @Override
            public Completion headerFilter(Exchange exchange) {
                exchange.response().headers().set("x-stamp", config.value());
                return Completion.done();
            }
        });
    }

    /** {@code deny}: answers 401 in access unless x-key is the configured value. */
    static PluginFactory<Value> deny() {
        return factory("deny", 50, VALUE_SCHEMA, Value.class, (config, context) -> new Plugin() {
            @Override
            public Outcome access(Exchange exchange) {
                return config.value().equals(exchange.request().headers().get("x-key")) ? Outcome.proceed()
                        : Outcome.respond(401, "{\"error_msg\":\"missing key\"}");
            }
        });
    }

    /** {@code upper}: upper-cases each body chunk. */
    static PluginFactory<Empty> upper() {
        return factory("upper", 10, EMPTY_SCHEMA, Empty.class, (config, context) -> new Plugin() {
            @Override
            public ByteBuffer bodyFilter(Exchange exchange, ByteBuffer chunk, boolean last) {
                String text = StandardCharsets.UTF_8.decode(chunk).toString();
                return ByteBuffer.wrap(text.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    /** {@code wait-timer}: access waits for a timer on the instance's scheduler, then proceeds. */
    static PluginFactory<Millis> waitTimer() {
        return factory("wait-timer", 20, MILLIS_SCHEMA, Millis.class, (config, context) -> new Plugin() {
            @Override
            public Outcome access(Exchange exchange) {
                CompletableFuture<Outcome> later = new CompletableFuture<>();
                context.scheduler().schedule(() -> later.complete(Outcome.proceed()), config.millis(),
                        TimeUnit.MILLISECONDS);
                return Outcome.async(later);
            }
        });
    }

    /** {@code hang}: access returns a stage that never completes. */
    static PluginFactory<Empty> hang() {
        return factory("hang", 30, EMPTY_SCHEMA, Empty.class, (config, context) -> new Plugin() {
            @Override
            public Outcome access(Exchange exchange) {
                return Outcome.async(new CompletableFuture<>());
            }
        });
    }

    /** {@code boom}: access throws. */
    static PluginFactory<Empty> boom() {
        return factory("boom", 40, EMPTY_SCHEMA, Empty.class, (config, context) -> new Plugin() {
            @Override
            public Outcome access(Exchange exchange) {
                throw new IllegalStateException("boom");
            }
        });
    }

    record Url(String url) {
    }

    /** {@code callout}: access asks an auth service; 200 proceeds with its body as an attribute, else 403/502. */
    static PluginFactory<Url> callout() {
        String schema = """
                {"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]}""";
        return factory("callout", 60, schema, Url.class, (config, context) -> new Plugin() {
            @Override
            public Outcome access(Exchange exchange) {
                OutboundRequest ask = OutboundRequest.builder(config.url()).method("POST")
                        .header("x-user", String.valueOf(exchange.request().headers().get("x-user"))).build();
                return Outcome.async(context.httpClient().send(ask).handle((response, error) -> {
                    if (error != null) {
                        return Outcome.respond(502, "auth unavailable");
                    }
                    if (response.status() != 200) {
                        return Outcome.respond(403);
                    }
                    exchange.attr(STAMPED, new String(response.body(), StandardCharsets.UTF_8));
                    return Outcome.proceed();
                }));
            }
        });
    }

    /** Ticks of each {@code ticker} instance, by its value. */
    static final List<String> TICKS = new CopyOnWriteArrayList<>();

    /** {@code ticker}: from create on, records a tick every second on its scheduler. */
    static PluginFactory<Value> ticker() {
        return factory("ticker", 5, VALUE_SCHEMA, Value.class, (config, context) -> {
            context.scheduler().scheduleAtFixedRate(() -> TICKS.add(config.value()), 1, 1, TimeUnit.SECONDS);
            return new Plugin() {
                @Override
                public void log(Exchange exchange) {
                }
            };
        });
    }

    // ---- broken on purpose, for the conformance check ----

    /** {@code sleepy}: blocks in access (deliberately: this is the bug the check must catch). */
    static PluginFactory<Millis> sleepy() {
        return factory("sleepy", 1, MILLIS_SCHEMA, Millis.class, (config, context) -> new Plugin() {
            @Override
            public Outcome access(Exchange exchange) {
                try {
                    Thread.sleep(config.millis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Outcome.proceed();
            }
        });
    }

    /** Released by tests to end the threads {@code leaky} leaves behind. */
    static final CountDownLatch LEAKED = new CountDownLatch(1);

    /** Threads {@code leaky} started. */
    static final List<Thread> LEAKY_THREADS = new CopyOnWriteArrayList<>();

    /** {@code leaky}: starts a non-daemon poller in create and never stops it. */
    static PluginFactory<Empty> leaky() {
        return factory("leaky", 2, EMPTY_SCHEMA, Empty.class, (config, context) -> {
            Thread poller = new Thread(() -> {
                try {
                    LEAKED.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "poller-" + LEAKY_THREADS.size());
            LEAKY_THREADS.add(poller);
            poller.start();
            return new Plugin() {
                @Override
                public void log(Exchange exchange) {
                }
            };
        });
    }

    /** {@code grumpy}: close throws. */
    static PluginFactory<Empty> grumpy() {
        return factory("grumpy", 3, EMPTY_SCHEMA, Empty.class, (config, context) -> new Plugin() {
            @Override
            public void log(Exchange exchange) {
            }

            @Override
            public void close() {
                throw new IllegalStateException("cannot close");
            }
        });
    }

    record Limit(int limit) {
    }

    /** {@code lax}: its schema accepts anything, so a wrong type only fails when binding. */
    static PluginFactory<Limit> lax() {
        return factory("lax", 4, "{\"type\": \"object\"}", Limit.class, (config, context) -> new Plugin() {
            @Override
            public void log(Exchange exchange) {
            }
        });
    }

    private static final AtomicInteger FICKLE_CALLS = new AtomicInteger();

    /** {@code fickle}: its validate message changes from one call to the next. */
    static PluginFactory<Limit> fickle() {
        String schema = """
                {"type": "object", "properties": {"limit": {"type": "integer"}}, "required": ["limit"]}""";
        return new PluginFactory<>() {
            @Override
            public String name() {
                return "fickle";
            }

            @Override
            public int priority() {
                return 6;
            }

            @Override
            public String configSchema() {
                return schema;
            }

            @Override
            public Class<Limit> configType() {
                return Limit.class;
            }

            @Override
            public void validate(Limit config) {
                if (config.limit() < 1) {
                    throw new IllegalArgumentException("limit: " + config.limit() + " (expected: >= 1; check #"
                            + FICKLE_CALLS.incrementAndGet() + ")");
                }
            }

            @Override
            public Plugin create(Limit config, PluginContext context) {
                return new Plugin() {
                    @Override
                    public void log(Exchange exchange) {
                    }
                };
            }
        };
    }
}
