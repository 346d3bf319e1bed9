package io.gatekit.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The calls waiting for a runner newer than the one they saw, as stages: a call that cannot connect
 * while a supervised runner restarts waits here instead of failing. Nothing blocks: a waiter is
 * completed by whoever changes the supervisor's state (then {@link #settle()}), or by the JDK's
 * timer thread at its timeout.
 */
final class RestartWait {

    /** A call waiting for a runner newer than {@code seen}. */
    private record Waiter(long seen, CompletableFuture<Boolean> ready) {
    }

    /** The supervisor's lock: the verdict reads its state, the waiters are guarded by it. */
    private final Object lock;
    /** Under {@link #lock}: true, a newer runner is ready; false, none will be in time; null, not known yet. */
    private final LongFunction<Boolean> newerThan;
    private final List<Waiter> waiters = new ArrayList<>();

    RestartWait(Object lock, LongFunction<Boolean> newerThan) {
        this.lock = lock;
        this.newerThan = newerThan;
    }

    /**
     * Completes with true once a runner newer than {@code seenGeneration} is ready, with false after
     * {@code timeoutNanos}, or at once when the verdict is known already.
     */
    CompletableFuture<Boolean> whenNewerThan(long seenGeneration, long timeoutNanos) {
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        synchronized (lock) {
            Boolean known = newerThan.apply(seenGeneration);
            if (known != null) {
                return CompletableFuture.completedFuture(known);
            }
            waiters.add(new Waiter(seenGeneration, ready));
        }
        ready.completeOnTimeout(false, timeoutNanos, TimeUnit.NANOSECONDS).whenComplete((result, error) -> {
            synchronized (lock) {
                waiters.removeIf(waiter -> waiter.ready() == ready);
            }
        });
        return ready;
    }

    /** Completes the waiters whose answer the last change of state decided; call it outside the lock. */
    void settle() {
        List<Waiter> decided = new ArrayList<>();
        List<Boolean> answers = new ArrayList<>();
        synchronized (lock) {
            for (Waiter waiter : waiters) {
                Boolean known = newerThan.apply(waiter.seen());
                if (known != null) {
                    decided.add(waiter);
                    answers.add(known);
                }
            }
            waiters.removeAll(decided);
        }
        for (int i = 0; i < decided.size(); i++) {
            decided.get(i).ready().complete(answers.get(i));
        }
    }
}
