package io.gatekit.runner;

import io.gatekit.runner.RunnerException.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Every connection the {@link RunnerIo} transport opened and has not yet forgotten, and the reaper
 * that goes over them from the selector thread: an RPC past its deadline fails with
 * {@code TIMEOUT}, a connection closed behind the transport's back settles its RPC, and idle
 * connections past the idle timeout are closed.
 */
final class OpenConnections {

    private final List<RpcConnection> all = new ArrayList<>(); // guarded by itself

    void add(RpcConnection connection) {
        synchronized (all) {
            all.add(connection);
        }
    }

    /** Takes every connection out, for the transport's shutdown. */
    List<RpcConnection> removeAll() {
        synchronized (all) {
            List<RpcConnection> connections = new ArrayList<>(all);
            all.clear();
            return connections;
        }
    }

    /** One round of the reaper at {@code now}. */
    void sweep(long now, RunnerIo io, IdleConnections idle) {
        List<RpcConnection> expired = new ArrayList<>();
        List<RpcConnection> gone = new ArrayList<>();
        synchronized (all) {
            all.removeIf(c -> {
                if (c.channel.isOpen()) {
                    return false;
                }
                gone.add(c);
                return true;
            });
            for (RpcConnection c : all) {
                RunnerRpc<?> rpc = c.call;
                if (rpc != null && now - rpc.deadline >= 0) {
                    expired.add(c);
                }
            }
        }
        // A closed channel with an RPC on it is one closed without retiring it (by a path that
        // forgot, or by someone outside the transport): its RPC still fails now, never later.
        gone.forEach(io::discard);
        for (RpcConnection c : expired) {
            io.broken(c, new RunnerException(Kind.TIMEOUT, c.unsent != null ? "send timed out" : "read timed out"),
                    Breakage.OTHER);
        }
        idle.expired(now).forEach(io::discard);
    }
}
