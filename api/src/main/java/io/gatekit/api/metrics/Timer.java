package io.gatekit.api.metrics;

/** Records durations; exported as a histogram. Thread-safe. */
public interface Timer {

    /** Records one duration in nanoseconds. */
    void record(long nanos);

    /** How many durations were recorded. */
    long count();

    /** The sum of the recorded durations, in nanoseconds. */
    long totalNanos();
}
