package io.gatekit.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.runner.internal.Frames;
import io.gatekit.runner.internal.RunnerConnection;
import io.gatekit.runner.internal.UnixSockets;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner side: socket file, dispatch by plugin name, chains, errors. */
@SuppressWarnings("try") // resources opened only to be there and closed, e.g. a runner
class RunnerServerTest {

    @TempDir
    Path dir;

    private Path socket() {
        return dir.resolve("runner.sock");
    }

    private RunnerServer start(RunnerServer.Builder builder) {
        return builder.socketPath(socket()).build().start();
    }

    private RunnerClient client() {
        return RunnerClient.builder().socketPath(socket()).build();
    }

    private static RunnerConf conf(String... plugins) {
        RunnerConf.Builder conf = RunnerConf.builder().id("route#1#ext-plugin-post-req").version(1);
        for (String plugin : plugins) {
            conf.addPlugin(plugin, "cfg-" + plugin);
        }
        return conf.build();
    }

    private static final HttpReqCall CALL = HttpReqCall.builder().path("/").build();

    private static RunnerPlugin rewriting(ReqAction.Rewrite rewrite) {
        return new RunnerPlugin() {
            @Override
            public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                return rewrite;
            }
        };
    }

    @Test
    void theSocketFileIsOpenToTheOwnersGroupAndRemovedOnClose() throws Exception {
        try (RunnerServer server = start(RunnerServer.builder())) {
            assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(socket()));
        }
        assertFalse(Files.exists(socket()));
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        // What a killed runner leaves behind: a socket file nobody listens on (closing does not unlink it).
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket()));
        }
        assertTrue(Files.exists(socket()));

        try (RunnerServer server = start(TestPlugins.register(RunnerServer.builder())); RunnerClient client = client()) {
            assertInstanceOf(Reply.class, client.httpReqCall(conf("gk-stop"), CALL, ExtraInfoHandler.none()));
        }
    }

    @Test
    void manyAsyncCallsFromManyThreadsAtOnceAllGetTheirAnswer() throws Exception {
        try (RunnerServer server = start(TestPlugins.register(RunnerServer.builder()));
             RunnerClient client = RunnerClient.builder().socketPath(socket()).threads(4).build()) {
            RunnerConf conf = conf("gk-stop");
            client.confToken(conf);
            List<CompletableFuture<ReqAction>> calls = new CopyOnWriteArrayList<>();
            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                for (int t = 0; t < 8; t++) {
                    callers.execute(() -> {
                        for (int i = 0; i < 500; i++) {
                            calls.add(client.httpReqCallAsync(conf, CALL, ExtraInfoHandler.none()).toCompletableFuture());
                        }
                    });
                }
                callers.shutdown();
                assertTrue(callers.awaitTermination(30, TimeUnit.SECONDS));
            } finally {
                callers.shutdownNow();
            }

            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertEquals(4000, calls.size());
            for (CompletableFuture<ReqAction> call : calls) {
                assertInstanceOf(Reply.class, call.join());
            }
        }
    }

    @Test
    void aRestartedServerDoesNotHandOutTheTokensOfTheLastOne() {
        RunnerConf conf = conf("gk-stop");
        long[] first = new long[2];
        long[] restarted = new long[2];
        for (long[] tokens : List.of(first, restarted)) {
            try (RunnerServer server = start(TestPlugins.register(RunnerServer.builder())); RunnerClient client = client()) {
                tokens[0] = client.confToken(conf);
                client.flushTokens();
                tokens[1] = client.confToken(conf);
            }
        }

        assertEquals(first[0] + 1, first[1], "one server numbers its tokens in order");
        assertNotEquals(first[0], restarted[0], "a client still holding the old token would name another conf");
    }

    @Test
    void aSocketSomeoneListensOnIsNotTakenOver() {
        try (RunnerServer first = start(RunnerServer.builder())) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> start(RunnerServer.builder()));

            assertTrue(e.getMessage().contains("(expected: no other runner listening on it)"), e.getMessage());
            assertTrue(UnixSockets.isListening(socket()));
        }
    }

    @Test
    void pluginsRunInConfOrderAndTheirRewritesAddUp() {
        List<String> seen = new ArrayList<>();
        RunnerPlugin recording = new RunnerPlugin() {
            @Override
            public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                seen.add(context.config());
                return ReqAction.none();
            }
        };
        try (RunnerServer server = start(RunnerServer.builder()
                .plugin("first", rewriting(ReqAction.rewrite().path("/one").setHeader("a", "1").build()))
                .plugin("record", recording)
                .plugin("second", rewriting(ReqAction.rewrite().path("/two").setHeader("b", "2").build())));
             RunnerClient client = client()) {
            ReqAction action = client.httpReqCall(conf("first", "record", "second"), CALL, ExtraInfoHandler.none());

            ReqAction.Rewrite rewrite = assertInstanceOf(ReqAction.Rewrite.class, action);
            assertEquals("/two", rewrite.path().orElseThrow());
            assertEquals(List.of(TextEntry.of("a", "1"), TextEntry.of("b", "2")), rewrite.headers());
            assertEquals(List.of("cfg-record"), seen);
        }
    }

    @Test
    void aStopEndsTheChain() {
        List<String> ran = new ArrayList<>();
        RunnerPlugin after = new RunnerPlugin() {
            @Override
            public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                ran.add("after");
                return ReqAction.none();
            }
        };
        try (RunnerServer server = start(TestPlugins.register(RunnerServer.builder())
                .plugin("before", rewriting(ReqAction.rewrite().path("/x").build())).plugin("after", after));
             RunnerClient client = client()) {
            ReqAction action = client.httpReqCall(conf("before", "gk-stop", "after"), CALL, ExtraInfoHandler.none());

            assertEquals("cfg-gk-stop", assertInstanceOf(Reply.class, action).bodyUtf8());
            assertEquals(List.of(), ran);
        }
    }

    @Test
    void responseResultsAddUpWithTheLastStatusAndBodyWinning() {
        RunnerPlugin one = new RunnerPlugin() {
            @Override
            public Reply onResponse(HttpRespCall response, RunnerCallContext context) {
                return Reply.builder().status(201).addHeader("a", "1").body("one").build();
            }
        };
        RunnerPlugin two = new RunnerPlugin() {
            @Override
            public Reply onResponse(HttpRespCall response, RunnerCallContext context) {
                return Reply.builder().addHeader("b", "2").build();
            }
        };
        try (RunnerServer server = start(RunnerServer.builder().plugin("one", one).plugin("two", two));
             RunnerClient client = client()) {
            Reply result = client.httpRespCall(conf("one", "two"), HttpRespCall.builder().build(),
                    ExtraInfoHandler.none());

            assertEquals(201, result.status());
            assertEquals(List.of(TextEntry.of("a", "1"), TextEntry.of("b", "2")), result.headers());
            assertEquals("one", result.bodyUtf8());
        }
    }

    @Test
    void anUnknownPluginNameIsSkipped() {
        try (RunnerServer server = start(TestPlugins.register(RunnerServer.builder())); RunnerClient client = client()) {
            assertSame(ReqAction.none(), client.httpReqCall(conf("nobody"), CALL, ExtraInfoHandler.none()));
        }
    }

    @Test
    void aFailingPluginGivesServiceUnavailableAndTheConnectionStaysUsable() {
        RunnerPlugin failing = new RunnerPlugin() {
            @Override
            public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                throw new IllegalStateException("boom");
            }
        };
        try (RunnerServer server = start(TestPlugins.register(RunnerServer.builder()).plugin("failing", failing));
             RunnerClient client = client(); RunnerConnection connection = RunnerConnection.open(client.socketPath())) {
            long token = client.confToken(conf("failing"));
            ByteBuffer call = new io.gatekit.runner.internal.MessageWriter().httpReqCall(CALL, token);

            RunnerException e = assertThrows(RunnerException.class,
                    () -> connection.rawCall(Frames.RPC_HTTP_REQ_CALL, call, ExtraInfoHandler.none()));
            assertEquals(RunnerException.SERVICE_UNAVAILABLE, e.runnerCode());
            ByteBuffer next = new io.gatekit.runner.internal.MessageWriter().err(0);
            RunnerException again = assertThrows(RunnerException.class, () -> connection.rawCall(9, next, null));
            assertEquals(RunnerException.BAD_REQUEST, again.runnerCode());
        }
    }

    @Test
    void anUndecodablePayloadIsABadRequest() {
        try (RunnerServer server = start(RunnerServer.builder()); RunnerClient client = client();
             RunnerConnection connection = RunnerConnection.open(client.socketPath())) {
            RunnerException e = assertThrows(RunnerException.class, () -> connection.rawCall(Frames.RPC_HTTP_REQ_CALL,
                    ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}), null));

            assertEquals(RunnerException.Kind.RUNNER_ERROR, e.kind());
            assertEquals(RunnerException.BAD_REQUEST, e.runnerCode());
        }
    }

    @Test
    void aPluginAsksQuestionsOneAtATimeAndSeesAbsentValuesAsNull() {
        List<Object> seen = new ArrayList<>();
        RunnerPlugin asking = new RunnerPlugin() {
            @Override
            public ReqAction onRequest(HttpReqCall request, RunnerCallContext context) {
                seen.add(context.var("missing"));
                seen.add(context.var("present"));
                seen.add(context.requestBody().length);
                seen.add(context.confToken() > 0);
                return ReqAction.none();
            }
        };
        try (RunnerServer server = start(RunnerServer.builder().plugin("asking", asking)); RunnerClient client = client()) {
            client.httpReqCall(conf("asking"), CALL, question -> question.equals(ExtraInfo.var("present")) ? new byte[] {'p'} : null);

            assertNull(seen.get(0));
            assertEquals(List.of("p", 0, true), seen.subList(1, 4));
        }
    }

    @Test
    void aConfIsForgottenAfterItsTtl() {
        try (RunnerServer server = start(TestPlugins.register(RunnerServer.builder()).confTtl(Duration.ofNanos(1)));
             RunnerClient client = client()) {
            RunnerException e = assertThrows(RunnerException.class,
                    () -> client.httpReqCall(conf("gk-stop"), CALL, ExtraInfoHandler.none()));

            assertTrue(e.isConfTokenNotFound(), e.toString());
        }
    }

    @Test
    void theEnvironmentApisixGivesARunnerConfiguresIt() throws Exception {
        RunnerServer.Builder builder = RunnerServer.builderFrom(Map.of(
                "APISIX_LISTEN_ADDRESS", "unix:" + socket(), "APISIX_CONF_EXPIRE_TIME", "100"));

        try (RunnerServer server = builder.build().start()) {
            assertEquals(socket(), server.socketPath());
            assertTrue(UnixSockets.isListening(socket()));
        }
        assertEquals("APISIX_LISTEN_ADDRESS: not set (expected: unix:<socket path>)",
                assertThrows(IllegalStateException.class, () -> RunnerServer.builderFrom(Map.of())).getMessage());
        assertEquals("APISIX_CONF_EXPIRE_TIME: soon (expected: seconds)",
                assertThrows(IllegalStateException.class, () -> RunnerServer.builderFrom(Map.of(
                        "APISIX_LISTEN_ADDRESS", "/x.sock", "APISIX_CONF_EXPIRE_TIME", "soon"))).getMessage());
    }

    @Test
    void aPluginNameIsRegisteredOnce() {
        RunnerServer.Builder builder = RunnerServer.builder().plugin("p", new RunnerPlugin() {
        });

        assertEquals("name: \"p\" (expected: non-empty and not registered yet)",
                assertThrows(IllegalArgumentException.class, () -> builder.plugin("p", new RunnerPlugin() {
                })).getMessage());
    }
}
