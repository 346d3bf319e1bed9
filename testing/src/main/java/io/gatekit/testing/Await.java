package io.gatekit.testing;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds or a deadline passes: for what a test cannot wait on as an
 * event (a file watcher, a health checker, a peer process). Never a guessed sleep.
 *
 * <pre>{@code
 * Await.until("the config to apply", () -> engine.version() > before);
 * }</pre>
 */
public final class Await {

    /** How long {@link #until(String, Condition)} waits: long enough for a peer process to start. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final long POLL_NANOS = 5_000_000;

    private Await() {
    }

    /** A condition to poll; it may throw, which fails the wait. */
    @FunctionalInterface
    public interface Condition {

        /**
         * Whether the awaited state is reached.
         *
         * @return {@code true} once it is
         * @throws Exception when the state cannot be read; the wait fails with it
         */
        boolean holds() throws Exception;
    }

    /**
     * Waits up to {@link #DEFAULT_TIMEOUT} for {@code condition}.
     *
     * @param what      what is awaited, for the failure message
     * @param condition the condition
     * @throws AssertionError when it does not hold in time, or throws
     */
    public static void until(String what, Condition condition) {
        until(what, DEFAULT_TIMEOUT, condition);
    }

    /**
     * Waits up to {@code timeout} for {@code condition}.
     *
     * @param what      what is awaited, for the failure message
     * @param timeout   how long to wait at most
     * @param condition the condition
     * @throws AssertionError when it does not hold in time, or throws
     */
    public static void until(String what, Duration timeout, Condition condition) {
        until(condition, timeout, () -> what);
    }

    /**
     * Waits up to {@link #DEFAULT_TIMEOUT} for {@code condition}; a failure says {@code state}, read
     * when the time is up (what was seen instead).
     *
     * @param condition the condition
     * @param state     the state to report when it does not hold in time
     * @throws AssertionError when it does not hold in time, or throws
     */
    public static void until(Condition condition, Supplier<String> state) {
        until(condition, DEFAULT_TIMEOUT, state);
    }

    private static void until(Condition condition, Duration timeout, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!holds(condition, state)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not met within " + timeout.toMillis() + " ms: " + state.get());
            }
            try {
                Thread.sleep(POLL_NANOS / 1_000_000); // polling a condition that has no event
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + state.get(), e);
            }
        }
    }

    private static boolean holds(Condition condition, Supplier<String> state) {
        try {
            return condition.holds();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("failed reading " + state.get() + ": " + e, e);
        }
    }
}
