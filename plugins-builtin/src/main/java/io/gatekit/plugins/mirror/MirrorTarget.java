package io.gatekit.plugins.mirror;

import io.gatekit.api.Nullable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mirror of an instance: where copies go, how often, and how many may be in flight. The
 * in-flight bound belongs to the instance, so a config change starts a new count while the old
 * instance's copies drain.
 */
final class MirrorTarget {

    /** At most one failure log line per target in this period; the others are counted and summarized. */
    private static final long LOG_PERIOD_NANOS = 10_000_000_000L;

    private final String host;
    private final @Nullable String path;
    private final boolean prefix;
    private final double sampleRatio;
    private final boolean grpc;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressedLogs = new AtomicLong();

    MirrorTarget(String host, @Nullable String path, @Nullable String pathConcatMode, double sampleRatio,
            int maxInFlight) {
        this.host = host;
        this.path = path == null ? null : MirrorUris.encodePath(path);
        this.prefix = "prefix".equals(pathConcatMode);
        this.sampleRatio = sampleRatio;
        this.grpc = host.startsWith("grpc");
        this.maxInFlight = maxInFlight;
    }

    /** The configured host, {@code scheme://host[:port]}; the {@code target} label. */
    String label() {
        return host;
    }

    /** Whether copies cannot be sent at all: gRPC does not fit an HTTP/1.1 copy. */
    boolean unsupported() {
        return grpc;
    }

    /** Whether this request is mirrored here: always at 1, as APISIX (no draw). */
    boolean sampled() {
        return sampleRatio >= 1 || ThreadLocalRandom.current().nextDouble() < sampleRatio;
    }

    /** Whether every request is mirrored here. */
    boolean always() {
        return sampleRatio >= 1;
    }

    /** The absolute URI of {@code copy} at this mirror. */
    String uri(MirrorCopy copy) {
        return host + MirrorUris.compose(path, prefix, copy.path(), copy.rawQuery());
    }

    /** Takes an in-flight slot, or returns {@code false} when all are taken. */
    boolean tryAcquire() {
        for (;;) {
            int n = inFlight.get();
            if (n >= maxInFlight) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a slot taken by {@link #tryAcquire()}. */
    void release() {
        inFlight.decrementAndGet();
    }

    /**
     * Whether a failure may be logged now; a dead mirror under load must not flood the log, but
     * its failures must never be silent either. Returns the number of failures not logged since
     * the last line, or -1 when this one must not be logged.
     */
    long mayLog() {
        long now = System.nanoTime();
        long next = nextLogNanos.get();
        if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + LOG_PERIOD_NANOS)) {
            return suppressedLogs.getAndSet(0);
        }
        suppressedLogs.incrementAndGet();
        return -1;
    }

    @Override
    public String toString() {
        return host;
    }
}
