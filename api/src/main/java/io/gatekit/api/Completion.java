package io.gatekit.api;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What {@link Plugin#headerFilter} returns: done now, or done when a stage completes. Response
 * phases may change the response in place but cannot replace the flow of the exchange, so unlike
 * {@link Outcome} there is nothing to decide, only when to go on.
 *
 * <pre>{@code
 * public Completion headerFilter(Exchange exchange) {
 *     exchange.response().headers().set("x-served-by", "gatekit");
 *     return Completion.done();
 * }
 * }</pre>
 */
public final class Completion {

    private static final Completion DONE = new Completion(null);

    private final @Nullable CompletionStage<?> stage;

    private Completion(@Nullable CompletionStage<?> stage) {
        this.stage = stage;
    }

    /** {@return finished. Always the same instance} */
    public static Completion done() {
        return DONE;
    }

    /**
     * Finished when {@code stage} completes; exceptional completion counts as a failure.
     *
     * @param stage the work to wait for
     * @return a pending completion
     */
    public static Completion after(CompletionStage<?> stage) {
        requireNonNull(stage, "stage");
        return new Completion(stage);
    }

    /** {@return whether the work is already finished} */
    public boolean isDone() {
        return stage == null;
    }

    /**
     * The pending work.
     *
     * @return the stage that completes when the work is done
     * @throws IllegalStateException when {@link #isDone()}
     */
    public CompletionStage<?> stage() {
        if (stage == null) {
            throw new IllegalStateException("completion is done (expected: pending)");
        }
        return stage;
    }

    /** {@return this completion as a stage: already complete when {@link #isDone()}, else the pending work's} */
    public CompletionStage<Void> toStage() {
        return stage == null ? CompletableFuture.completedStage(null) : stage.thenApply(ignored -> null);
    }

    @Override
    public String toString() {
        return stage == null ? "Completion.done()" : "Completion.after(...)";
    }
}
