package io.gatekit.servlet;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Completion;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Plugins the filter's own tests put on routes; each records by the request's {@code x-case} header. */
final class TestPlugins {

    /** How often {@code test-log} ran, per {@code x-case}. */
    static final Map<String, Integer> LOGS = new ConcurrentHashMap<>();

    private TestPlugins() {
    }

    record NoConfig() {
    }

    static List<PluginFactory<?>> all() {
        return List.of(
                plugin("test-rewrite", 5000, new Plugin() {
                    @Override
                    public Outcome rewrite(Exchange exchange) {
                        exchange.request().headers().set("x-added", "by-plugin");
                        exchange.request().path(exchange.request().path().replace("/echo/", "/echo/rewritten/"));
                        exchange.request().query().set("p", "plugin");
                        return Outcome.proceed();
                    }
                }),
                plugin("test-throw", 4000, new Plugin() {
                    @Override
                    public Outcome access(Exchange exchange) {
                        if (exchange.request().headers().contains("x-throw")) {
                            throw new IllegalStateException("test-throw was asked to throw");
                        }
                        return Outcome.proceed();
                    }
                }),
                plugin("test-read-body", 3000, new Plugin() {
                    @Override
                    public Outcome access(Exchange exchange) {
                        byte[] body = exchange.request().body();
                        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
                        exchange.request().body(("read " + text.length() + ": " + text).getBytes(StandardCharsets.UTF_8));
                        return Outcome.proceed();
                    }

                    @Override
                    public BodyBuffering bodyBuffering() {
                        return BodyBuffering.REQUEST;
                    }
                }),
                plugin("test-stamp", 2000, new Plugin() {
                    @Override
                    public Completion headerFilter(Exchange exchange) {
                        exchange.response().headers().set("x-stamp", "status " + exchange.response().status());
                        return Completion.done();
                    }
                }),
                plugin("test-upper", 1000, new Plugin() {
                    @Override
                    public ByteBuffer bodyFilter(Exchange exchange, ByteBuffer chunk, boolean last) {
                        ByteBuffer out = ByteBuffer.allocate(chunk.remaining());
                        while (chunk.hasRemaining()) {
                            byte b = chunk.get();
                            out.put(b >= 'a' && b <= 'z' ? (byte) (b - 32) : b);
                        }
                        return out.flip();
                    }
                }),
                plugin("test-log", 0, new Plugin() {
                    @Override
                    public void log(Exchange exchange) {
                        String id = exchange.request().headers().get("x-case");
                        LOGS.merge(id == null ? "" : id, 1, Integer::sum);
                    }
                }));
    }

    private static PluginFactory<NoConfig> plugin(String name, int priority, Plugin plugin) {
        return PluginFactory.of(name, priority, "{\"type\": \"object\"}", NoConfig.class, (config, context) -> plugin);
    }
}
