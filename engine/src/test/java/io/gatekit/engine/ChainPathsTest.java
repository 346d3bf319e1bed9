package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatekit.api.Completion;
import io.gatekit.api.EngineListener;
import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine walks a chain on a plain path (no listener timing it, no filter) or on the general
 * one; a plugin that responds, fails, returns null or goes async must get the same treatment on
 * both.
 */
class ChainPathsTest {

    private final List<Engine> engines = new ArrayList<>();
    private final List<String> timed = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(Engine::close);
    }

    private Engine engine(boolean withListener) {
        Engine.Builder builder = Engine.builder().plugin(new Quirk("first", 200)).plugin(new Quirk("second", 100));
        if (withListener) {
            builder.listener(new EngineListener() {
                @Override
                public void pluginPhase(String plugin, Phase phase, String routeId, long nanos) {
                    timed.add(plugin + "@" + phase.apisixName());
                }
            });
        }
        Engine engine = builder.build();
        engines.add(engine);
        return engine;
    }

    /** Status, body and trace of one request through every phase on a route with both plugins. */
    private static String serve(Engine engine, String first, String second) {
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/r\", \"plugins\": {\"first\": " + first
                + ", \"second\": " + second + "}}");
        Call call = engine.newCall(HttpRequest.builder().uri("/r").build());
        try {
            Outcome outcome = await(call.runRequestPhases());
            if (outcome.proceeds()) {
                outcome = await(call.resolvedUpstream() == null ? call.beforeApplication() : call.beforeProxy());
            }
            HttpResponse response = outcome.proceeds() ? HttpResponse.of(200) : outcome.response();
            Completion completion = outcome.proceeds() ? call.upstreamResponse(response) : call.localResponse(response);
            if (!completion.isDone()) {
                completion.stage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
            call.complete();
            HttpResponse sent = call.exchange().response();
            String body = sent.body() == null ? "" : new String(sent.body(), StandardCharsets.UTF_8).trim();
            return sent.status() + " " + body + " "
                    + call.exchange().attr(TestPlugins.TRACE);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Outcome await(Outcome outcome) throws Exception {
        return outcome.kind() == Outcome.Kind.ASYNC
                ? outcome.stage().toCompletableFuture().get(5, TimeUnit.SECONDS) : outcome;
    }

    /** Serves on the plain path and on the timed one, checks they agree, and returns the result. */
    private String bothPaths(String first, String second) {
        String plain = serve(engine(false), first, second);
        String general = serve(engine(true), first, second);
        assertEquals(general, plain, "plain path against the general one");
        return plain;
    }

    @Test
    void aPluginReturningNullFromRewriteAnswers500AndTheRestOfThePhaseDoesNotRun() {
        assertEquals("500 {\"error_msg\":\"500 Internal Server Error\"} [first@rewrite, first@header_filter, "
                + "second@header_filter, first@log, second@log]", bothPaths("{\"rewrite\": \"null\"}", "{}"));
    }

    @Test
    void aFailureInAccessTakesThePluginsErrorResponse() {
        assertEquals("500 {\"message\":\"sorry\"} [first@rewrite, second@rewrite, first@access, "
                + "first@header_filter, second@header_filter, first@log, second@log]",
                bothPaths("{\"access\": \"throw\", \"_meta\": {\"error_response\": {\"message\": \"sorry\"}}}", "{}"));
    }

    @Test
    void aPluginRespondingInBeforeProxyEndsThatPhase() {
        assertEquals("403 from first [first@rewrite, second@rewrite, first@access, second@access, "
                + "first@before_proxy, first@header_filter, second@header_filter, first@log, second@log]",
                bothPaths("{\"before_proxy\": \"respond\"}", "{}"));
    }

    @Test
    void anAsyncPluginInTheMiddleOfThePlainPathResumesTheRest() {
        assertEquals("200  [first@rewrite, second@rewrite, first@access, second@access, first@before_proxy, "
                + "second@before_proxy, first@header_filter, second@header_filter, first@log, second@log]",
                bothPaths("{\"access\": \"async\", \"header_filter\": \"async\"}", "{}"));
    }

    @Test
    void aHeaderFilterThatThrowsOrReturnsNullTurnsTheResponseInto500AndTheNextPluginStillRuns() {
        String thrown = bothPaths("{\"header_filter\": \"throw\"}", "{}");
        String nulled = bothPaths("{\"header_filter\": \"null\"}", "{}");

        assertEquals("500 {\"error_msg\":\"500 Internal Server Error\"} [first@rewrite, second@rewrite, "
                + "first@access, second@access, first@before_proxy, second@before_proxy, first@header_filter, "
                + "second@header_filter, first@log, second@log]", thrown);
        assertEquals(thrown, nulled);
    }

    @Test
    void aLogThatThrowsDoesNotStopTheNextPluginsLog() {
        assertEquals("200  [first@rewrite, second@rewrite, first@access, second@access, first@before_proxy, "
                + "second@before_proxy, first@header_filter, second@header_filter, first@log, second@log]",
                bothPaths("{\"log\": \"throw\"}", "{}"));
    }

    /** Per phase: proceed (default), null, throw, respond (403) or async. */
    record QuirkConf(String rewrite, String access, String before_proxy, String header_filter, String log) {
    }

    /** Traces every phase it is in, then does what its conf says for that phase. */
    static final class Quirk implements PluginFactory<QuirkConf> {
        private final String name;
        private final int priority;

        Quirk(String name, int priority) {
            this.name = name;
            this.priority = priority;
        }

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
            String action = "{\"type\": \"string\", \"enum\": [\"proceed\", \"null\", \"throw\", \"respond\", \"async\"],"
                    + " \"default\": \"proceed\"}";
            return "{\"type\": \"object\", \"properties\": {\"rewrite\": " + action + ", \"access\": " + action
                    + ", \"before_proxy\": " + action + ", \"header_filter\": " + action + ", \"log\": " + action
                    + "}}";
        }

        @Override
        public Class<QuirkConf> configType() {
            return QuirkConf.class;
        }

        @Override
        public Plugin create(QuirkConf conf, PluginContext context) {
            return new Plugin() {
                private Outcome act(Exchange exchange, String phase, String action) {
                    TestPlugins.trace(exchange, name + "@" + phase);
                    return switch (action) {
                        case "null" -> null;
                        case "throw" -> throw new IllegalStateException(name + " fails in " + phase);
                        case "respond" -> Outcome.respond(403, "from " + name);
                        case "async" -> Outcome.async(CompletableFuture.supplyAsync(Outcome::proceed));
                        default -> Outcome.proceed();
                    };
                }

                @Override
                public Outcome rewrite(Exchange exchange) {
                    return act(exchange, "rewrite", conf.rewrite());
                }

                @Override
                public Outcome access(Exchange exchange) {
                    return act(exchange, "access", conf.access());
                }

                @Override
                public Outcome beforeProxy(Exchange exchange) {
                    return act(exchange, "before_proxy", conf.before_proxy());
                }

                @Override
                public Completion headerFilter(Exchange exchange) {
                    TestPlugins.trace(exchange, name + "@header_filter");
                    return switch (conf.header_filter()) {
                        case "null" -> null;
                        case "throw" -> throw new IllegalStateException(name + " fails in header_filter");
                        case "async" -> Completion.after(CompletableFuture.runAsync(() -> { }));
                        default -> Completion.done();
                    };
                }

                @Override
                public void log(Exchange exchange) {
                    TestPlugins.trace(exchange, name + "@log");
                    if (conf.log().equals("throw")) {
                        throw new IllegalStateException(name + " fails in log");
                    }
                }
            };
        }
    }
}
