package io.gatekit.runner;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The {@link RunnerIo} transport's pool of idle connections, most recently used first, so a steady
 * load keeps reusing a warm few. Those idle past the idle timeout are handed out by
 * {@link #expired(long)} for closing; the pool itself never closes anything.
 */
final class IdleConnections {

    private final ArrayDeque<RpcConnection> idle = new ArrayDeque<>();
    private final int max;
    private final long idleTimeoutNanos;
    /** Whether the transport stopped: then nothing is kept. Read under this pool's lock. */
    private final BooleanSupplier stopped;

    IdleConnections(int max, long idleTimeoutNanos, BooleanSupplier stopped) {
        this.max = max;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.stopped = stopped;
    }

    /** The most recently used idle connection, or {@code null}; the caller checks that it is still good. */
    synchronized RpcConnection poll() {
        return idle.pollFirst();
    }

    /** Whether {@code connection} is open and was not idle for the idle timeout or longer at {@code now}. */
    boolean usable(RpcConnection connection, long now) {
        return connection.channel.isOpen() && now - connection.idleSince < idleTimeoutNanos;
    }

    /** Keeps {@code connection} when there is room and it is open; false when the caller must close it. */
    synchronized boolean offer(RpcConnection connection) {
        boolean kept = !stopped.getAsBoolean() && idle.size() < max && connection.channel.isOpen();
        if (kept) {
            idle.addFirst(connection);
        }
        return kept;
    }

    /** Idle connections that are still open. */
    synchronized int openCount() {
        return (int) idle.stream().filter(c -> c.channel.isOpen()).count();
    }

    /** Takes every idle connection out, for closing. */
    synchronized List<RpcConnection> drain() {
        List<RpcConnection> all = new ArrayList<>(idle);
        idle.clear();
        return all;
    }

    /** Takes out those idle for the idle timeout or longer at {@code now}, for closing. */
    synchronized List<RpcConnection> expired(long now) {
        List<RpcConnection> stale = new ArrayList<>();
        while (!idle.isEmpty() && now - idle.peekLast().idleSince >= idleTimeoutNanos) {
            stale.add(idle.pollLast());
        }
        return stale;
    }
}
