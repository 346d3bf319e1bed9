package io.gatekit.runner.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Idle client connections, most recently used first (so a small steady load keeps reusing the same
 * warm few and the rest age out). At most {@code maxIdle} are kept, each at most
 * {@code idleTimeoutNanos}; a connection with unread bytes or closed by the runner is never handed
 * out again.
 */
public final class ConnectionPool {

    private final int maxIdle;
    private final long idleTimeoutNanos;
    private final ArrayDeque<RunnerConnection> idle = new ArrayDeque<>();
    private boolean closed;

    public ConnectionPool(int maxIdle, long idleTimeoutNanos) {
        this.maxIdle = Checks.range("maxIdle", maxIdle, 0, Integer.MAX_VALUE);
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** A clean idle connection, or {@code null} when there is none. */
    public RunnerConnection poll() {
        long now = System.nanoTime();
        while (true) {
            RunnerConnection connection;
            synchronized (this) {
                connection = idle.pollFirst();
            }
            if (connection == null) {
                return null;
            }
            if (now - connection.idleSinceNanos() < idleTimeoutNanos && connection.isClean()) {
                connection.markReused();
                return connection;
            }
            connection.close();
        }
    }

    /** Keeps a connection whose last RPC completed, or closes it when the pool is full or closed. */
    public void release(RunnerConnection connection) {
        connection.markIdle(System.nanoTime());
        List<RunnerConnection> expired = null;
        boolean kept;
        synchronized (this) {
            kept = !closed && idle.size() < maxIdle;
            if (kept) {
                idle.addFirst(connection);
            }
            // The oldest sit at the tail: drop those past their idle time while we hold the lock.
            while (!idle.isEmpty() && connection.idleSinceNanos() - idle.peekLast().idleSinceNanos() >= idleTimeoutNanos) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(idle.pollLast());
            }
        }
        if (!kept) {
            connection.close();
        }
        if (expired != null) {
            expired.forEach(RunnerConnection::close);
        }
    }

    public int maxIdle() {
        return maxIdle;
    }

    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    public synchronized int idleCount() {
        return idle.size();
    }

    /** Closes every idle connection, e.g. because the runner behind them exited. */
    public void evictAll() {
        List<RunnerConnection> all;
        synchronized (this) {
            all = new ArrayList<>(idle);
            idle.clear();
        }
        all.forEach(RunnerConnection::close);
    }

    /** Closes the idle connections and refuses to keep any more. */
    public void close() {
        synchronized (this) {
            closed = true;
        }
        evictAll();
    }
}
