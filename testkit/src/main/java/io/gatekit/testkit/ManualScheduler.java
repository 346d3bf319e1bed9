package io.gatekit.testkit;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Arguments;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A {@link ScheduledExecutorService} on a {@link ManualClock}'s time. It owns no thread: tasks run
 * when the clock reaches them. {@code stoppedElsewhere} lets the engine's lifecycle stop it: the
 * harness passes "the engine shut this instance's own scheduler down", so timers of a closed
 * instance stop firing, as they would with the engine's scheduler.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    private final Timeline timeline;
    private final String name;
    private final BooleanSupplier stoppedElsewhere;
    private final Set<ManualTask<?>> tasks = ConcurrentHashMap.newKeySet();
    private volatile boolean shutdown;

    ManualScheduler(Timeline timeline, String name, BooleanSupplier stoppedElsewhere) {
        this.timeline = timeline;
        this.name = name;
        this.stoppedElsewhere = stoppedElsewhere;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        requireNonNull(command, "command");
        return enqueue(Executors.callable(command), delay, unit, 0);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        requireNonNull(callable, "callable");
        return enqueue(callable, delay, unit, 0);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        requireNonNull(command, "command");
        checkPeriod(period);
        return enqueue(Executors.callable(command), initialDelay, unit, unit.toNanos(period));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
            TimeUnit unit) {
        requireNonNull(command, "command");
        checkPeriod(delay);
        return enqueue(Executors.callable(command), initialDelay, unit, -unit.toNanos(delay));
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    private <V> ScheduledFuture<V> enqueue(Callable<V> callable, long delay, TimeUnit unit, long period) {
        requireNonNull(unit, "unit");
        if (isShutdown()) {
            throw new RejectedExecutionException("scheduler of " + name + " is shut down (expected: a live instance)");
        }
        long due = timeline.now() + Math.max(0, unit.toNanos(delay));
        ManualTask<V> task = new ManualTask<>(this, timeline, callable, due, period);
        tasks.add(task);
        timeline.schedule(task);
        return task;
    }

    private static void checkPeriod(long period) {
        if (period <= 0) {
            throw Arguments.invalid("period", period, "> 0");
        }
    }

    /** Whether timers must no longer run: shut down now here, or stopped by the engine. */
    boolean stopped() {
        if (stoppedElsewhere.getAsBoolean()) {
            shutdownNow();
            return true;
        }
        return false;
    }

    void forget(ManualTask<?> task) {
        tasks.remove(task);
    }

    /** As {@link java.util.concurrent.ScheduledThreadPoolExecutor}: periodic timers stop, one-shot ones still run. */
    @Override
    public void shutdown() {
        shutdown = true;
        for (ManualTask<?> task : List.copyOf(tasks)) {
            if (task.isPeriodic()) {
                task.cancel(false);
            }
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> never = new ArrayList<>();
        for (ManualTask<?> task : List.copyOf(tasks)) {
            if (task.cancel(false)) {
                never.add(task);
            }
        }
        return never;
    }

    @Override
    public boolean isShutdown() {
        return shutdown || stoppedElsewhere.getAsBoolean();
    }

    @Override
    public boolean isTerminated() {
        return isShutdown() && tasks.isEmpty();
    }

    /** Answers at once: no thread of this scheduler can be running; its tasks wait for the clock. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    @Override
    public String toString() {
        return "ManualScheduler[" + name + ", " + tasks.size() + " pending]";
    }
}
