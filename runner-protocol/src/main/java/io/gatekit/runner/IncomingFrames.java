package io.gatekit.runner;

import io.gatekit.runner.RunnerException.Kind;
import io.gatekit.runner.internal.Frames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * What the {@link RunnerIo} transport does with the bytes a runner sends, on the selector thread:
 * assembles them into frames, and takes each frame for what it is (the answer to the RPC on the
 * connection, an ExtraInfo question to answer, the runner's error, or a frame nobody asked for).
 * Whatever is wrong breaks that connection only.
 */
final class IncomingFrames {

    private final RunnerIo io;
    private final TransportSettings settings;
    /** Where the answers to ExtraInfo questions go out. */
    private final OutgoingFrames outgoing;

    IncomingFrames(RunnerIo io, TransportSettings settings, OutgoingFrames outgoing) {
        this.io = io;
        this.settings = settings;
        this.outgoing = outgoing;
    }

    /** Reads what the connection has and handles every whole frame in it. */
    void read(RpcConnection connection) {
        int n;
        try {
            n = connection.inbox.readFrom(connection.channel);
        } catch (IOException e) {
            io.broken(connection, new RunnerException(Kind.IO, "read failed: " + (e instanceof ClosedChannelException
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
        connection.inbox.compact();
    }

    /** The runner closed the connection: between frames, or in the middle of one. */
    private void closedByRunner(RpcConnection connection) {
        RunnerRpc<?> rpc = connection.call;
        FrameInbox inbox = connection.inbox;
        int have = inbox.remaining();
        String message;
        if (rpc == null || have == 0) {
            message = "connection closed by the runner while waiting for the answer"
                    + (rpc == null ? "" : " to " + Frames.typeName(rpc.type));
        } else if (have < Frames.HEADER_BYTES) {
            message = "connection closed by the runner while reading the frame header (" + have + " of "
                    + Frames.HEADER_BYTES + " bytes read)";
        } else {
            int length = inbox.length();
            message = "connection closed by the runner while reading " + Frames.typeName(inbox.type())
                    + " payload of " + length + " bytes (" + (have - Frames.HEADER_BYTES) + " of " + length
                    + " bytes read)";
        }
        io.broken(connection, new RunnerException(Kind.IO, message), Breakage.END_OF_STREAM);
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
    private boolean frame(RpcConnection connection) {
        FrameInbox inbox = connection.inbox;
        if (!inbox.hasHeader()) {
            return false;
        }
        int type = inbox.type();
        int length = inbox.length();
        RunnerRpc<?> rpc = connection.call;
        if (rpc == null) {
            // Nothing was asked: a runner that writes unasked cannot be trusted with the next RPC.
            io.broken(connection, new RunnerException(Kind.IO, "connection closed: the runner wrote "
                    + Frames.typeName(type) + " to it unasked"), Breakage.OTHER);
            return false;
        }
        try {
            Frames.checkLength("received payload of " + Frames.typeName(type), length, settings.maxPayload());
            if (length == 0) {
                throw new RunnerException(Kind.PROTOCOL, "received " + Frames.typeName(type) + " with an empty payload");
            }
        } catch (RunnerException e) {
            io.broken(connection, e, Breakage.OTHER);
            return false;
        }
        if (!inbox.hasFrame(length)) {
            return false;
        }
        ByteBuffer payload = inbox.takePayload(length);
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
            io.broken(connection, failure, Breakage.OTHER);
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
        io.broken(connection, unexpected, Breakage.OTHER);
        return false;
    }

    private <T> void answer(RpcConnection connection, RunnerRpc<T> rpc, ByteBuffer payload) {
        T value;
        try {
            value = rpc.decode(connection.reader, payload);
        } catch (RuntimeException e) {
            io.broken(connection, e instanceof RunnerException re ? re
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
            io.discard(connection); // bytes after the answer: the next RPC would take them for its own
        } else {
            io.release(connection); // back in the pool before the caller hears of it
        }
        io.finished();
        rpc.result.complete(value);
    }

    private boolean extraInfo(RpcConnection connection, RunnerRpc<?> rpc, ByteBuffer payload) {
        ExtraInfo question;
        try {
            question = connection.reader.extraInfoReq(payload);
        } catch (RuntimeException e) {
            io.broken(connection, e instanceof RunnerException re ? re
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
            io.broken(connection, e, Breakage.OTHER);
            return false;
        } catch (Throwable e) {
            // Errors too (an AssertionError in a handler, say): the handler's bug fails its own call.
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            io.broken(connection, new RunnerException(Kind.HANDLER, "cannot answer " + question + ": " + e, e),
                    Breakage.OTHER);
            return false;
        }
        outgoing.send(connection, Frames.RPC_EXTRA_INFO, connection.writer.extraInfoResp(answer));
        return connection.channel.isOpen();
    }
}
