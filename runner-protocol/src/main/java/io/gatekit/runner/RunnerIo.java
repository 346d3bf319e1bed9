package io.gatekit.runner;

import io.gatekit.runner.RunnerException.Kind;
import io.gatekit.runner.internal.Frames;
import io.gatekit.runner.internal.UnixSockets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The one transport of {@link RunnerClient}: every RPC ({@code PrepareConf}, {@code HTTPReqCall},
 * {@code HTTPRespCall}) goes out from the caller's thread (the frame is written without blocking),
 * and one selector thread reads every answer, answers the runner's ExtraInfo questions and
 * completes the call. No thread waits for a runner: a call costs its caller one write and its
 * answer one wake-up of this thread.
 *
 * <p>Connections carry one RPC at a time and stay registered with the selector for their whole
 * life, so a pooled connection the runner closes (or writes to unasked) is noticed and dropped while
 * idle. After {@code PrepareConf} the connection is closed, not pooled: the Java runner answers it
 * twice. At most {@code maxInFlight} RPCs are out at once; more wait in arrival order.
 *
 * <p>A connection is retired before it is closed, under the same lock an RPC takes it with: an RPC
 * is never put on a connection that is closing, and whoever closes a connection settles the RPC on
 * it. When a connection breaks before any byte of the answer arrived, the RPC is sent once more, on
 * a new connection, if the runner cannot have acted on it: the frame never left whole, or the
 * runner reset the connection (it closed it with our bytes unread), or it is a {@code PrepareConf}
 * (a second one only registers the conf again). A call the runner read before it hung up fails at
 * once with {@code IO}: its plugins may have run, and APISIX does not send a call twice either.
 *
 * <p>Whatever goes wrong on one connection (the runner closes or resets it, sends a bad frame, a
 * handler throws, another thread closes it) fails that connection's RPC only: the selector loop
 * goes on. Only a failing selector ends it, and then {@link RunnerClient} starts a new transport.
 */
