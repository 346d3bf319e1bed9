package io.gatekit.testkit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A request started with {@link PluginHarness#send} that may still be waiting for an async
 * plugin: inspect it, move the {@link ManualClock}, complete what the plugin waits for, then
 * {@link #await()} its result. Waiting is always bounded.
 *
 * <pre>{@code
 * PendingRun run = harness.send(request);           // the plugin waits for a 2 s timer
 * assertFalse(run.isDone());
 * harness.clock().advance(Duration.ofSeconds(2));   // fires it; the chain resumes
 * RunResult result = run.await();
 * }</pre>
 */
public final class PendingRun {

    private final Run run;
    private final PluginHarness harness;
    private final Duration timeout;

    PendingRun(Run run, PluginHarness harness, Duration timeout) {
        this.run = run;
        this.harness = harness;
        this.timeout = timeout;
    }

    /** Whether the exchange is over, log phase included. */
    public boolean isDone() {
        return run.result().isDone();
    }

    /** The result, waiting at most the harness's {@link PluginHarness#timeout(Duration) timeout}. */
    public RunResult await() {
        return await(timeout);
    }

    /**
     * The result, waiting at most {@code timeout}.
     *
     * @throws AssertionError when the run does not finish in time, naming the plugin whose stage is
     *         still pending and the trace so far (the run is then abandoned, its call completed); or
     *         when the harness itself failed (the upstream function threw, for one)
     */
    public RunResult await(Duration timeout) {
        requireNonNull(timeout, "timeout");
        try {
            return run.result().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            String message = run.describePending(timeout);
            harness.abandon(run);
            throw new AssertionError(message);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AssertionError assertion) {
                throw assertion;
            }
            throw new AssertionError("the run failed outside the plugins: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the run", e);
        }
    }

    @Override
    public String toString() {
        return "PendingRun[" + (isDone() ? "done" : "pending") + "]";
    }
}
