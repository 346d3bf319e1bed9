package io.gatekit.testkit;

import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A timer of a {@link ManualScheduler}: one-shot, at a fixed rate ({@code period > 0}) or with a
 * fixed delay ({@code period < 0}), as {@link java.util.concurrent.ScheduledThreadPoolExecutor}
 * counts them. A periodic task that throws is not run again, as there.
 */
final class ManualTask<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {

    private final ManualScheduler owner;
    private final Timeline timeline;
    private final long period;
    private final long sequence;
    private volatile long due;

    ManualTask(ManualScheduler owner, Timeline timeline, Callable<V> callable, long due, long period) {
        super(callable);
        this.owner = owner;
        this.timeline = timeline;
        this.due = due;
        this.period = period;
        this.sequence = timeline.nextSequence();
    }

    long dueNanos() {
        return due;
    }

    @Override
    public boolean isPeriodic() {
        return period != 0;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return unit.convert(due - timeline.now(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
        if (other == this) {
            return 0;
        }
        if (other instanceof ManualTask<?> task) {
            int byTime = Long.compare(due, task.due);
            return byTime != 0 ? byTime : Long.compare(sequence, task.sequence);
        }
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    /** Called by the timeline when the task falls due. */
    void runDue() {
        if (owner.stopped()) {
            super.cancel(false);
            owner.forget(this);
            return;
        }
        if (!isPeriodic()) {
            super.run();
            owner.forget(this);
            return;
        }
        if (runAndReset() && !owner.isShutdown()) {
            due = period > 0 ? due + period : timeline.now() - period;
            timeline.reschedule(this);
        } else {
            super.cancel(false);
            owner.forget(this);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            timeline.remove(this);
            owner.forget(this);
        }
        return cancelled;
    }
}
