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

    /**
     * Flips the state; the counters of the other direction restart, those that caused the flip
     * stay for reports (as lua-resty-healthcheck shows them) until the next report clears them.
     */
    private boolean flip(boolean to) {
        healthy = to;
        if (to) {
            httpFailures = 0;
            tcpFailures = 0;
            timeouts = 0;
        } else {
            successes = 0;
        }
        return true;
    }

    /** This target's state and counters, for the control API. */
    synchronized io.gatekit.engine.HealthCheckStatus.Target report() {
        String status = healthy ? (httpFailures + tcpFailures + timeouts > 0 ? "mostly_healthy" : "healthy")
                : (successes > 0 ? "mostly_unhealthy" : "unhealthy");
        return new io.gatekit.engine.HealthCheckStatus.Target(host, port, status, successes, httpFailures,
                tcpFailures, timeouts);
    }

    @Override
    public String toString() {
        return address + (healthy ? " healthy" : " unhealthy");
    }
}
