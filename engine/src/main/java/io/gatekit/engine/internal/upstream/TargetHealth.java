package io.gatekit.engine.internal.upstream;

/**
 * One checked target's state, as lua-resty-healthcheck keeps it: healthy or not, and the counters
 * of consecutive successes, HTTP failures, TCP failures and timeouts. A success clears the failure
 * counters and a failure clears the success counter; a counter reaching its threshold (0: off)
 * flips the state. Reads of {@link #healthy()} take no lock.
 */
final class TargetHealth {

    /** What one report says. */
    enum Report { SUCCESS, HTTP_FAILURE, TCP_FAILURE, TIMEOUT }

    private final String address;
    private final String host;
    private final int port;
    private volatile boolean healthy = true;
    private int successes;
    private int httpFailures;
    private int tcpFailures;
    private int timeouts;

    TargetHealth(String address, String host, int port) {
        this.address = address;
        this.host = host;
        this.port = port;
    }

    /** The host probed (IPv6 without brackets). */
    String host() {
        return host;
    }

    /** The port probed. */
    int port() {
        return port;
    }

    String address() {
        return address;
    }

    boolean healthy() {
        return healthy;
    }

    /**
     * Counts {@code report} against the thresholds of its source (active or passive); returns
     * whether the state flipped.
     */
    synchronized boolean count(Report report, int successThreshold, int httpThreshold, int tcpThreshold,
            int timeoutThreshold) {
        if (report == Report.SUCCESS) {
            httpFailures = 0;
            tcpFailures = 0;
            timeouts = 0;
            if (healthy) {
                successes = 0;
                return false;
            }
            return ++successes >= successThreshold && successThreshold > 0 && flip(true);
        }
        successes = 0;
        if (!healthy) {
            return false;
        }
        int count;
        int threshold;
        switch (report) {
            case HTTP_FAILURE -> {
                count = ++httpFailures;
                threshold = httpThreshold;
            }
            case TCP_FAILURE -> {
                count = ++tcpFailures;
                threshold = tcpThreshold;
            }
            default -> {
                count = ++timeouts;
                threshold = timeoutThreshold;
            }
        }
        return threshold > 0 && count >= threshold && flip(false);
    }

    private boolean flip(boolean to) {
        healthy = to;
        successes = 0;
        httpFailures = 0;
        tcpFailures = 0;
        timeouts = 0;
        return true;
    }

    @Override
    public String toString() {
        return address + (healthy ? " healthy" : " unhealthy");
    }
}
