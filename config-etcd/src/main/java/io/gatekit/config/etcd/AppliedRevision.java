package io.gatekit.config.etcd;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The last etcd revision this node has applied: the watch advances it, and a write waits on it
 * until this node has applied what it wrote, so a read on the same node right after sees it.
 */
final class AppliedRevision {

    private static final System.Logger LOG = System.getLogger(EtcdConfigSource.class.getName());

    private final Object monitor = new Object();
    private final Duration timeout;
    private volatile long revision;

    AppliedRevision(Duration timeout) {
        this.timeout = timeout;
    }

    /** Records that everything up to revision {@code to} is applied, waking writers waiting for it. */
    void advance(long to) {
        synchronized (monitor) {
            if (to > revision) {
                revision = to;
                monitor.notifyAll();
            }
        }
    }

    /** Waits until this node has applied etcd revision {@code target}; gives up after the timeout. */
    void await(long target, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (revision < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.log(Level.WARNING, what + " is in etcd at revision " + target + " but this node's watch "
                            + "has not delivered it within " + timeout.toMillis() + " ms (it has revision " + revision
                            + "); it will apply when the watch catches up");
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The last etcd revision this node has applied. */
    long get() {
        return revision;
    }

    /** Starts over from nothing, when etcd's revisions went back in time. */
    void reset() {
        synchronized (monitor) {
            revision = 0;
        }
    }
}
