package io.gatekit.runner.internal;

import io.gatekit.runner.RunnerException;
import io.gatekit.runner.RunnerException.Kind;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Frames over one unix stream socket. In non-blocking mode every read and write waits at most its
 * timeout, using a selector of its own that is only touched when the socket is not ready; in
 * blocking mode (the runner side) timeouts are ignored.
 *
 * <p>Reads take whatever the socket has into one inbox buffer, so a frame usually costs a single
 * read call and frames that arrive together (pipelined ExtraInfo questions) cost one for all. A
 * {@link #payload()} is a view into the inbox, valid until the next {@link #read}. Not thread-safe:
 * one RPC at a time.
 */
public final class FrameChannel implements Closeable {

    /** What {@link #read} returns when the peer closed the connection between two frames. */
    public static final int END_OF_STREAM = -1;

    private static final int INBOX_BYTES = 8192;
    /** An inbox grown past this for a big frame goes back to the usual size once it is empty. */
    private static final int KEPT_INBOX_BYTES = 64 * 1024;

    private final SocketChannel channel;
    private final int maxPayload;
    private final boolean blocking;
    private final ByteBuffer writeHeader = ByteBuffer.allocate(Frames.HEADER_BYTES);
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    /** Unread bytes between position and limit. */
    private ByteBuffer inbox = ByteBuffer.allocate(INBOX_BYTES).limit(0);
    private ByteBuffer payload;
    private Selector selector;
    private SelectionKey key;
    /** A request just went out, so its answer cannot be there yet: wait before trying to read. */
    private boolean awaitingAnswer;

    public FrameChannel(SocketChannel channel, int maxPayload) {
        this.channel = channel;
        this.maxPayload = Checks.range("maxPayload", maxPayload, 1, Frames.MAX_PAYLOAD);
        this.blocking = channel.isBlocking();
    }

    /** Sends one frame; {@code payload} is consumed from its position to its limit. */
    public void write(int type, ByteBuffer payload, long timeoutNanos) {
        Frames.putHeader(writeHeader, type, payload.remaining(), maxPayload);
        gather[0] = writeHeader;
        gather[1] = payload;
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (payload.hasRemaining()) {
                if (channel.write(gather) == 0) {
                    await(SelectionKey.OP_WRITE, deadline, "send");
                }
            }
        } catch (IOException e) {
            throw broken("send failed", e);
        } finally {
            gather[1] = null;
        }
        awaitingAnswer = !blocking;
    }

    /**
     * Reads one whole frame and returns its type; the payload is then in {@link #payload()}.
     * Returns {@link #END_OF_STREAM} when the peer closed the connection before a new frame began.
     * A frame with an empty payload is a protocol error: no message is empty on the wire.
     */
    public int read(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        shrinkIfEmpty();
        if (!fill(Frames.HEADER_BYTES, 0, deadline, "frame header")) {
            return END_OF_STREAM;
        }
        int start = inbox.position();
        int type = inbox.get(start) & 0xFF;
        int length = (inbox.get(start + 1) & 0xFF) << 16 | (inbox.get(start + 2) & 0xFF) << 8 | inbox.get(start + 3) & 0xFF;
        Frames.checkLength("received payload of " + Frames.typeName(type), length, maxPayload);
        if (length == 0) {
            inbox.position(start + Frames.HEADER_BYTES);
            throw new RunnerException(Kind.PROTOCOL, "received " + Frames.typeName(type) + " with an empty payload");
        }
        fill(Frames.HEADER_BYTES + length, Frames.HEADER_BYTES, deadline,
                Frames.typeName(type) + " payload of " + length + " bytes");
        start = inbox.position(); // filling may have moved the frame to the front of a new inbox
        payload = inbox.slice(start + Frames.HEADER_BYTES, length).order(ByteOrder.LITTLE_ENDIAN);
        inbox.position(start + Frames.HEADER_BYTES + length);
        return type;
    }

    /** The payload of the last frame read, positioned at its start. */
    public ByteBuffer payload() {
        return payload;
    }

    /**
     * Whether the socket can carry a new RPC: open, not closed by the peer, and without unread bytes
     * (a stale frame would be taken for the answer to the next call). Non-blocking mode only.
     */
    public boolean isClean() {
        if (blocking || !channel.isOpen() || inbox.hasRemaining()) {
            return false;
        }
        try {
            probe.clear();
            return channel.read(probe) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    public int maxPayload() {
        return maxPayload;
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to release: the descriptor is gone either way.
        }
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException ignored) {
                // As above.
            }
        }
    }

    /**
     * Reads until the inbox holds at least {@code needed} unread bytes; false when the peer closed
     * the connection while the inbox was empty (between frames). {@code skip} leading bytes are not
     * counted in the error message (the header, when reading a payload).
     */
    private boolean fill(int needed, int skip, long deadline, String what) {
        if (inbox.remaining() >= needed) {
            return true;
        }
        makeRoom(needed);
        try {
            if (awaitingAnswer) {
                // Saves a read that would find nothing: on the client, almost every answer needs a wait.
                awaitingAnswer = false;
                await(SelectionKey.OP_READ, deadline, "read");
            }
            while (inbox.remaining() < needed) {
                int n = readMore();
                if (n < 0) {
                    if (!inbox.hasRemaining() && needed == Frames.HEADER_BYTES) {
                        return false;
                    }
                    throw new RunnerException(Kind.IO, "connection closed by peer while reading " + what
                            + " (" + (inbox.remaining() - skip) + " of " + (needed - skip) + " bytes read)");
                }
                if (n == 0) {
                    await(SelectionKey.OP_READ, deadline, "read");
                }
            }
            return true;
        } catch (IOException e) {
            throw broken("read failed", e);
        }
    }

    /** Appends what the socket has after the unread bytes. */
    private int readMore() throws IOException {
        int start = inbox.position();
        inbox.position(inbox.limit()).limit(inbox.capacity());
        try {
            return channel.read(inbox);
        } finally {
            inbox.limit(inbox.position()).position(start);
        }
    }

    /** Makes sure {@code needed} bytes fit after the inbox's position, moving unread bytes to the front. */
    private void makeRoom(int needed) {
        if (inbox.capacity() - inbox.position() >= needed) {
            return;
        }
        if (inbox.capacity() >= needed) {
            inbox.compact().flip();
            return;
        }
        int capacity = Math.max(needed, Math.min(inbox.capacity() * 2, maxPayload + Frames.HEADER_BYTES));
        ByteBuffer bigger = ByteBuffer.allocate(capacity);
        bigger.put(inbox).flip();
        inbox = bigger;
    }

    /** A big frame's inbox is not kept for the life of a pooled connection. */
    private void shrinkIfEmpty() {
        if (!inbox.hasRemaining() && inbox.capacity() > KEPT_INBOX_BYTES) {
            inbox = ByteBuffer.allocate(INBOX_BYTES).limit(0);
        } else if (!inbox.hasRemaining()) {
            inbox.position(0).limit(0);
        }
    }

    /** Waits until the socket is ready for {@code op}, or fails at the deadline. */
    private void await(int op, long deadline, String what) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new RunnerException(Kind.TIMEOUT, what + " timed out");
        }
        if (selector == null) {
            selector = Selector.open();
            key = channel.register(selector, 0);
        }
        key.interestOps(op);
        // Selector timeouts are in milliseconds and 0 means forever: round up to at least 1 ms.
        selector.select(k -> { }, Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999)));
    }

    private RunnerException broken(String message, IOException e) {
        if (e instanceof ClosedChannelException) {
            return new RunnerException(Kind.IO, message + ": connection closed", e);
        }
        return new RunnerException(Kind.IO, message + ": " + e.getMessage(), e);
    }
}
