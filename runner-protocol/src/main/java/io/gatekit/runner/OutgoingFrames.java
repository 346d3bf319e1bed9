package io.gatekit.runner;

import io.gatekit.runner.RunnerException.Kind;
import io.gatekit.runner.internal.Frames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * How the {@link RunnerIo} transport writes frames without blocking: an RPC's frame from the
 * caller's thread, an ExtraInfo answer from the selector thread, and the rest of either, when the
 * socket had no room for it, from the selector thread once the socket has. A failed write breaks
 * the connection with {@link Breakage#SEND_FAILED}.
 */
final class OutgoingFrames {

    private final RunnerIo io;
    private final TransportSettings settings;
    private final Selector selector;
    /** Connections whose frame did not fit the socket at once: the selector thread finishes them. */
    private final ConcurrentLinkedQueue<RpcConnection> unfinishedWrites = new ConcurrentLinkedQueue<>();

    OutgoingFrames(RunnerIo io, TransportSettings settings, Selector selector) {
        this.io = io;
        this.settings = settings;
        this.selector = selector;
    }

    /** A frame's header and payload as buffers of their own (see {@link #send}); checks the length. */
    ByteBuffer[] frame(int type, ByteBuffer payload) {
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
    boolean claimAndSend(RpcConnection connection, RunnerRpc<?> rpc, ByteBuffer[] frame) {
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
            io.broken(connection, sendFailed(failure), Breakage.SEND_FAILED);
        } else if (unfinished) {
            unfinishedWrites.add(connection);
            selector.wakeup();
        }
        return true;
    }

    /**
     * Writes one frame (an ExtraInfo answer) from the selector thread without blocking; what does
     * not fit now is finished when the socket has room.
     */
    void send(RpcConnection connection, int type, ByteBuffer payload) {
        // Buffer objects of this send's own: the runner may answer, and the connection go back to
        // the pool and carry the next RPC (encoded into the same writer), before the bytes of this
        // frame are all out; shared buffer objects would have the next RPC's frame marked as sent.
        ByteBuffer[] frame;
        try {
            frame = frame(type, payload);
            connection.channel.write(frame);
        } catch (IOException e) {
            io.broken(connection, sendFailed(e), Breakage.SEND_FAILED);
            return;
        } catch (RunnerException e) {
            io.broken(connection, e, Breakage.OTHER);
            return;
        }
        if (!frame[1].hasRemaining()) {
            return;
        }
        RunnerRpc<?> rpc = connection.call;
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

    /** Has the selector watch the connections whose frame did not fit the socket at once; selector thread. */
    void watchUnfinishedWrites() {
        RpcConnection unfinished;
        while ((unfinished = unfinishedWrites.poll()) != null) {
            try {
                unfinished.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            } catch (CancelledKeyException e) {
                io.broken(unfinished, RunnerIo.closedWhileInUse(), Breakage.OTHER);
            }
        }
    }

    /** Writes more of the frame the socket had no room for, now that it has; selector thread. */
    void finishWrite(RpcConnection connection) {
        ByteBuffer[] frame = connection.unsent;
        if (frame == null) {
            connection.key.interestOps(SelectionKey.OP_READ);
            return;
        }
        try {
            connection.channel.write(frame);
        } catch (IOException e) {
            io.broken(connection, sendFailed(e), Breakage.SEND_FAILED);
            return;
        }
        if (!frame[1].hasRemaining()) {
            connection.unsent = null;
            RunnerRpc<?> rpc = connection.call;
            if (rpc != null) {
                rpc.deadline = System.nanoTime() + settings.readTimeoutNanos();
            }
            connection.key.interestOps(SelectionKey.OP_READ);
        }
    }
}
