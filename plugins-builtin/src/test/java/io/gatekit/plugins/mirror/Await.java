package io.gatekit.plugins.mirror;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls for a condition with a deadline, instead of sleeping for a guessed time. */
final class Await {

    private Await() {
    }

    /** Waits up to 10 s for {@code condition}; fails with {@code state} when it never holds. */
    static void until(BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("condition not met within 10 s: " + state.get());
            }
            LockSupport.parkNanos(1_000_000); // poll every millisecond
        }
    }
}