final class RunnerIo implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RunnerIo.class.getName());
    /** How often RPCs in flight are checked against their deadline, and idle connections against theirs. */
    private static final long SWEEP_NANOS = 200_000_000L;

    private final TransportSettings settings;
    /** Told after each new connection is made, before any RPC goes out on it. */
    private final Runnable connected;
    private final Selector selector;
    private final IdleConnections idle;
    private final InFlightLimit limit;
    private final OpenConnections all = new OpenConnections();
    private final IncomingFrames incoming;
    private final OutgoingFrames outgoing;
    private volatile boolean closed;
    /** Why the selector loop ended, when it was not {@link #close()}. */
    private volatile Throwable fatal;
    /** Runs before each ready key is handled; a seam for tests that inject per-key faults. */
    private volatile Consumer<SelectionKey> keyHook;
    /** Runs on the closing thread just before a connection's channel closes; a seam for tests of that moment. */
    private volatile Runnable closeHook;

    /**
     * A transport; {@code connected} runs on the caller's thread after each new connection is made,
     * before any RPC goes out on it (the client checks there which runner it reached).
     */
    RunnerIo(TransportSettings settings, Runnable connected) {
        this.settings = settings;
        this.connected = connected;
        this.idle = new IdleConnections(settings.maxIdle(), settings.idleTimeoutNanos(), () -> closed);
        this.limit = new InFlightLimit(settings.maxInFlight(), () -> closed);
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new RunnerException(Kind.IO, "cannot open a selector for runner calls: " + e.getMessage(), e);
        }
        this.outgoing = new OutgoingFrames(this, settings, selector);
        this.incoming = new IncomingFrames(this, settings, outgoing);
        Thread thread = new Thread(this::loop, "gatekit-runner-io");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts {@code rpc} now, or once an earlier one finished; its result completes on the selector thread. */
    <T> CompletableFuture<T> submit(RunnerRpc<T> rpc) {
        rpc.resent = false;
        rpc.fresh = false;
        enqueue(rpc);
        return rpc.result;
    }

    /** Sends {@code rpc} once more, on a new connection: its connection broke before the runner could act on it. */
    private void resend(RunnerRpc<?> rpc) {
        rpc.resent = true;
        rpc.fresh = true;
        enqueue(rpc);
    }

    private void enqueue(RunnerRpc<?> rpc) {
        switch (limit.admit(rpc)) {
            case REFUSED -> settle(rpc, stoppedFailure()); // outside the lock: the caller's stages may run now
            case START -> start(rpc);
            case WAIT -> {
                // started by finished() when a slot frees
            }
        }
    }

    /** Whether this transport has stopped (closed, or its selector failed): it takes no more RPCs. */
    boolean isStopped() {
        return closed;
    }

    /** Sets the hook that runs before each ready key is handled ({@code null}: none); for fault injection. */
    void keyHook(Consumer<SelectionKey> hook) {
        keyHook = hook;
    }

    /**
     * Sets the hook that runs just before a connection's channel closes, on the closing thread
     * ({@code null}: none); for tests of what other threads do at that moment.
     */
    void closeHook(Runnable hook) {
        closeHook = hook;
    }

    /** Idle connections that are still open. */
    int idleCount() {
        return idle.openCount();
    }

    /** Closes the idle connections, e.g. because the runner behind them exited. */
    void evictIdle() {
        idle.drain().forEach(this::discard);
        selector.wakeup(); // so the closed channels are deregistered now
    }

    /** Fails every RPC in flight or waiting with {@code CLOSED} and stops the selector thread. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
    }

    // ---------------------------------------------------------------- starting an RPC (any thread)

    private void start(RunnerRpc<?> rpc) {
        while (true) {
            if (closed) {
                fail(rpc, stoppedFailure());
                return;
            }
            RpcConnection connection = rpc.fresh ? null : pollIdle();
            boolean pooled = connection != null;
            if (connection == null) {
                try {
                    connection = open();
                } catch (RunnerException e) {
                    fail(rpc, e);
                    return;
                }
            }
            if (!rpc.stillValid()) {
                // e.g. a conf token of a runner that has since been replaced: the client gets a new one
                release(connection);
                fail(rpc, RunnerException.runnerError(RunnerException.CONF_TOKEN_NOT_FOUND));
                return;
            }
            ByteBuffer[] frame;
            try {
                frame = outgoing.frame(rpc.type, rpc.encode(connection.writer));
            } catch (RuntimeException e) {
                release(connection);
                fail(rpc, e instanceof RunnerException re ? re
                        : new RunnerException(Kind.PROTOCOL, "cannot encode " + Frames.typeName(rpc.type) + ": " + e, e));
                return;
            }
            if (outgoing.claimAndSend(connection, rpc, frame)) {
                return;
            }
            // The connection was retired (the runner closed it, or wrote to it unasked) before this
            // RPC could take it: nothing was sent on it. A pooled one: take the next. A new one the
            // runner hung up on at once: one more new one, then give up.
            if (!pooled) {
                if (rpc.resent) {
                    fail(rpc, new RunnerException(Kind.IO, "connection closed by the runner before "
                            + Frames.typeName(rpc.type) + " was sent"));
                    return;
                }
                rpc.resent = true;
                rpc.fresh = true;
            }
        }
    }

    private RpcConnection open() {
        SocketChannel channel = UnixSockets.connect(settings.socketPath(), settings.connectTimeoutNanos());
        try {
            connected.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "runner connection listener failed; going on", e);
        }
        RpcConnection connection = new RpcConnection(channel, () -> closeHook);
        try {
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
        } catch (IOException | RuntimeException e) {
            connection.close();
            if (closed) {
                throw stoppedFailure();
            }
            throw new RunnerException(Kind.IO, "cannot watch the runner connection: " + e, e);
        }
        all.add(connection);
        if (closed) {
            // shutdown() may have taken its list of connections before this one was added
            discard(connection);
            throw stoppedFailure();
        }
        selector.wakeup(); // a new registration takes effect on the selector's next round
        return connection;
    }

    private RpcConnection pollIdle() {
        long now = System.nanoTime();
        while (true) {
            RpcConnection connection = idle.poll();
            if (connection == null) {
                return null;
            }
            if (idle.usable(connection, now)) {
                return connection;
            }
            discard(connection);
        }
    }

    /** Puts a connection done with its RPC back in the pool, or closes it when the pool has no room. */
    void release(RpcConnection connection) {
        connection.call = null;
        connection.idleSince = System.nanoTime();
        if (!idle.offer(connection)) {
            discard(connection);
        }
    }

    /** A slot is free: the next waiting RPC takes it, or the count goes down. */
    void finished() {
        RunnerRpc<?> next = limit.release();
        if (next != null) {
            start(next);
        }
    }

    // ---------------------------------------------------------------- selector thread

    /**
     * Runs until {@link #close()}. Whatever goes wrong with one connection costs that connection and
     * its RPC only (see {@link #ready}); the loop itself ends early only when the selector fails,
     * and then {@link RunnerClient} starts a new transport for the next call.
     */
    private void loop() {
        long nextSweep = System.nanoTime() + SWEEP_NANOS;
        Throwable failure = null;
        while (!closed) {
            try {
                selector.select(this::ready, 250);
            } catch (IOException | ClosedSelectorException e) {
                failure = e;
                break;
            }
            try {
                outgoing.watchUnfinishedWrites();
                long now = System.nanoTime();
                if (now - nextSweep >= 0) {
                    nextSweep = now + SWEEP_NANOS;
                    all.sweep(now, this, idle);
                }
            } catch (Throwable e) {
                // Not one connection's fault, and nothing to undo: the next round tries again.
                LOG.log(System.Logger.Level.ERROR, "runner I/O housekeeping failed; going on", e);
            }
        }
        if (failure != null) {
            LOG.log(System.Logger.Level.ERROR, "runner call selector failed; its calls fail, the next ones get a new"
                    + " selector", failure);
        }
        shutdown(failure);
    }

    /**
     * Handles one ready connection. Another thread may close a connection at any moment (a failed
     * send, an eviction), which cancels its key; and a bug or a failing handler may throw anything.
     * Either way only this connection is given up, and with it only its own RPC.
     */
    private void ready(SelectionKey key) {
        RpcConnection connection = (RpcConnection) key.attachment();
        try {
            Consumer<SelectionKey> hook = keyHook;
            if (hook != null) {
                hook.accept(key);
            }
            int ops = key.readyOps(); // one look: a key cancelled meanwhile throws here, not half-way
            if ((ops & SelectionKey.OP_WRITE) != 0) {
                outgoing.finishWrite(connection);
            }
            if ((ops & SelectionKey.OP_READ) != 0 && connection.channel.isOpen()) {
                incoming.read(connection);
            }
        } catch (CancelledKeyException e) {
            broken(connection, closedWhileInUse(), Breakage.OTHER);
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "runner connection failed; only its call fails", e);
            broken(connection, new RunnerException(Kind.IO, "runner connection failed: " + e, e), Breakage.OTHER);
        }
    }

    static RunnerException closedWhileInUse() {
        return new RunnerException(Kind.IO, "connection closed while in use");
    }

    /**
     * The connection cannot go on: it is retired and closed, and its RPC (if any) fails, or is sent
     * once more on a new connection when the runner cannot have acted on it.
     */
    void broken(RpcConnection connection, RunnerException failure, Breakage breakage) {
        RunnerRpc<?> rpc = connection.retire();
        boolean unprocessed = rpc != null && breakage.leftUnprocessed(connection, rpc);
        connection.close();
        if (rpc == null) {
            return;
        }
        if (unprocessed && !rpc.resent) {
            finished();
            resend(rpc);
            return;
        }
        fail(rpc, failure);
    }

    /** Retires and closes a connection no RPC should be on (idle, or done with); settles one that is. */
    void discard(RpcConnection connection) {
        RunnerRpc<?> rpc = connection.retire();
        connection.close();
        if (rpc != null) {
            fail(rpc, closedWhileInUse());
        }
    }

    private void fail(RunnerRpc<?> rpc, RunnerException failure) {
        finished();
        settle(rpc, failure);
    }

    /** Hands {@code failure} to {@code rpc}; the RPC fails even if its own handling of it throws. */
    private static void settle(RunnerRpc<?> rpc, RunnerException failure) {
        try {
            rpc.failed(failure);
        } catch (Throwable e) {
            failure.addSuppressed(e);
            rpc.result.completeExceptionally(failure);
        }
    }

    /** What RPCs fail with once this transport has stopped. */
    private RunnerException stoppedFailure() {
        Throwable failure = fatal;
        return failure == null ? new RunnerException(Kind.CLOSED, "runner client is closed")
                : new RunnerException(Kind.IO, "runner I/O failed: " + failure, failure);
    }

    private void shutdown(Throwable failure) {
        fatal = failure;
        closed = true;
        for (RpcConnection c : all.removeAll()) {
            RunnerRpc<?> rpc = c.retire();
            c.close();
            if (rpc != null) {
                settle(rpc, stoppedFailure());
            }
        }
        limit.drain().forEach(rpc -> settle(rpc, stoppedFailure()));
        idle.drain();
        try {
            selector.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }
}
