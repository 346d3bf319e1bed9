package io.gatekit.api.metrics;

/** Records durations; exported as a histogram. Thread-safe. */
public interface Timer {

    /**
     * Records one duration in nanoseconds.
     *
     * @param nanos the duration, in nanoseconds
     */
    void record(long nanos);

    /** {@return how many durations were recorded} */
    long count();

    /** {@return the sum of the recorded durations, in nanoseconds} */
    long totalNanos();
}
