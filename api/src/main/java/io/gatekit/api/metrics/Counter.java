package io.gatekit.api.metrics;

/** A monotonically increasing count. Thread-safe. */
public interface Counter {

    /** Adds one. */
    default void increment() {
        add(1);
    }

    /**
     * Adds {@code amount} (not negative).
     *
     * @param amount how much to add, not negative
     */
    void add(long amount);

    /** {@return the current count} */
    long count();
}
