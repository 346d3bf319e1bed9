package io.gatekit.api;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a request phase ({@link Phase#REWRITE}, {@link Phase#ACCESS}, {@link Phase#BEFORE_PROXY})
 * decided: let the request go on, answer it now, or decide later.
 *
 * <p>{@link #proceed()} is a constant, so the synchronous path allocates nothing:
 *
 * <pre>{@code
 * public Outcome access(Exchange exchange) {
 *     if (exchange.request().headers().contains("x-api-key")) {
 *         return Outcome.proceed();
 *     }
 *     return Outcome.respond(401, "{\"error_msg\":\"missing key\"}");
 * }
 * }</pre>
 *
 * <p>An asynchronous plugin returns {@link #async(CompletionStage)}; the engine resumes the chain
 * when the stage completes, on whatever thread completed it, and never blocks waiting for it.
 */
public final class Outcome {

    private static final Outcome PROCEED = new Outcome(Kind.PROCEED, null, null);

    /** The three kinds of outcome. */
    public enum Kind {
        /** Run the next plugin, then the upstream. */
        PROCEED,
        /** Stop the chain and send {@link #response()} to the client. */
        RESPOND,
        /** The decision comes later, from {@link #stage()}. */
        ASYNC
    }

    private final Kind kind;
    private final @Nullable HttpResponse response;
    private final @Nullable CompletionStage<Outcome> stage;

    private Outcome(Kind kind, @Nullable HttpResponse response,
            @Nullable CompletionStage<Outcome> stage) {
        this.kind = kind;
        this.response = response;
        this.stage = stage;
    }

    /** {@return let the request continue. Always the same instance} */
    public static Outcome proceed() {
        return PROCEED;
    }

    /**
     * End the request with {@code status} and no body.
     *
     * @param status the HTTP status, 100 to 599
     * @return an outcome that ends the request
     */
    public static Outcome respond(int status) {
        return respond(HttpResponse.of(status));
    }

    /**
     * End the request with {@code status} and a UTF-8 {@code body}.
     *
     * @param status the HTTP status, 100 to 599
     * @param body the response body, sent as UTF-8
     * @return an outcome that ends the request
     */
    public static Outcome respond(int status, String body) {
        requireNonNull(body, "body");
        return respond(HttpResponse.of(status, HttpHeaders.of(),
                body.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * End the request with {@code response}.
     *
     * @param response the response to send
     * @return an outcome that ends the request
     */
    public static Outcome respond(HttpResponse response) {
        requireNonNull(response, "response");
        return new Outcome(Kind.RESPOND, response, null);
    }

    /**
     * Decide later: the engine continues with the outcome {@code stage} completes with. A stage
     * that completes exceptionally counts as the plugin failing.
     *
     * @param stage completes with the outcome to continue with
     * @return a pending outcome
     */
    public static Outcome async(CompletionStage<Outcome> stage) {
        requireNonNull(stage, "stage");
        return new Outcome(Kind.ASYNC, null, stage);
    }

    /** {@return which kind this is} */
    public Kind kind() {
        return kind;
    }

    /** {@return whether this is {@link Kind#PROCEED}} */
    public boolean proceeds() {
        return kind == Kind.PROCEED;
    }

    /**
     * The response to send.
     *
     * @return the response to send
     * @throws IllegalStateException unless {@link #kind()} is {@link Kind#RESPOND}
     */
    public HttpResponse response() {
        if (response == null) {
            throw new IllegalStateException("kind: " + kind + " (expected: RESPOND)");
        }
        return response;
    }

    /**
     * The pending decision.
     *
     * @return the stage that completes with the outcome
     * @throws IllegalStateException unless {@link #kind()} is {@link Kind#ASYNC}
     */
    public CompletionStage<Outcome> stage() {
        if (stage == null) {
            throw new IllegalStateException("kind: " + kind + " (expected: ASYNC)");
        }
        return stage;
    }

    /**
     * {@return this outcome as a stage that completes with a settled outcome, never an async one}
     * At once for proceed and respond, after every nested stage for async. Hosts chain on it
     * instead of unwrapping async outcomes themselves.
     *
     * <pre>{@code
     * call.runRequestPhases().toStage().thenAccept(outcome -> ...);   // PROCEED or RESPOND
     * }</pre>
     */
    public CompletionStage<Outcome> toStage() {
        if (stage == null) {
            return CompletableFuture.completedStage(this);
        }
        return stage.thenCompose(next -> {
            if (next == null) {
                throw new NullPointerException("an async Outcome's stage completed with null (expected: an Outcome)");
            }
            return next.toStage();
        });
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PROCEED -> "Outcome.proceed()";
            case RESPOND -> "Outcome.respond(" + response().status() + ")";
            case ASYNC -> "Outcome.async(...)";
        };
    }
}
