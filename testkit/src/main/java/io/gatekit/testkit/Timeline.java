package io.gatekit.testkit;

import java.time.Instant;
import java.util.PriorityQueue;

/**
 * The time of a {@link ManualClock} and the timers waiting on it, in due order. Timers run outside
 * the lock, on the thread that moves time (or submits a task already due); a task that submits
 * another due task from inside a run only queues it, and the running loop picks it up, so a task
 * that reschedules itself at once cannot recurse without bound.
 */
final class Timeline {

    private static final ThreadLocal<Boolean> RUNNING = ThreadLocal.withInitial(() -> false);

    private final Instant start;
    private final Object lock = new Object();
    private final PriorityQueue<ManualTask<?>> queue = new PriorityQueue<>();
    private long now;
    private long sequence;

    Timeline(Instant start) {
        this.start = start;
    }

    Instant start() {
        return start;
    }

    long now() {
        synchronized (lock) {
            return now;
        }
    }

    long nextSequence() {
        synchronized (lock) {
            return sequence++;
        }
    }

    int pending() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Queues {@code task} at its due time; runs it here if it is due and no run is in progress on this thread. */
    void schedule(ManualTask<?> task) {
        boolean due;
        synchronized (lock) {
            queue.add(task);
            due = task.dueNanos() <= now;
        }
        if (due) {
            runUntil(now());
        }
    }

    /** Queues a periodic task again for its next time; never runs it from here. */
    void reschedule(ManualTask<?> task) {
        synchronized (lock) {
            queue.add(task);
        }
    }

    void remove(ManualTask<?> task) {
        synchronized (lock) {
            queue.remove(task);
        }
    }

    void advance(long nanos) {
        long target;
        synchronized (lock) {
            target = Math.addExact(now, nanos);
        }
        runUntil(target);
        synchronized (lock) {
            now = Math.max(now, target);
        }
    }

    private void runUntil(long target) {
        if (RUNNING.get()) {
            return; // the loop further up this thread's stack runs what is due
        }
        RUNNING.set(true);
        try {
            while (true) {
                ManualTask<?> next;
                synchronized (lock) {
                    next = queue.peek();
                    if (next == null || next.dueNanos() > target) {
                        return;
                    }
                    queue.poll();
                    now = Math.max(now, next.dueNanos());
                }
                next.runDue();
            }
        } finally {
            RUNNING.set(false);
        }
    }
}
