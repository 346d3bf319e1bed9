package io.gatekit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecordingHttpClientTest {

    private final RecordingHttpClient client = new RecordingHttpClient();

    private static OutboundRequest to(String uri) {
        return OutboundRequest.builder(uri).build();
    }

    private static OutboundResponse answer(java.util.concurrent.CompletionStage<OutboundResponse> stage)
            throws Exception {
        return stage.toCompletableFuture().get(1, TimeUnit.SECONDS);
    }

    @Test
    void recordsEveryRequestAndAnswers200ByDefault() throws Exception {
        OutboundResponse response = answer(client.send(to("http://a.test/x")));
        client.send(to("http://b.test/y"));

        assertEquals(200, response.status());
        assertEquals(0, response.body().length);
        assertEquals(List.of("http://a.test/x", "http://b.test/y"),
                client.requests().stream().map(r -> r.uri().toString()).toList());
    }

    @Test
    void theMostRecentMatchingRuleAnswers() throws Exception {
        client.respond(r -> true, 201, "first")
                .respond(r -> r.uri().getPath().equals("/special"), 202, "second")
                .respond(503, "fallback");

        OutboundResponse special = answer(client.send(to("http://a.test/special")));
        OutboundResponse other = answer(client.send(to("http://a.test/other")));

        assertEquals(202, special.status());
        assertEquals("second", new String(special.body(), StandardCharsets.UTF_8));
        assertEquals(201, other.status());
    }

    @Test
    void aFailRuleCompletesTheStageExceptionally() {
        ConnectException refused = new ConnectException("refused");
        client.fail(r -> r.uri().getHost().equals("down.test"), refused);

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.send(to("http://down.test/")).toCompletableFuture().get(1, TimeUnit.SECONDS));

        assertSame(refused, e.getCause());
    }

    @Test
    void eachAnswerIsAFreshCopySoOnePluginCannotChangeAnothers() throws Exception {
        client.respond(200, "abc");

        OutboundResponse first = answer(client.send(to("http://a.test/")));
        first.body()[0] = 'X';
        first.headers().add("x-changed", "1");
        OutboundResponse second = answer(client.send(to("http://a.test/")));

        assertEquals("abc", new String(second.body(), StandardCharsets.UTF_8));
        assertTrue(second.headers().isEmpty());
    }

    @Test
    void awaitRequestsReturnsOnceRequestsSentFromAnotherThreadArrive() {
        CompletableFuture.runAsync(() -> client.send(to("http://mirror.test/1")));

        List<OutboundRequest> sent = client.awaitRequests(1, Duration.ofSeconds(5));

        assertEquals("http://mirror.test/1", sent.get(0).uri().toString());
    }

    @Test
    void awaitRequestsFailsWithWhatWasSentWhenTooFewArrive() {
        client.send(to("http://a.test/only"));

        AssertionError e = assertThrows(AssertionError.class, () -> client.awaitRequests(2, Duration.ofMillis(20)));

        assertEquals("expected 2 outbound request(s) within 20 ms, got 1: [OutboundRequest[GET http://a.test/only]]",
                e.getMessage());
    }
}
