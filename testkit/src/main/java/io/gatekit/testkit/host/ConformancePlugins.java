package io.gatekit.testkit.host;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The plugins the suite puts on its routes. Each request carries a unique {@code x-case} header,
 * by which the plugins record what happened to it ({@link #logs}, {@link #lasts}).
 */
final class ConformancePlugins {

    /** How often {@code conformance-log} ran, per {@code x-case}. */
    static final Map<String, Integer> logs = new ConcurrentHashMap<>();
    /** How often {@code conformance-upper} saw {@code last}, per {@code x-case}. */
    static final Map<String, Integer> lasts = new ConcurrentHashMap<>();

    private static final Executor LATER = CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS);

    private ConformancePlugins() {
    }

    static List<PluginFactory<?>> all() {
        return List.of(
                factory("conformance-async", 9000, () -> new Plugin() {
                    @Override
                    public Outcome rewrite(Exchange exchange) {
                        // completes on another thread, later: the host must not assume the caller's
                        return Outcome.async(CompletableFuture.supplyAsync(() -> {
                            exchange.request().headers().set("x-async-ran", "1");
                            return Outcome.proceed();
                        }, LATER));
                    }
                }),
                factory("conformance-deny", 8000, () -> new Plugin() {
                    @Override
                    public Outcome access(Exchange exchange) {
                        if (exchange.request().headers().contains("x-deny-bare")) {
                            return Outcome.respond(503); // no headers, no body
                        }
                        return exchange.request().headers().contains("x-deny")
                                ? Outcome.respond(HttpResponse.of(403, HttpHeaders.of("content-type", "text/plain"),
                                        "denied by plugin".getBytes(StandardCharsets.UTF_8)))
                                : Outcome.proceed();
                    }
                }),
                factory("conformance-throw", 7000, () -> new Plugin() {
                    @Override
                    public Outcome access(Exchange exchange) {
                        if (exchange.request().headers().contains("x-throw")) {
                            throw new IllegalStateException("conformance-throw was asked to throw");
                        }
                        return Outcome.proceed();
                    }
                }),
                factory("conformance-drop-host", 6000, () -> new Plugin() {
                    @Override
                    public Outcome rewrite(Exchange exchange) {
                        exchange.request().headers().remove("host");
                        return Outcome.proceed();
                    }
                }),
                factory("conformance-prefix", 5000, () -> new Plugin() {
                    @Override
                    public Outcome rewrite(Exchange exchange) {
                        exchange.request().path("/rewritten" + exchange.request().path());
                        return Outcome.proceed();
                    }
                }),
                factory("conformance-read-request", 4000, () -> new Plugin() {
                    @Override
                    public Outcome access(Exchange exchange) {
                        byte[] body = exchange.request().body();
                        exchange.request().body(("read " + (body == null ? 0 : body.length))
                                .getBytes(StandardCharsets.UTF_8));
                        return Outcome.proceed();
                    }

                    @Override
                    public BodyBuffering bodyBuffering() {
                        return BodyBuffering.REQUEST;
                    }
                }),
                factory("conformance-read-response", 3000, () -> new Plugin() {
                    @Override
                    public Completion headerFilter(Exchange exchange) {
                        byte[] body = exchange.response().body();
                        exchange.response().body(("seen " + (body == null ? 0 : body.length))
                                .getBytes(StandardCharsets.UTF_8));
                        return Completion.done();
                    }

                    @Override
                    public BodyBuffering bodyBuffering() {
                        return BodyBuffering.RESPONSE;
                    }
                }),
                factory("conformance-stamp", 2000, () -> new Plugin() {
                    @Override
                    public Completion headerFilter(Exchange exchange) {
                        if (exchange.request().headers().contains("x-async-filter")) {
                            return Completion.after(CompletableFuture.runAsync(
                                    () -> exchange.response().headers().set("x-stamp", "later"), LATER));
                        }
                        exchange.response().headers().set("x-stamp", "conformance");
                        return Completion.done();
                    }
                }),
                factory("conformance-upper", 1000, () -> new Plugin() {
                    @Override
                    public ByteBuffer bodyFilter(Exchange exchange, ByteBuffer chunk, boolean last) {
                        if (last) {
                            lasts.merge(caseOf(exchange), 1, Integer::sum);
                        }
                        ByteBuffer out = ByteBuffer.allocate(chunk.remaining());
                        while (chunk.hasRemaining()) {
                            byte b = chunk.get();
                            out.put(b >= 'a' && b <= 'z' ? (byte) (b - 32) : b);
                        }
                        return out.flip();
                    }
                }),
                factory("conformance-log", 0, () -> new Plugin() {
                    @Override
                    public void log(Exchange exchange) {
                        logs.merge(caseOf(exchange), 1, Integer::sum);
                    }
                }));
    }

    private static String caseOf(Exchange exchange) {
        String id = exchange.request().headers().get("x-case");
        return id == null ? "" : id;
    }

    /** A plugin with no config. */
    record NoConfig() {
    }

    private static PluginFactory<NoConfig> factory(String name, int priority, Supplier<Plugin> plugin) {
        return new PluginFactory<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int priority() {
                return priority;
            }

            @Override
            public String configSchema() {
                return "{\"type\": \"object\"}";
            }

            @Override
            public Class<NoConfig> configType() {
                return NoConfig.class;
            }

            @Override
            public Plugin create(NoConfig config, PluginContext context) {
                return plugin.get();
            }
        };
    }
}
