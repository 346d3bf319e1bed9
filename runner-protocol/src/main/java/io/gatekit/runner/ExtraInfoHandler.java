package io.gatekit.runner;

import io.gatekit.runner.internal.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Answers the {@link ExtraInfo} questions a runner asks during a call. The client calls it on its
 * own thread, once per question, in the order the runner asked.
 */
@FunctionalInterface
public interface ExtraInfoHandler {

    /**
     * The answer to one question.
     *
     * @return the value's bytes (a variable as its string form), or {@code null} when the value does
     *     not exist, which the runner sees as an absent result
     * @throws Exception to fail the call; the client closes the connection, as the runner still waits
     */
    byte[] answer(ExtraInfo question) throws Exception;

    /** A handler that knows nothing: every answer is absent. */
    static ExtraInfoHandler none() {
        return question -> null;
    }

    /**
     * A handler whose answers come later, e.g. from the host's event loop. The client's thread waits
     * for each answer at most {@code timeout}.
     */
    static ExtraInfoHandler async(Duration timeout, Function<? super ExtraInfo, ? extends CompletionStage<byte[]>> answers) {
        Objects.requireNonNull(answers, "answers");
        long nanos = Checks.positive("timeout", timeout).toNanos();
        return question -> answers.apply(question).toCompletableFuture().get(nanos, TimeUnit.NANOSECONDS);
    }
}
