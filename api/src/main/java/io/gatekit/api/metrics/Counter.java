package io.gatekit.api.metrics;

/** A monotonically increasing count. Thread-safe. */
public interface Counter {

    /** Adds one. */
    default void increment() {
        add(1);
    }

    /** Adds {@code amount} (not negative). */
    void add(long amount);

    /** The current count. */
    long count();
}
