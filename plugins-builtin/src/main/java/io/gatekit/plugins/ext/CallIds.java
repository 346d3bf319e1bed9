package io.gatekit.plugins.ext;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The ids of runner calls: APISIX counts per worker; one counter for the process does the same job.
 * Ids start at 1 and skip 0 when the unsigned 32-bit range wraps: the Python runner takes id 0 for a
 * failure, and APISIX's ids are rarely 0 (only the first call of worker 0, and after a wrap).
 */
final class CallIds {

    private static final long MASK = 0xFFFF_FFFFL;

    /** The process's ids, shared by every ext-plugin instance. */
    static final CallIds PROCESS = new CallIds();

    private final AtomicLong next;

    CallIds() {
        this(1);
    }

    /** A counter whose next id is {@code next} (ids are unsigned 32-bit values). */
    CallIds(long next) {
        this.next = new AtomicLong(next);
    }

    /** The next id, never 0. */
    long next() {
        long id = next.getAndIncrement() & MASK;
        return id != 0 ? id : next.getAndIncrement() & MASK;
    }
}
