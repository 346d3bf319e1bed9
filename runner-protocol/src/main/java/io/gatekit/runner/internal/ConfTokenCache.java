package io.gatekit.runner.internal;

import io.gatekit.runner.RunnerConf;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Conf tokens per conf id, valid for one conf version and until they expire. Concurrent first
 * requests for the same (id, version) share one {@code PrepareConf} (single flight): the first
 * caller starts it, the others get the same stage. Nothing here blocks.
 *
 * <p>A new version replaces the entry of the old one, so the cache holds at most one token per id.
 * {@link #flush()} drops everything, as APISIX does when a runner forgot a token or exited.
 */
public final class ConfTokenCache {

    private final long ttlNanos;
    private final int maxEntries;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        final String version;
        final CompletableFuture<Long> token = new CompletableFuture<>();
        volatile long expiresAtNanos = Long.MAX_VALUE;

        Entry(String version) {
            this.version = version;
        }

        boolean isUsable(String version, long now) {
            return this.version.equals(version) && now - expiresAtNanos < 0 && !token.isCompletedExceptionally();
        }
    }

    public ConfTokenCache(long ttlNanos, int maxEntries) {
        this.ttlNanos = ttlNanos;
        this.maxEntries = Checks.range("maxEntries", maxEntries, 1, Integer.MAX_VALUE);
    }

    /** What {@link #cached} returns when there is no usable token ready. */
    public static final long NONE = Long.MIN_VALUE;

    /** The token for {@code conf} if one is ready and usable, else {@link #NONE}; never blocks. */
    public long cached(RunnerConf conf) {
        Entry entry = entries.get(conf.id());
        if (entry == null || !entry.token.isDone() || !entry.isUsable(conf.version(), System.nanoTime())) {
            return NONE;
        }
        return entry.token.getNow(NONE);
    }

    /**
     * The token for {@code conf}: the usable one (perhaps still being prepared), or one that
     * {@code prepare} starts preparing now. The stage is shared by every caller of the same
     * preparation: complete nothing on it. A failed preparation leaves no entry behind.
     */
    public CompletableFuture<Long> token(RunnerConf conf,
            Function<RunnerConf, ? extends CompletionStage<Long>> prepare) {
        long now = System.nanoTime();
        Entry entry = entries.get(conf.id());
        if (entry != null && entry.isUsable(conf.version(), now)) {
            return entry.token;
        }
        Entry mine = new Entry(conf.version());
        Entry winner = entries.compute(conf.id(),
                (id, current) -> current != null && current.isUsable(conf.version(), now) ? current : mine);
        if (winner != mine) {
            return winner.token;
        }
        trimIfFull();
        CompletionStage<Long> prepared;
        try {
            prepared = prepare.apply(conf);
        } catch (RuntimeException e) {
            prepared = CompletableFuture.failedFuture(e);
        }
        prepared.whenComplete((token, error) -> {
            if (error == null) {
                mine.expiresAtNanos = System.nanoTime() + ttlNanos;
                mine.token.complete(token);
            } else {
                entries.remove(conf.id(), mine);
                mine.token.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error);
            }
        });
        return mine.token;
    }

    /** Drops every token, including any being prepared (its callers still get its result). */
    public void flush() {
        entries.clear();
    }

    /** Stores a token as if prepared; for tests that need a token the runner does not know. */
    public void put(RunnerConf conf, long token) {
        Entry entry = new Entry(conf.version());
        entry.expiresAtNanos = System.nanoTime() + ttlNanos;
        entry.token.complete(token);
        entries.put(conf.id(), entry);
    }

    public int size() {
        return entries.size();
    }

    /** Keeps the map bounded when confs come and go: expired entries first, then any. */
    private void trimIfFull() {
        if (entries.size() <= maxEntries) {
            return;
        }
        long now = System.nanoTime();
        entries.values().removeIf(e -> now - e.expiresAtNanos >= 0);
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (entries.size() > maxEntries && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
