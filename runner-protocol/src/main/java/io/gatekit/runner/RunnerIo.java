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
import java.util.function.BiFunction;

/**
 * The non-blocking side of {@link RunnerClient}: calls whose conf token is cached go out from the
 * caller's thread (the frame is written without blocking), and one selector thread reads every
 * answer, answers the runner's ExtraInfo questions and completes the call. No thread waits for a
 * runner, so a call costs the caller one write and the answer one wake-up of this thread, instead
 * of a hand-off to a blocking worker and back.
 *
 * <p>Connections here are separate from the blocking pool: each stays registered with the selector
 * for its whole life, so a pooled connection the runner closes (or writes to unasked) is noticed and
 * dropped while idle, and starting a call on it needs no wake-up. At most {@code maxInFlight} calls
 * are out at once, as with the blocking executor; more wait in arrival order.
 *
 * <p>A failure that the blocking path would retry (the runner forgot the token, or a pooled
 * connection turned out to be closed before any answer) is handed back through {@link Call#retry}.
 */
final class RunnerIo implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RunnerIo.class.getName());
    private static final int INBOX_BYTES = 8192;
    /** How often in-flight calls are checked against their read deadline. */
    private static final long SWEEP_NANOS = 200_000_000L;

    /** One call: what to send, how to read the answer, and where it goes. */
    abstract static class Call<T> {
        final int type;
        final ExtraInfoHandler handler;
        final CompletableFuture<T> result = new CompletableFuture<>();
        long deadline;

        Call(int type, ExtraInfoHandler handler) {
            this.type = type;
            this.handler = handler;
        }

        /** The request payload, encoded with {@code writer} (the connection's own). */
        abstract ByteBuffer encode(MessageWriter writer);

        /** The answer, decoded on the selector thread while its payload is valid. */
        abstract T decode(MessageReader reader, ByteBuffer payload);

        /**
         * Called instead of failing when the blocking path would try again: a forgotten token
         * ({@code tokenLost}) or a stale pooled connection. Must complete {@link #result}.
         */
        abstract void retry(RunnerException failure, boolean tokenLost);
    }

    private final Path socketPath;
    private final long connectTimeoutNanos;
    private final long readTimeoutNanos;
    private final long idleTimeoutNanos;
    private final int maxPayload;
    private final int maxIdle;
    private final int maxInFlight;
    private final Selector selector;
    private final Thread thread;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    /** Calls beyond {@link #maxInFlight}, guarded by {@code this} with {@link #inFlight}. */
    private final ArrayDeque<Call<?>> waiting = new ArrayDeque<>();
    private int inFlight;
    /** Connections whose request did not fit the socket at once: the selector thread finishes them. */
    private final ConcurrentLinkedQueue<Connection> unfinishedWrites = new ConcurrentLinkedQueue<>();
    private final List<Connection> all = new ArrayList<>(); // guarded by itself; for sweeps and close
    private volatile boolean closed;
    /** Why the selector loop ended, when it was not {@link #close()}. */
    private volatile Throwable fatal;
    /** Runs before each ready key is handled; a seam for tests that inject per-key faults. */
    private volatile java.util.function.Consumer<SelectionKey> keyHook;

    RunnerIo(Path socketPath, long connectTimeoutNanos, long readTimeoutNanos, long idleTimeoutNanos, int maxPayload,
            int maxIdle, int maxInFlight) {
        this.socketPath = socketPath;
        this.connectTimeoutNanos = connectTimeoutNanos;
        this.readTimeoutNanos = readTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.maxPayload = maxPayload;
        this.maxIdle = maxIdle;
        this.maxInFlight = maxInFlight;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new RunnerException(Kind.IO, "cannot open a selector for runner calls: " + e.getMessage(), e);
        }
        this.thread = new Thread(this::loop, "gatekit-runner-io");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts {@code call} now, or once an earlier call finished; its result completes on the selector thread. */
    <T> CompletableFuture<T> submit(Call<T> call) {
        boolean start;
        synchronized (this) {
            // Checked under the lock that shutdown() drains the queue with, so no call is queued after it.
            if (closed) {
                call.result.completeExceptionally(stoppedFailure());
                return call.result;
            }
            start = inFlight < maxInFlight;
            if (start) {
                inFlight++;
            } else {
                waiting.add(call);
            }
        }
        if (start) {
            start(call);
        }
        return call.result;
    }

    /** Whether this I/O thread has stopped (closed, or its selector failed): it takes no more calls. */
    boolean isStopped() {
        return closed;
    }

    /** Sets the hook that runs before each ready key is handled ({@code null}: none); for fault injection. */
    void keyHook(java.util.function.Consumer<SelectionKey> hook) {
        keyHook = hook;
    }

    int idleCount() {
        synchronized (idle) {
            return idle.size();
        }
    }

    /** Closes the idle connections, e.g. because the runner behind them exited. */
    void evictIdle() {
        List<Connection> dropped;
        synchronized (idle) {
            dropped = new ArrayList<>(idle);
            idle.clear();
        }
        dropped.forEach(c -> c.close());
        selector.wakeup(); // so the closed channels are deregistered now
    }

    /** Fails every call in flight or waiting with {@code CLOSED} and stops the selector thread. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
    }

    private void start(Call<?> call) {
        if (closed) {
            fail(call, stoppedFailure());
            return;
        }
        Connection connection = pollIdle();
        boolean reused = connection != null;
        if (connection == null) {
            try {
                connection = open();
            } catch (RunnerException e) {
                finished();
                // The blocking path knows how to wait for a restarting runner; let it try.
                call.retry(e, false);
                return;
            }
        }
        connection.reused = reused;
        connection.answered = false;
        call.deadline = System.nanoTime() + readTimeoutNanos;
        ByteBuffer payload;
        try {
            payload = call.encode(connection.writer);
        } catch (RuntimeException e) {
            release(connection);
            fail(call, e instanceof RunnerException re ? re
                    : new RunnerException(Kind.PROTOCOL, "cannot encode " + Frames.typeName(call.type) + ": " + e, e));
            return;
        }
        connection.call = call; // volatile: the selector thread sees the call before any answer to it
        send(connection, call.type, payload, false);
    }

    private Connection open() {
        SocketChannel channel = UnixSockets.connect(socketPath, connectTimeoutNanos);
        Connection connection = new Connection(channel);
        try {
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
        } catch (IOException | RuntimeException e) {
            connection.close();
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
            if (connection.channel.isOpen() && now - connection.idleSince < idleTimeoutNanos) {
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
            kept = !closed && idle.size() < maxIdle && connection.channel.isOpen();
            if (kept) {
                idle.addFirst(connection);
            }
        }
        if (!kept) {
            connection.close();
        }
    }

    /** A slot is free: the next waiting call takes it, or the count goes down. */
    private void finished() {
        Call<?> next;
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
        // the pool and carry the next call (encoded into the same writer), before this thread has
        // returned from its write; the JDK sets the positions of the buffers it was given only after
        // the bytes left, so shared buffer objects would have the next call's frame marked as sent.
        ByteBuffer header = ByteBuffer.allocate(Frames.HEADER_BYTES);
        ByteBuffer body = payload.duplicate();
        ByteBuffer[] frame = {header, body};
        try {
            Frames.putHeader(header, type, body.remaining(), maxPayload);
            connection.channel.write(frame);
            if (!body.hasRemaining()) {
                return;
            }
            connection.unsent = frame;
        } catch (IOException | RuntimeException e) {
            broken(connection, e instanceof RunnerException re ? re
                    : new RunnerException(Kind.IO, "send failed: " + e, e));
            return;
        }
        if (onSelector) {
            connection.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        } else {
            unfinishedWrites.add(connection);
            selector.wakeup();
        }
    }

    // ---------------------------------------------------------------- selector thread

    /**
     * Runs until {@link #close()}. Whatever goes wrong with one connection costs that connection and
     * its call only (see {@link #ready}); the loop itself ends early only when the selector fails,
     * and then {@link RunnerClient} starts a new one for the next call.
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
     * Either way only this connection is given up, and with it only its own call.
     */
    private void ready(SelectionKey key) {
        Connection connection = (Connection) key.attachment();
        try {
            java.util.function.Consumer<SelectionKey> hook = keyHook;
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
            broken(connection, new RunnerException(Kind.IO, "send failed: " + e.getMessage(), e));
            return;
        }
        if (!frame[1].hasRemaining()) {
            connection.unsent = null;
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
            broken(connection, new RunnerException(Kind.IO, "read failed: " + e.getMessage(), e));
            return;
        }
        if (n < 0) {
            broken(connection, new RunnerException(Kind.IO, "connection closed by the runner while waiting for"
                    + " the answer"));
            return;
        }
        while (connection.channel.isOpen() && frame(connection)) {
            // one frame handled; the next may already be in the inbox
        }
        connection.compactInbox();
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
        Call<?> call = connection.call;
        if (call == null) {
            // Nothing was asked: a runner that writes unasked cannot be trusted with the next call.
            connection.close();
            return false;
        }
        try {
            Frames.checkLength("received payload of " + Frames.typeName(type), length, maxPayload);
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
        call.deadline = System.nanoTime() + readTimeoutNanos;
        if (type == call.type) {
            answer(connection, call, payload);
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
        if (type == Frames.RPC_EXTRA_INFO) {
            return extraInfo(connection, call, payload);
        }
        broken(connection, new RunnerException(Kind.PROTOCOL, "unexpected type " + type
                + " while waiting for the answer to " + Frames.typeName(call.type)));
        return false;
    }

    private <T> void answer(Connection connection, Call<T> call, ByteBuffer payload) {
        T value;
        try {
            value = call.decode(connection.reader, payload);
        } catch (RuntimeException e) {
            broken(connection, e instanceof RunnerException re ? re
                    : new RunnerException(Kind.PROTOCOL, "cannot read the answer: " + e, e));
            return;
        }
        if (connection.take() != call) {
            return; // settled elsewhere meanwhile
        }
        if (connection.inbox.hasRemaining()) {
            connection.close(); // bytes after the answer: the next call would take them for its own
        } else {
            release(connection); // back in the pool before the caller hears of it
        }
        finished();
        call.result.complete(value);
    }

    private boolean extraInfo(Connection connection, Call<?> call, ByteBuffer payload) {
        byte[] answer;
        ExtraInfo question;
        try {
            question = connection.reader.extraInfoReq(payload);
        } catch (RuntimeException e) {
            broken(connection, e instanceof RunnerException re ? re
                    : new RunnerException(Kind.PROTOCOL, "cannot read ExtraInfo: " + e, e));
            return false;
        }
        try {
            answer = call.handler.answer(question);
            if (answer != null) {
                Frames.checkLength("answer to " + question, answer.length, maxPayload);
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

    /** The connection cannot go on: it closes, and its call (if any) fails or is retried. */
    private void broken(Connection connection, RunnerException failure) {
        Call<?> call = connection.take();
        connection.close();
        if (call != null) {
            failOrRetry(connection, call, failure);
        }
    }

    private void failOrRetry(Connection connection, Call<?> call, RunnerException failure) {
        finished();
        if (failure.isConfTokenNotFound()) {
            call.retry(failure, true);
        } else if (failure.kind() == Kind.IO && connection.reused && !connection.answered) {
            // A pooled connection the runner closed while idle: the request never arrived.
            call.retry(failure, false);
        } else {
            call.result.completeExceptionally(failure);
        }
    }

    private void fail(Call<?> call, RunnerException failure) {
        finished();
        call.result.completeExceptionally(failure);
    }

    private void sweep(long now) {
        List<Connection> expired = new ArrayList<>();
        synchronized (all) {
            all.removeIf(c -> !c.channel.isOpen());
            for (Connection c : all) {
                Call<?> call = c.call;
                if (call != null && now - call.deadline >= 0) {
                    expired.add(c);
                }
            }
        }
        for (Connection c : expired) {
            broken(c, new RunnerException(Kind.TIMEOUT, "read timed out"));
        }
        List<Connection> stale = new ArrayList<>();
        synchronized (idle) {
            while (!idle.isEmpty() && now - idle.peekLast().idleSince >= idleTimeoutNanos) {
                stale.add(idle.pollLast());
            }
        }
        stale.forEach(Connection::close);
    }

    /** What calls fail with once this I/O thread has stopped. */
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
            Call<?> call = c.take();
            c.close();
            if (call != null) {
                call.result.completeExceptionally(stoppedFailure());
            }
        }
        List<Call<?>> queued;
        synchronized (this) {
            queued = new ArrayList<>(waiting);
            waiting.clear();
        }
        queued.forEach(c -> c.result.completeExceptionally(stoppedFailure()));
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
        volatile Call<?> call;
        volatile long idleSince;

        /** Takes the call to settle it; only one thread gets it (a send failure and the selector may race). */
        synchronized Call<?> take() {
            Call<?> taken = call;
            call = null;
            return taken;
        }
        boolean reused;
        boolean answered;

        Connection(SocketChannel channel) {
            this.channel = channel;
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
                if (inbox.capacity() > 64 * 1024) {
                    inbox = ByteBuffer.allocate(INBOX_BYTES);
                }
                inbox.position(0).limit(0);
            } else if (inbox.position() > 0 && inbox.capacity() - inbox.limit() < INBOX_BYTES / 2) {
                inbox.compact().flip();
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // The descriptor is gone either way.
            }
        }
    }

    /** A call built from lambdas; what {@link RunnerClient} uses. */
    static <T> Call<T> call(int type, ExtraInfoHandler handler, java.util.function.Function<MessageWriter, ByteBuffer> encode,
            BiFunction<MessageReader, ByteBuffer, T> decode, java.util.function.BiConsumer<Call<T>, RunnerException> onRetry,
            java.util.function.BiConsumer<Call<T>, RunnerException> onTokenLost) {
        return new Call<>(type, handler) {
            @Override
            ByteBuffer encode(MessageWriter writer) {
                return encode.apply(writer);
            }

            @Override
            T decode(MessageReader reader, ByteBuffer payload) {
                return decode.apply(reader, payload);
            }

            @Override
            void retry(RunnerException failure, boolean tokenLost) {
                (tokenLost ? onTokenLost : onRetry).accept(this, failure);
            }
        };
    }
}
