package io.gatekit.testkit;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Arguments;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A clock that stands still until a test moves it, with schedulers whose timers fire when it does.
 * Nothing here starts a thread: a timer runs on the thread that calls {@link #advance}, at the
 * moment it was due (the clock reads its due time while it runs), and a task due at once runs at
 * once on the thread that submits it.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * ScheduledExecutorService timers = clock.newScheduler();
 * timers.schedule(() -> fired.set(clock.instant()), 5, TimeUnit.SECONDS);
 *
 * clock.advance(Duration.ofSeconds(4));   // nothing yet
 * clock.advance(Duration.ofSeconds(1));   // runs the timer here; fired = start + 5 s
 * }</pre>
 *
 * <p>A {@link PluginHarness} gives each plugin instance this clock as
 * {@link io.gatekit.api.PluginContext#clock()} and a scheduler on its time in place of
 * {@link io.gatekit.api.PluginContext#scheduler()}, so plugin timers and time readings follow the
 * test.
 */
public final class ManualClock extends Clock {

    /** Where a clock made with {@link #ManualClock()} starts: {@code 2024-01-01T00:00:00Z}. */
    public static final Instant DEFAULT_START = Instant.parse("2024-01-01T00:00:00Z");

    private final Timeline timeline;
    private final ZoneId zone;

    /** A clock at {@link #DEFAULT_START}, in UTC. */
    public ManualClock() {
        this(DEFAULT_START);
    }

    /** A clock at {@code start}, in UTC. */
    public ManualClock(Instant start) {
        this(new Timeline(requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    private ManualClock(Timeline timeline, ZoneId zone) {
        this.timeline = timeline;
        this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** The same clock seen in {@code zone}: advancing either moves both. */
    @Override
    public ManualClock withZone(ZoneId zone) {
        return new ManualClock(timeline, requireNonNull(zone, "zone"));
    }

    @Override
    public Instant instant() {
        return timeline.start().plusNanos(timeline.now());
    }

    /** Nanoseconds since the clock was made; the test-time counterpart of {@link System#nanoTime()}. */
    public long nanoTime() {
        return timeline.now();
    }

    /**
     * Moves the clock forward by {@code duration}, running every timer that falls due on the way,
     * in due order, on this thread.
     *
     * @throws IllegalArgumentException when {@code duration} is negative
     */
    public ManualClock advance(Duration duration) {
        requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw Arguments.invalid("duration", duration, ">= 0, time only moves forward");
        }
        timeline.advance(duration.toNanos());
        return this;
    }

    /**
     * A new scheduler on this clock. {@code shutdownNow()} cancels its timers; its
     * {@code awaitTermination} answers at once, as no thread of it can be running.
     */
    public ScheduledExecutorService newScheduler() {
        return new ManualScheduler(timeline, "manual", () -> false);
    }

    /** How many timers of all this clock's schedulers are waiting to fall due. */
    public int pendingTimers() {
        return timeline.pending();
    }

    /** The timeline shared by this clock, its zone views and its schedulers. */
    Timeline timeline() {
        return timeline;
    }

    @Override
    public String toString() {
        return "ManualClock[" + instant() + ", " + zone + "]";
    }
}
