package io.gatekit.plugins.limit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Per-key state of a limiter, dropped once it no longer changes a decision. No timer and no
 * thread: at most once per {@code sweepMillis}, the request that finds the sweep due walks the
 * keys and drops the stale ones. A state is locked while read or changed; a dropped one is
 * marked dead under its lock, so a request holding it starts over with a fresh one and no count
 * is lost.
 *
 * @param <S> the state of one key
 */
final class Counters<S extends Counters.State> {

    /** One key's state; guarded by its own monitor. */
    abstract static class State {
        boolean dead;

        /** Whether, at {@code now}, this state decides nothing a fresh one would not. */
        abstract boolean stale(long now);
    }

    private final Map<String, S> states = new ConcurrentHashMap<>();
    private final Function<String, S> fresh;
    private final long sweepMillis;
    private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);

    Counters(Function<String, S> fresh, long sweepMillis) {
        this.fresh = fresh;
        this.sweepMillis = Math.max(1, sweepMillis);
    }

    /** The live state of {@code key}, locked by the caller with {@code synchronized} before use. */
    S get(String key, long now) {
        sweep(now);
        return states.computeIfAbsent(key, fresh);
    }

    /** Forgets {@code state} if it is still the one of {@code key}; call holding its lock, after marking it dead. */
    void forget(String key, S state) {
        states.remove(key, state);
    }

    int size() {
        return states.size();
    }

    private void sweep(long now) {
        long due = nextSweep.get();
        if (now < due || !nextSweep.compareAndSet(due, now + sweepMillis)) {
            return;
        }
        for (Map.Entry<String, S> entry : states.entrySet()) {
            S state = entry.getValue();
            synchronized (state) {
                if (!state.dead && state.stale(now)) {
                    state.dead = true;
                    states.remove(entry.getKey(), state);
                }
            }
        }
    }
}
