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
        /** Sent again already since its last {@link #submit}: it is not sent a third time. */
        boolean resent;
        /** Its next start opens a new connection instead of taking a pooled one. */
        boolean fresh;

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
         * Whether the runner may get this RPC twice: false by default, as a call's plugins may act
         * on each copy (count, log, call out).
         */
        boolean idempotent() {
            return false;
        }

        /**
         * Whether what the RPC carries is still good for the runner behind the connection it is
         * about to go out on: checked after the connection was found or opened (an open may have
         * found a new runner), before the RPC is encoded. True by default.
         */
        boolean stillValid() {
            return true;
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
    /** Told after each new connection is made, before any RPC goes out on it. */
    private final Runnable connected;
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
    /** Runs on the closing thread just before a connection's channel closes; a seam for tests of that moment. */
    private volatile Runnable closeHook;

    /**
     * A transport; {@code connected} runs on the caller's thread after each new connection is made,
     * before any RPC goes out on it (the client checks there which runner it reached).
     */
    RunnerIo(Settings settings, Runnable connected) {
        this.settings = settings;
        this.connected = connected;
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
        rpc.resent = false;
        rpc.fresh = false;
        enqueue(rpc);
        return rpc.result;
    }

    /** Sends {@code rpc} once more, on a new connection: its connection broke before the runner could act on it. */
    private void resend(Rpc<?> rpc) {
        rpc.resent = true;
        rpc.fresh = true;
        enqueue(rpc);
    }

    private void enqueue(Rpc<?> rpc) {
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
        dropped.forEach(this::discard);
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
        while (true) {
            if (closed) {
                fail(rpc, stoppedFailure());
                return;
            }
            Connection connection = rpc.fresh ? null : pollIdle();
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
                frame = frame(rpc.type, rpc.encode(connection.writer));
            } catch (RuntimeException e) {
                release(connection);
                fail(rpc, e instanceof RunnerException re ? re
                        : new RunnerException(Kind.PROTOCOL, "cannot encode " + Frames.typeName(rpc.type) + ": " + e, e));
                return;
            }
            if (claimAndSend(connection, rpc, frame)) {
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

    /** A frame's header and payload as buffers of their own (see {@link #send}); checks the length. */
    private ByteBuffer[] frame(int type, ByteBuffer payload) {
        ByteBuffer header = ByteBuffer.allocate(Frames.HEADER_BYTES);
        ByteBuffer body = payload.duplicate();
        Frames.putHeader(header, type, body.remaining(), settings.maxPayload());
        return new ByteBuffer[] {header, body};
    }

    /**
     * Puts {@code rpc} on {@code connection} and writes its frame, unless the connection was retired:
     * then nothing happens and this returns false. The write happens under the connection's lock, so
     * a connection retired after the claim has the frame out (or failed to write it) already, and
     * what the runner then does with the connection tells whether it read it.
     */
    private boolean claimAndSend(Connection connection, Rpc<?> rpc, ByteBuffer[] frame) {
        IOException failure = null;
        boolean unfinished = false;
        synchronized (connection) {
            if (connection.retired) {
                return false;
            }
            connection.received = false;
            connection.sendFailed = false;
            rpc.deadline = System.nanoTime() + settings.readTimeoutNanos();
            connection.call = rpc; // volatile: the selector thread sees the RPC before any answer to it
            try {
                connection.channel.write(frame);
                if (frame[1].hasRemaining()) {
                    // The runner cannot answer a frame it has not got whole: nothing races with this.
                    rpc.deadline = System.nanoTime() + settings.sendTimeoutNanos();
                    connection.unsent = frame;
                    unfinished = true;
                }
            } catch (IOException e) {
                // Recorded before the lock is let go: the selector thread may retire the connection
                // (it saw the runner's end of stream) before this thread does, and must know.
                connection.sendFailed = true;
                failure = e;
            }
        }
        if (failure != null) {
            broken(connection, sendFailed(failure), Breakage.SEND_FAILED);
        } else if (unfinished) {
            unfinishedWrites.add(connection);
            selector.wakeup();
        }
        return true;
    }

    private Connection open() {
        SocketChannel channel = UnixSockets.connect(settings.socketPath(), settings.connectTimeoutNanos());
        try {
            connected.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "runner connection listener failed; going on", e);
        }
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
            discard(connection);
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
            discard(connection);
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
            discard(connection);
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
     * Writes one frame (an ExtraInfo answer) from the selector thread without blocking; what does
     * not fit now is finished when the socket has room.
     */
    private void send(Connection connection, int type, ByteBuffer payload) {
        // Buffer objects of this send's own: the runner may answer, and the connection go back to
        // the pool and carry the next RPC (encoded into the same writer), before the bytes of this
        // frame are all out; shared buffer objects would have the next RPC's frame marked as sent.
        ByteBuffer[] frame;
        try {
            frame = frame(type, payload);
            connection.channel.write(frame);
        } catch (IOException e) {
            broken(connection, sendFailed(e), Breakage.SEND_FAILED);
            return;
        } catch (RunnerException e) {
            broken(connection, e, Breakage.OTHER);
            return;
        }
        if (!frame[1].hasRemaining()) {
            return;
        }
        Rpc<?> rpc = connection.call;
        if (rpc != null) {
            rpc.deadline = System.nanoTime() + settings.sendTimeoutNanos();
        }
        connection.unsent = frame;
        connection.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
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
                broken(unfinished, closedWhileInUse(), Breakage.OTHER);
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
            broken(connection, closedWhileInUse(), Breakage.OTHER);
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "runner connection failed; only its call fails", e);
            broken(connection, new RunnerException(Kind.IO, "runner connection failed: " + e, e), Breakage.OTHER);
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
            broken(connection, sendFailed(e), Breakage.SEND_FAILED);
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
                    ? "connection closed" : e.getMessage()), e), isReset(e) ? Breakage.RESET : Breakage.OTHER);
            return;
        }
        if (n < 0) {
            closedByRunner(connection);
            return;
        }
        if (n > 0) {
            connection.received = true;
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
        broken(connection, new RunnerException(Kind.IO, message), Breakage.END_OF_STREAM);
    }

    /**
     * Whether a read failed because the runner reset the connection: on a unix socket that means
     * it closed its end with bytes of ours unread (Linux's af_unix sets ECONNRESET only then).
     */
    private static boolean isReset(IOException e) {
        String message = e.getMessage(); // "Connection reset" (a SocketException), "Connection reset by peer"
        return message != null && message.startsWith("Connection reset");
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
            broken(connection, new RunnerException(Kind.IO, "connection closed: the runner wrote "
                    + Frames.typeName(type) + " to it unasked"), Breakage.OTHER);
            return false;
        }
        try {
            Frames.checkLength("received payload of " + Frames.typeName(type), length, settings.maxPayload());
            if (length == 0) {
                throw new RunnerException(Kind.PROTOCOL, "received " + Frames.typeName(type) + " with an empty payload");
            }
        } catch (RunnerException e) {
            broken(connection, e, Breakage.OTHER);
            return false;
        }
        if (inbox.remaining() < Frames.HEADER_BYTES + length) {
            connection.ensureCapacity(Frames.HEADER_BYTES + length);
            return false;
        }
        ByteBuffer payload = inbox.slice(start + Frames.HEADER_BYTES, length).order(ByteOrder.LITTLE_ENDIAN);
        inbox.position(start + Frames.HEADER_BYTES + length);
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
            broken(connection, failure, Breakage.OTHER);
            return false;
        }
        if (type == Frames.RPC_EXTRA_INFO && rpc.handler != null) {
            return extraInfo(connection, rpc, payload);
        }
        String name = Frames.typeName(type);
        RunnerException unexpected = new RunnerException(Kind.PROTOCOL, "unexpected type " + type
                + (name.startsWith("type ") ? "" : " (" + name + ")") + " while waiting for the answer to "
                + Frames.typeName(rpc.type) + " (expected: " + Frames.typeName(rpc.type)
                + (rpc.handler != null ? ", RPC_EXTRA_INFO" : "") + " or RPC_ERROR)");
        broken(connection, unexpected, Breakage.OTHER);
        return false;
    }

    private <T> void answer(Connection connection, Rpc<T> rpc, ByteBuffer payload) {
        T value;
        try {
            value = rpc.decode(connection.reader, payload);
        } catch (RuntimeException e) {
            broken(connection, e instanceof RunnerException re ? re
                    : new RunnerException(Kind.PROTOCOL, "cannot read the answer: " + e, e), Breakage.OTHER);
            return;
        }
        if (connection.take() != rpc) {
            return; // settled elsewhere meanwhile
        }
        if (rpc.closesConnection()) {
            connection.retire();
            connection.drainAndClose();
        } else if (connection.inbox.hasRemaining()) {
            discard(connection); // bytes after the answer: the next RPC would take them for its own
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
                    : new RunnerException(Kind.PROTOCOL, "cannot read ExtraInfo: " + e, e), Breakage.OTHER);
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
            broken(connection, e, Breakage.OTHER);
            return false;
        } catch (Throwable e) {
            // Errors too (an AssertionError in a handler, say): the handler's bug fails its own call.
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            broken(connection, new RunnerException(Kind.HANDLER, "cannot answer " + question + ": " + e, e),
                    Breakage.OTHER);
            return false;
        }
        send(connection, Frames.RPC_EXTRA_INFO, connection.writer.extraInfoResp(answer));
        return connection.channel.isOpen();
    }

    /** How a connection broke, as far as that tells whether the runner read the RPC on it. */
    private enum Breakage {
        /** Writing the RPC's frame failed: the runner never had it whole. */
        SEND_FAILED,
        /** The runner reset the connection: it closed it with bytes of ours unread. */
        RESET,
        /** The runner closed the connection after reading everything that had reached it. */
        END_OF_STREAM,
        /** Anything else: a timeout, a bad frame, a failing handler, a close on this side. */
        OTHER
    }

    /**
     * The connection cannot go on: it is retired and closed, and its RPC (if any) fails, or is sent
     * once more on a new connection when the runner cannot have acted on it.
     */
    private void broken(Connection connection, RunnerException failure, Breakage breakage) {
        Rpc<?> rpc = connection.retire();
        boolean unprocessed = rpc != null && unprocessed(connection, rpc, breakage);
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

    /**
     * Whether the runner cannot have acted on {@code rpc}: nothing of an answer (nor a question)
     * came back, and the frame never left whole, or the runner reset the connection with it unread,
     * or the runner read it but may get it twice ({@code PrepareConf}).
     */
    private static boolean unprocessed(Connection connection, Rpc<?> rpc, Breakage breakage) {
        if (connection.sendFailed) {
            return true; // whatever broke the connection first, the runner never had the frame whole
        }
        if (connection.received) {
            return false;
        }
        return switch (breakage) {
            case SEND_FAILED, RESET -> true;
            case END_OF_STREAM -> connection.unsent != null || rpc.idempotent();
            case OTHER -> false;
        };
    }

    /** Retires and closes a connection no RPC should be on (idle, or done with); settles one that is. */
    private void discard(Connection connection) {
        Rpc<?> rpc = connection.retire();
        connection.close();
        if (rpc != null) {
            fail(rpc, closedWhileInUse());
        }
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
        List<Connection> gone = new ArrayList<>();
        synchronized (all) {
            all.removeIf(c -> {
                if (c.channel.isOpen()) {
                    return false;
                }
                gone.add(c);
                return true;
            });
            for (Connection c : all) {
                Rpc<?> rpc = c.call;
                if (rpc != null && now - rpc.deadline >= 0) {
                    expired.add(c);
                }
            }
        }
        // A closed channel with an RPC on it is one closed without retiring it (by a path that
        // forgot, or by someone outside this class): its RPC still fails now, never later.
        gone.forEach(this::discard);
        for (Connection c : expired) {
            broken(c, new RunnerException(Kind.TIMEOUT, c.unsent != null ? "send timed out" : "read timed out"),
                    Breakage.OTHER);
        }
        List<Connection> stale = new ArrayList<>();
        synchronized (idle) {
            while (!idle.isEmpty() && now - idle.peekLast().idleSince >= settings.idleTimeoutNanos()) {
                stale.add(idle.pollLast());
            }
        }
        stale.forEach(this::discard);
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
            Rpc<?> rpc = c.retire();
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

    /**
     * One runner connection; reads and ExtraInfo answers happen on the selector thread only. Its
     * lock orders taking it for an RPC (with the RPC's first write) against retiring it.
     */
    private final class Connection {
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
        /** Bytes arrived since the RPC on it was sent: the runner began to answer or to ask. */
        volatile boolean received;
        /** Writing the RPC's frame failed, so the runner never had it whole. */
        volatile boolean sendFailed;
        /** Closing or closed: no RPC may take it any more. Guarded by this. */
        boolean retired;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        /** Takes the answered RPC off the connection, which may then carry the next one. */
        synchronized Rpc<?> take() {
            Rpc<?> taken = call;
            call = null;
            return taken;
        }

        /**
         * Marks the connection as closing, so no RPC takes it any more, and takes the RPC on it (if
         * any) for the caller to settle; only one thread gets it.
         */
        synchronized Rpc<?> retire() {
            retired = true;
            return take();
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
            Runnable hook = closeHook;
            if (hook != null) {
                hook.run();
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // The descriptor is gone either way.
            }
        }
    }
}
