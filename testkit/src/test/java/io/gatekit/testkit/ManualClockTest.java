package io.gatekit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ManualClockTest {

    private final ManualClock clock = new ManualClock();
    private final ScheduledExecutorService timers = clock.newScheduler();
    private final List<String> ran = new ArrayList<>();

    @Test
    void standsStillUntilAdvanced() {
        Instant before = clock.instant();

        assertEquals(before, clock.instant());
        clock.advance(Duration.ofMillis(1500));

        assertEquals(before.plusMillis(1500), clock.instant());
        assertEquals(1_500_000_000L, clock.nanoTime());
    }

    @Test
    void advanceRunsDueTimersInDueOrderEachSeeingItsOwnTime() {
        timers.schedule(() -> ran.add("b@" + clock.nanoTime() / 1_000_000), 20, TimeUnit.MILLISECONDS);
        timers.schedule(() -> ran.add("a@" + clock.nanoTime() / 1_000_000), 10, TimeUnit.MILLISECONDS);
        timers.schedule(() -> ran.add("c@" + clock.nanoTime() / 1_000_000), 30, TimeUnit.MILLISECONDS);

        clock.advance(Duration.ofMillis(25));

        assertEquals(List.of("a@10", "b@20"), ran);
        assertEquals(25, clock.nanoTime() / 1_000_000);
        assertEquals(1, clock.pendingTimers());
    }

    @Test
    void aFixedRateTaskRepeatsUntilCancelled() {
        ScheduledFuture<?> tick = timers.scheduleAtFixedRate(() -> ran.add("tick"), 1, 1, TimeUnit.SECONDS);

        clock.advance(Duration.ofSeconds(3));
        tick.cancel(false);
        clock.advance(Duration.ofSeconds(3));

        assertEquals(3, ran.size());
        assertTrue(tick.isCancelled());
        assertEquals(0, clock.pendingTimers());
    }

    @Test
    void aPeriodicTaskThatThrowsIsNotRunAgain() {
        timers.scheduleWithFixedDelay(() -> {
            ran.add("once");
            throw new IllegalStateException("fails");
        }, 0, 1, TimeUnit.SECONDS);

        clock.advance(Duration.ofSeconds(5));

        assertEquals(List.of("once"), ran);
    }

    @Test
    void aTaskDueNowRunsAtOnceOnTheSubmittingThread() {
        Thread caller = Thread.currentThread();
        List<Thread> threads = new ArrayList<>();

        timers.execute(() -> threads.add(Thread.currentThread()));

        assertEquals(List.of(caller), threads);
    }

    @Test
    void aTaskThatResubmitsItselfAtOnceDoesNotRecurse() {
        Runnable[] again = new Runnable[1];
        again[0] = () -> {
            ran.add("run");
            if (ran.size() < 1000) {
                timers.execute(again[0]);
            }
        };

        timers.execute(again[0]);

        assertEquals(1000, ran.size());
    }

    @Test
    void shutdownNowCancelsPendingTimersAndRejectsNewOnes() {
        timers.schedule(() -> ran.add("never"), 1, TimeUnit.SECONDS);

        List<Runnable> dropped = timers.shutdownNow();
        clock.advance(Duration.ofSeconds(2));

        assertEquals(1, dropped.size());
        assertEquals(List.of(), ran);
        assertTrue(timers.isTerminated());
        assertThrows(RejectedExecutionException.class, () -> timers.execute(() -> { }));
    }

    @Test
    void shutdownKeepsOneShotTimersButStopsPeriodicOnes() {
        timers.schedule(() -> ran.add("once"), 1, TimeUnit.SECONDS);
        timers.scheduleAtFixedRate(() -> ran.add("tick"), 1, 1, TimeUnit.SECONDS);

        timers.shutdown();
        assertFalse(timers.isTerminated());
        clock.advance(Duration.ofSeconds(3));

        assertEquals(List.of("once"), ran);
        assertTrue(timers.isTerminated());
    }

    @Test
    void aZoneViewSharesTheTime() {
        ManualClock paris = clock.withZone(ZoneId.of("Europe/Paris"));

        clock.advance(Duration.ofHours(1));

        assertEquals(clock.instant(), paris.instant());
        assertEquals(ZoneId.of("Europe/Paris"), paris.getZone());
        assertSame(clock.timeline(), paris.timeline());
    }

    @Test
    void timeOnlyMovesForward() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> clock.advance(Duration.ofSeconds(-1)));

        assertEquals("duration: PT-1S (expected: >= 0, time only moves forward)", e.getMessage());
    }
}
