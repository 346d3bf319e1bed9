package io.gatekit.runner;

import io.gatekit.runner.internal.MessageReader;
import io.gatekit.runner.internal.MessageWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;

/**
 * One connection of the {@link RunnerIo} transport to the runner, carrying one RPC at a time; reads
 * and ExtraInfo answers happen on the selector thread only. Its lock orders taking it for an RPC
 * (with the RPC's first write) against retiring it.
 */
final class RpcConnection {

    private static final int DRAIN_BYTES = 8192;

    final SocketChannel channel;
    SelectionKey key;
    final MessageWriter writer = new MessageWriter();
    final MessageReader reader = new MessageReader();
    final FrameInbox inbox = new FrameInbox();
    /** The rest of a frame the socket had no room for; handed to the selector thread. */
    volatile ByteBuffer[] unsent;
    volatile RunnerRpc<?> call;
    volatile long idleSince;
    /** Bytes arrived since the RPC on it was sent: the runner began to answer or to ask. */
    volatile boolean received;
    /** Writing the RPC's frame failed, so the runner never had it whole. */
    volatile boolean sendFailed;
    /** Closing or closed: no RPC may take it any more. Guarded by this. */
    boolean retired;
    /** The transport's test seam run just before the channel closes; it may hold {@code null}. */
    private final Supplier<Runnable> closeHook;

    RpcConnection(SocketChannel channel, Supplier<Runnable> closeHook) {
        this.channel = channel;
        this.closeHook = closeHook;
    }

    /** Takes the answered RPC off the connection, which may then carry the next one. */
    synchronized RunnerRpc<?> take() {
        RunnerRpc<?> taken = call;
        call = null;
        return taken;
    }

    /**
     * Marks the connection as closing, so no RPC takes it any more, and takes the RPC on it (if
     * any) for the caller to settle; only one thread gets it.
     */
    synchronized RunnerRpc<?> retire() {
        retired = true;
        return take();
    }

    /**
     * Discards whatever already arrived, then closes. Closing a unix socket with unread bytes
     * resets the peer's end, which the Java runner logs as an error with a stack trace for every
     * PrepareConf (whose answer it sends twice).
     */
    void drainAndClose() {
        inbox.clear();
        ByteBuffer discard = ByteBuffer.allocate(DRAIN_BYTES);
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
        Runnable hook = closeHook.get();
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
