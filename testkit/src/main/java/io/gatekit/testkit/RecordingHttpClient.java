package io.gatekit.testkit;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.client.HttpClient;
import io.gatekit.api.client.OutboundRequest;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * An {@link HttpClient} that sends nothing: it records every request plugins send and answers
 * from canned rules. The most recently added matching rule answers; without one, the default
 * answer is a 200 with an empty body (change it with {@link #respond(int, String)}).
 *
 * <pre>{@code
 * RecordingHttpClient client = harness.httpClient()
 *         .respond(r -> r.uri().getPath().equals("/auth"), 200, "{\"user\":\"jack\"}")
 *         .fail(r -> r.uri().getHost().equals("down.test"), new ConnectException("refused"));
 *
 * harness.request(request);
 * OutboundRequest sent = client.awaitRequests(1, Duration.ofSeconds(1)).get(0);
 * }</pre>
 *
 * <p>Thread-safe: plugins may send from any thread (a mirror sends from its own).
 */
public final class RecordingHttpClient implements HttpClient {

    private record Rule(Predicate<OutboundRequest> when,
            Function<OutboundRequest, CompletionStage<OutboundResponse>> answer) {
    }

    private final List<Rule> rules = new ArrayList<>();
    private final List<OutboundRequest> requests = new ArrayList<>();
    private Function<OutboundRequest, CompletionStage<OutboundResponse>> otherwise =
            answering(new OutboundResponse(200, HttpHeaders.of(), new byte[0]));

    /** A client that answers every request with a 200 and an empty body. */
    public RecordingHttpClient() {
    }

    /** Answers requests no rule matches with {@code status} and a UTF-8 {@code body}. */
    public synchronized RecordingHttpClient respond(int status, String body) {
        otherwise = answering(response(status, body));
        return this;
    }

    /** Answers requests matching {@code when} with {@code status} and a UTF-8 {@code body}. */
    public RecordingHttpClient respond(Predicate<OutboundRequest> when, int status, String body) {
        return respond(when, response(status, body));
    }

    /** Answers requests matching {@code when} with {@code response}. */
    public RecordingHttpClient respond(Predicate<OutboundRequest> when, OutboundResponse response) {
        requireNonNull(response, "response");
        return answer(when, answering(response));
    }

    /**
     * Fails requests matching {@code when} with {@code error}, as a refused connection
     * ({@link java.net.ConnectException}) or a timeout ({@link java.util.concurrent.TimeoutException}) would.
     */
    public RecordingHttpClient fail(Predicate<OutboundRequest> when, Throwable error) {
        requireNonNull(error, "error");
        return answer(when, request -> CompletableFuture.failedStage(error));
    }

    /**
     * Answers requests matching {@code when} with whatever {@code answer} returns: a stage the
     * test completes later, to hold a plugin in its async wait, for instance.
     */
    public synchronized RecordingHttpClient answer(Predicate<OutboundRequest> when,
            Function<OutboundRequest, CompletionStage<OutboundResponse>> answer) {
        rules.add(new Rule(requireNonNull(when, "when"), requireNonNull(answer, "answer")));
        return this;
    }

    @Override
    public CompletionStage<OutboundResponse> send(OutboundRequest request) {
        requireNonNull(request, "request");
        Function<OutboundRequest, CompletionStage<OutboundResponse>> answer;
        synchronized (this) {
            requests.add(request);
            notifyAll();
            answer = otherwise;
            for (int i = rules.size() - 1; i >= 0; i--) {
                if (rules.get(i).when().test(request)) {
                    answer = rules.get(i).answer();
                    break;
                }
            }
        }
        return answer.apply(request);
    }

    /** Every request sent so far, in order. */
    public synchronized List<OutboundRequest> requests() {
        return List.copyOf(requests);
    }

    /**
     * Waits until at least {@code count} requests were sent (plugins may send after the exchange
     * is over) and returns all sent so far.
     *
     * @throws AssertionError when fewer were sent within {@code timeout}, listing those that were
     */
    public synchronized List<OutboundRequest> awaitRequests(int count, Duration timeout) {
        requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (requests.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " outbound request(s) within "
                            + timeout.toMillis() + " ms, got " + requests.size() + ": " + requests);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for outbound requests", e);
        }
        return List.copyOf(requests);
    }

    /** Forgets the recorded requests; rules stay. */
    public synchronized void clearRequests() {
        requests.clear();
    }

    private static OutboundResponse response(int status, String body) {
        requireNonNull(body, "body");
        HttpStatus.check("status", status);
        return new OutboundResponse(status, HttpHeaders.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    /** Each request gets its own copy of the headers and body, so a plugin changing one changes no other. */
    private static Function<OutboundRequest, CompletionStage<OutboundResponse>> answering(OutboundResponse canned) {
        return request -> CompletableFuture.completedStage(new OutboundResponse(canned.status(),
                canned.headers().copy(), canned.body().clone()));
    }

    @Override
    public synchronized String toString() {
        return "RecordingHttpClient[" + requests.size() + " sent, " + rules.size() + " rules]";
    }
}
