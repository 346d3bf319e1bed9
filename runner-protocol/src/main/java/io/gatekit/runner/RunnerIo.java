package io.gatekit.runner;

import io.gatekit.runner.RunnerException.Kind;
import io.gatekit.runner.internal.Frames;
import io.gatekit.runner.internal.MessageReader;
import io.gatekit.runner.internal.MessageWriter;
import io.gatekit.runner.internal.UnixSockets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * twice. A call whose pooled connection breaks before any answer arrived (the runner closed it while
 * it sat idle, so the request never reached it) is sent again on another connection. At most
 * {@code maxInFlight} RPCs are out at once; more wait in arrival order.
 *
 * <p>Whatever goes wrong on one connection (the runner closes or resets it, sends a bad frame, a
 * handler throws, another thread closes it) fails that connection's RPC only: the selector loop
 * goes on. Only a failing selector ends it, and then {@link RunnerClient} starts a new transport.
 */
final class RunnerIo implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RunnerIo.class.getName());
    private static final int INBOX_BYTES = 8192;
    /** An inbox grown past this for a big frame goes back to the usual size once it is empty. */
    private static final int KEPT_INBOX_BYTES = 64 * 1024;
    /** How often RPCs in flight are checked against their deadline, and idle connections against theirs. */
    private static final long SWEEP_NANOS = 200_000_000L;

    /**
     * Where the runner is and the limits of the transport.
     *
     * @param socketPath         the runner's socket
     * @param connectTimeoutNanos how long connecting may take
     * @param sendTimeoutNanos   how long the rest of a frame the socket had no room for may take
     * @param readTimeoutNanos   how long the runner may take for each frame of its answer
     * @param idleTimeoutNanos   how long an idle connection is kept
     * @param maxPayload         the largest payload sent or accepted
     * @param maxIdle            how many idle connections are kept
     * @param maxInFlight        how many RPCs are out at once
     */
    record Settings(Path socketPath, long connectTimeoutNanos, long sendTimeoutNanos, long readTimeoutNanos,
            long idleTimeoutNanos, int maxPayload, int maxIdle, int maxInFlight) {
    }

    /** One RPC: what to send, how to read the answer, and where the result goes. */
    abstract static class Rpc<T> {
        final int type;
        /** Answers ExtraInfo questions; {@code null} when none may come (a question is then a protocol error). */
        final ExtraInfoHandler handler;
        final CompletableFuture<T> result;
        /** When the RPC fails unless the runner sends (or the socket takes) the next frame. */
        volatile long deadline;

        Rpc(int type, ExtraInfoHandler handler, CompletableFuture<T> result) {
            this.type = type;
            this.handler = handler;
            this.result = result;
        }

        /** The request payload, encoded with {@code writer} (the connection's own). */
        abstract ByteBuffer encode(MessageWriter writer);

        /** The answer, decoded on the selector thread while its payload is valid. */
        abstract T decode(MessageReader reader, ByteBuffer payload);

        /** Whether the connection is closed after the answer instead of going back to the pool. */
        boolean closesConnection() {
            return false;
        }

        /**
         * The RPC failed, and the transport is done with it (it may be submitted again). The
         * default fails {@link #result}; {@link RunnerClient} tries again where APISIX would.
         */
        void failed(RunnerException failure) {
            result.completeExceptionally(failure);
        }
    }

    private final Settings settings;
    private final Selector selector;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>(); // guarded by itself
    /** RPCs beyond {@code maxInFlight}, guarded by {@code this} with {@link #inFlight}. */
    private final ArrayDeque<Rpc<?>> waiting = new ArrayDeque<>();
    private int inFlight;
    /** Connections whose frame did not fit the socket at once: the selector thread finishes them. */
    private final ConcurrentLinkedQueue<Connection> unfinishedWrites = new ConcurrentLinkedQueue<>();
    private final List<Connection> all = new ArrayList<>(); // guarded by itself; for sweeps and shutdown
    private volatile boolean closed;
    /** Why the selector loop ended, when it was not {@link #close()}. */
    private volatile Throwable fatal;
    /** Runs before each ready key is handled; a seam for tests that inject per-key faults. */
    private volatile Consumer<SelectionKey> keyHook;

    RunnerIo(Settings settings) {
        this.settings = settings;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new RunnerException(Kind.IO, "cannot open a selector for runner calls: " + e.getMessage(), e);
        }
        Thread thread = new Thread(this::loop, "gatekit-runner-io");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts {@code rpc} now, or once an earlier one finished; its result completes on the selector thread. */
    <T> CompletableFuture<T> submit(Rpc<T> rpc) {
        boolean stopped = false;
        boolean start = false;
        synchronized (this) {
            // Checked under the lock that shutdown() drains the queue with, so no RPC is queued after it.
            if (closed) {
                stopped = true;
            } else if (inFlight < settings.maxInFlight()) {
                inFlight++;
                start = true;
            } else {
                waiting.add(rpc);
            }
        }
        if (stopped) {
            settle(rpc, stoppedFailure()); // outside the lock: the caller's stages may run now
        } else if (start) {
            start(rpc);
        }
        return rpc.result;
    }

    /** Whether this transport has stopped (closed, or its selector failed): it takes no more RPCs. */
    boolean isStopped() {
        return closed;
    }

    /** Sets the hook that runs before each ready key is handled ({@code null}: none); for fault injection. */
    void keyHook(Consumer<SelectionKey> hook) {
        keyHook = hook;
    }

    /** Idle connections that are still open. */
    int idleCount() {
        synchronized (idle) {
            return (int) idle.stream().filter(c -> c.channel.isOpen()).count();
        }
    }

    /** Closes the idle connections, e.g. because the runner behind them exited. */
    void evictIdle() {
        List<Connection> dropped;
        synchronized (idle) {
            dropped = new ArrayList<>(idle);
            idle.clear();
        }
        dropped.forEach(Connection::close);
        selector.wakeup(); // so the closed channels are deregistered now
    }

    /** Fails every RPC in flight or waiting with {@code CLOSED} and stops the selector thread. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
    }

    // ---------------------------------------------------------------- starting an RPC (any thread)

    private void start(Rpc<?> rpc) {
        if (closed) {
            fail(rpc, stoppedFailure());
            return;
        }
        Connection connection = pollIdle();
        boolean reused = connection != null;
        if (connection == null) {
            try {
                connection = open();
            } catch (RunnerException e) {
                fail(rpc, e);
                return;
            }
        }
        connection.reused = reused;
        connection.answered = false;
        ByteBuffer payload;
        try {
            payload = rpc.encode(connection.writer);
        } catch (RuntimeException e) {
            release(connection);
            fail(rpc, e instanceof RunnerException re ? re
                    : new RunnerException(Kind.PROTOCOL, "cannot encode " + Frames.typeName(rpc.type) + ": " + e, e));
            return;
        }
        rpc.deadline = System.nanoTime() + settings.readTimeoutNanos();
        connection.call = rpc; // volatile: the selector thread sees the RPC before any answer to it
        send(connection, rpc.type, payload, false);
    }

    private Connection open() {
        SocketChannel channel = UnixSockets.connect(settings.socketPath(), settings.connectTimeoutNanos());
        Connection connection = new Connection(channel);
        try {
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
        } catch (IOException | RuntimeException e) {
            connection.close();
            if (closed) {
                throw stoppedFailure();
            }
            throw new RunnerException(Kind.IO, "cannot watch the runner connection: " + e, e);
        }
        synchronized (all) {
            all.add(connection);
        }
        if (closed) {
            // shutdown() may have taken its list of connections before this one was added
            connection.close();
            throw stoppedFailure();
        }
        selector.wakeup(); // a new registration takes effect on the selector's next round
        return connection;
    }

    private Connection pollIdle() {
        long now = System.nanoTime();
        while (true) {
            Connection connection;
            synchronized (idle) {
                connection = idle.pollFirst();
            }
            if (connection == null) {
                return null;
            }
            if (connection.channel.isOpen() && now - connection.idleSince < settings.idleTimeoutNanos()) {
                return connection;
            }
            connection.close();
        }
    }

    private void release(Connection connection) {
        connection.call = null;
        connection.idleSince = System.nanoTime();
        boolean kept;
        synchronized (idle) {
            kept = !closed && idle.size() < settings.maxIdle() && connection.channel.isOpen();
            if (kept) {
                idle.addFirst(connection); // most recently used first: a steady load keeps reusing a warm few
            }
        }
        if (!kept) {
            connection.close();
        }
    }

    /** A slot is free: the next waiting RPC takes it, or the count goes down. */
    private void finished() {
        Rpc<?> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
            }
        }
        if (next != null) {
            start(next);
        }
    }

    /**
     * Writes one frame without blocking; what does not fit now is finished by the selector thread
     * when the socket has room. {@code onSelector}: called by the selector thread itself.
     */
    private void send(Connection connection, int type, ByteBuffer payload, boolean onSelector) {
        // Buffer objects of this send's own: the runner may answer, and the connection go back to
        // the pool and carry the next RPC (encoded into the same writer), before this thread has
        // returned from its write; the JDK sets the positions of the buffers it was given only after
        // the bytes left, so shared buffer objects would have the next RPC's frame marked as sent.
        ByteBuffer header = ByteBuffer.allocate(Frames.HEADER_BYTES);
        ByteBuffer body = payload.duplicate();
        ByteBuffer[] frame = {header, body};
        try {
            Frames.putHeader(header, type, body.remaining(), settings.maxPayload());
            connection.channel.write(frame);
            if (!body.hasRemaining()) {
                return;
            }
            // The runner cannot answer a frame it has not got whole: nothing races with this.
            Rpc<?> rpc = connection.call;
            if (rpc != null) {
                rpc.deadline = System.nanoTime() + settings.sendTimeoutNanos();
            }
            connection.unsent = frame;
        } catch (IOException | RuntimeException e) {
            broken(connection, e instanceof RunnerException re ? re : sendFailed(e));
            return;
        }
        if (onSelector) {
            connection.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        } else {
            unfinishedWrites.add(connection);
            selector.wakeup();
        }
    }

    private static RunnerException sendFailed(Exception e) {
        return new RunnerException(Kind.IO, "send failed: " + (e instanceof ClosedChannelException
                ? "connection closed" : e.getMessage()), e);
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
                watchUnfinishedWrites();
                long now = System.nanoTime();
                if (now - nextSweep >= 0) {
                    nextSweep = now + SWEEP_NANOS;
                    sweep(now);
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

    private void watchUnfinishedWrites() {
        Connection unfinished;
        while ((unfinished = unfinishedWrites.poll()) != null) {
            try {
                unfinished.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            } catch (CancelledKeyException e) {
                broken(unfinished, closedWhileInUse());
            }
        }
    }

    /**
     * Handles one ready connection. Another thread may close a connection at any moment (a failed
     * send, an eviction), which cancels its key; and a bug or a failing handler may throw anything.
     * Either way only this connection is given up, and with it only its own RPC.
     */
    private void ready(SelectionKey key) {
        Connection connection = (Connection) key.attachment();
        try {
            Consumer<SelectionKey> hook = keyHook;
            if (hook != null) {
                hook.accept(key);
            }
            int ops = key.readyOps(); // one look: a key cancelled meanwhile throws here, not half-way
            if ((ops & SelectionKey.OP_WRITE) != 0) {
                finishWrite(connection);
            }
            if ((ops & SelectionKey.OP_READ) != 0 && connection.channel.isOpen()) {
                read(connection);
            }
        } catch (CancelledKeyException e) {
            broken(connection, closedWhileInUse());
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "runner connection failed; only its call fails", e);
            broken(connection, new RunnerException(Kind.IO, "runner connection failed: " + e, e));
        }
    }

    private static RunnerException closedWhileInUse() {
        return new RunnerException(Kind.IO, "connection closed while in use");
    }

    private void finishWrite(Connection connection) {
        ByteBuffer[] frame = connection.unsent;
        if (frame == null) {
            connection.key.interestOps(SelectionKey.OP_READ);
            return;
        }
        try {
            connection.channel.write(frame);
        } catch (IOException e) {
            broken(connection, sendFailed(e));
            return;
        }
        if (!frame[1].hasRemaining()) {
            connection.unsent = null;
            Rpc<?> rpc = connection.call;
            if (rpc != null) {
                rpc.deadline = System.nanoTime() + settings.readTimeoutNanos();
            }
            connection.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void read(Connection connection) {
        int n;
        try {
            ByteBuffer inbox = connection.inbox;
            int start = inbox.position();
            inbox.position(inbox.limit()).limit(inbox.capacity());
            try {
                n = connection.channel.read(inbox);
            } finally {
                inbox.limit(inbox.position()).position(start);
            }
        } catch (IOException e) {
            broken(connection, new RunnerException(Kind.IO, "read failed: " + (e instanceof ClosedChannelException
                    ? "connection closed" : e.getMessage()), e));
            return;
        }
        if (n < 0) {
            closedByRunner(connection);
            return;
        }
        while (connection.channel.isOpen() && frame(connection)) {
            // one frame handled; the next may already be in the inbox
        }
        connection.compactInbox();
    }

    /** The runner closed the connection: between frames, or in the middle of one. */
    private void closedByRunner(Connection connection) {
        Rpc<?> rpc = connection.call;
        ByteBuffer inbox = connection.inbox;
        int have = inbox.remaining();
        String message;
        if (rpc == null || have == 0) {
            message = "connection closed by the runner while waiting for the answer"
                    + (rpc == null ? "" : " to " + Frames.typeName(rpc.type));
        } else if (have < Frames.HEADER_BYTES) {
            message = "connection closed by the runner while reading the frame header (" + have + " of "
                    + Frames.HEADER_BYTES + " bytes read)";
        } else {
            int start = inbox.position();
            int length = Frames.length(inbox.slice(start, Frames.HEADER_BYTES));
            message = "connection closed by the runner while reading " + Frames.typeName(inbox.get(start) & 0xFF)
                    + " payload of " + length + " bytes (" + (have - Frames.HEADER_BYTES) + " of " + length
                    + " bytes read)";
        }
        broken(connection, new RunnerException(Kind.IO, message));
    }

    /** Handles one whole frame from the inbox; false when none is complete yet. */
    private boolean frame(Connection connection) {
        ByteBuffer inbox = connection.inbox;
        if (inbox.remaining() < Frames.HEADER_BYTES) {
            return false;
        }
        int start = inbox.position();
        int type = inbox.get(start) & 0xFF;
        int length = (inbox.get(start + 1) & 0xFF) << 16 | (inbox.get(start + 2) & 0xFF) << 8
                | inbox.get(start + 3) & 0xFF;
        Rpc<?> rpc = connection.call;
        if (rpc == null) {
            // Nothing was asked: a runner that writes unasked cannot be trusted with the next RPC.
            connection.close();
            return false;
        }
        try {
            Frames.checkLength("received payload of " + Frames.typeName(type), length, settings.maxPayload());
            if (length == 0) {
                throw new RunnerException(Kind.PROTOCOL, "received " + Frames.typeName(type) + " with an empty payload");
            }
        } catch (RunnerException e) {
            broken(connection, e);
            return false;
        }
        if (inbox.remaining() < Frames.HEADER_BYTES + length) {
            connection.ensureCapacity(Frames.HEADER_BYTES + length);
            return false;
        }
        ByteBuffer payload = inbox.slice(start + Frames.HEADER_BYTES, length).order(ByteOrder.LITTLE_ENDIAN);
        inbox.position(start + Frames.HEADER_BYTES + length);
        connection.answered = true;
        rpc.deadline = System.nanoTime() + settings.readTimeoutNanos();
        if (type == rpc.type) {
            answer(connection, rpc, payload);
            return true;
        }
        if (type == Frames.RPC_ERROR) {
            RunnerException failure;
            try {
                failure = RunnerException.runnerError(connection.reader.err(payload));
            } catch (RunnerException e) {
                failure = e;
            }
            broken(connection, failure);
            return false;
        }
        if (type == Frames.RPC_EXTRA_INFO && rpc.handler != null) {
            return extraInfo(connection, rpc, payload);
        }
        String name = Frames.typeName(type);
        broken(connection, new RunnerException(Kind.PROTOCOL, "unexpected type " + type
                + (name.startsWith("type ") ? "" : " (" + name + ")") + " while waiting for the answer to "
                + Frames.typeName(rpc.type) + " (expected: " + Frames.typeName(rpc.type)
                + (rpc.handler != null ? ", RPC_EXTRA_INFO" : "") + " or RPC_ERROR)"));
        return false;
    }

    private <T> void answer(Connection connection, Rpc<T> rpc, ByteBuffer payload) {
        T value;
        try {
            value = rpc.decode(connection.reader, payload);
        } catch (RuntimeException e) {
            broken(connection, e instanceof RunnerException re ? re
                    : new RunnerException(Kind.PROTOCOL, "cannot read the answer: " + e, e));
            return;
        }
        if (connection.take() != rpc) {
            return; // settled elsewhere meanwhile
        }
        if (rpc.closesConnection()) {
            connection.drainAndClose();
        } else if (connection.inbox.hasRemaining()) {
            connection.close(); // bytes after the answer: the next RPC would take them for its own
        } else {
            release(connection); // back in the pool before the caller hears of it
        }
        finished();
        rpc.result.complete(value);
    }

    private boolean extraInfo(Connection connection, Rpc<?> rpc, ByteBuffer payload) {
        ExtraInfo question;
        try {
            question = connection.reader.extraInfoReq(payload);
        } catch (RuntimeException e) {
            broken(connection, e instanceof RunnerException re ? re
                    : new RunnerException(Kind.PROTOCOL, "cannot read ExtraInfo: " + e, e));
            return false;
        }
        byte[] answer;
        try {
            answer = rpc.handler.answer(question);
            if (answer != null) {
                // Checked before encoding so an oversized body is not copied only to be refused.
                Frames.checkLength("answer to " + question, answer.length, settings.maxPayload());
            }
        } catch (RunnerException e) {
            broken(connection, e);
            return false;
        } catch (Throwable e) {
            // Errors too (an AssertionError in a handler, say): the handler's bug fails its own call.
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            broken(connection, new RunnerException(Kind.HANDLER, "cannot answer " + question + ": " + e, e));
            return false;
        }
        send(connection, Frames.RPC_EXTRA_INFO, connection.writer.extraInfoResp(answer), true);
        return connection.channel.isOpen();
    }

    /** The connection cannot go on: it closes, and its RPC (if any) fails or is sent again. */
    private void broken(Connection connection, RunnerException failure) {
        Rpc<?> rpc = connection.take();
        connection.close();
        if (rpc == null) {
            return;
        }
        if (failure.kind() == Kind.IO && connection.reused && !connection.answered) {
            // A pooled connection the runner closed while it sat idle: the request never arrived, so
            // it goes again on another connection. Bounded: each such failure used up a pooled one.
            finished();
            submit(rpc);
            return;
        }
        fail(rpc, failure);
    }

    private void fail(Rpc<?> rpc, RunnerException failure) {
        finished();
        settle(rpc, failure);
    }

    /** Hands {@code failure} to {@code rpc}; the RPC fails even if its own handling of it throws. */
    private static void settle(Rpc<?> rpc, RunnerException failure) {
        try {
            rpc.failed(failure);
        } catch (Throwable e) {
            failure.addSuppressed(e);
            rpc.result.completeExceptionally(failure);
        }
    }

    private void sweep(long now) {
        List<Connection> expired = new ArrayList<>();
        synchronized (all) {
            all.removeIf(c -> !c.channel.isOpen());
            for (Connection c : all) {
                Rpc<?> rpc = c.call;
                if (rpc != null && now - rpc.deadline >= 0) {
                    expired.add(c);
                }
            }
        }
        for (Connection c : expired) {
            broken(c, new RunnerException(Kind.TIMEOUT, c.unsent != null ? "send timed out" : "read timed out"));
        }
        List<Connection> stale = new ArrayList<>();
        synchronized (idle) {
            while (!idle.isEmpty() && now - idle.peekLast().idleSince >= settings.idleTimeoutNanos()) {
                stale.add(idle.pollLast());
            }
        }
        stale.forEach(Connection::close);
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
        List<Connection> connections;
        synchronized (all) {
            connections = new ArrayList<>(all);
            all.clear();
        }
        for (Connection c : connections) {
            Rpc<?> rpc = c.take();
            c.close();
            if (rpc != null) {
                settle(rpc, stoppedFailure());
            }
        }
        List<Rpc<?>> queued;
        synchronized (this) {
            queued = new ArrayList<>(waiting);
            waiting.clear();
        }
        queued.forEach(rpc -> settle(rpc, stoppedFailure()));
        synchronized (idle) {
            idle.clear();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }

    /** One runner connection; reads and ExtraInfo answers happen on the selector thread only. */
    private static final class Connection {
        final SocketChannel channel;
        SelectionKey key;
        final MessageWriter writer = new MessageWriter();
        final MessageReader reader = new MessageReader();
        /** The rest of a frame the socket had no room for; handed to the selector thread. */
        volatile ByteBuffer[] unsent;
        /** Unread bytes between position and limit. */
        ByteBuffer inbox = ByteBuffer.allocate(INBOX_BYTES).limit(0);
        volatile Rpc<?> call;
        volatile long idleSince;
        /** Set before {@link #call}, whose volatile write publishes them to the selector thread. */
        boolean reused;
        boolean answered;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        /** Takes the RPC to settle it; only one thread gets it (a send failure and the selector may race). */
        synchronized Rpc<?> take() {
            Rpc<?> taken = call;
            call = null;
            return taken;
        }

        void ensureCapacity(int frameBytes) {
            if (inbox.capacity() - inbox.position() >= frameBytes) {
                return;
            }
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(frameBytes, INBOX_BYTES));
            bigger.put(inbox).flip();
            inbox = bigger;
        }

        void compactInbox() {
            if (!inbox.hasRemaining()) {
                if (inbox.capacity() > KEPT_INBOX_BYTES) {
                    inbox = ByteBuffer.allocate(INBOX_BYTES);
                }
                inbox.position(0).limit(0);
            } else if (inbox.position() > 0 && inbox.capacity() - inbox.limit() < INBOX_BYTES / 2) {
                inbox.compact().flip();
            }
        }

        /**
         * Discards whatever already arrived, then closes. Closing a unix socket with unread bytes
         * resets the peer's end, which the Java runner logs as an error with a stack trace for every
         * PrepareConf (whose answer it sends twice).
         */
        void drainAndClose() {
            inbox.position(0).limit(0);
            ByteBuffer discard = ByteBuffer.allocate(INBOX_BYTES);
            try {
                for (int i = 0; i < 16; i++) {
                    discard.clear();
                    if (channel.read(discard) <= 0) {
                        break;
                    }
                }
            } catch (IOException ignored) {
                // Closing anyway.
            }
            close();
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // The descriptor is gone either way.
            }
        }
    }
}
