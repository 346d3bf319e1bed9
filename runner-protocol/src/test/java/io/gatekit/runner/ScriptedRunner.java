package io.gatekit.runner;

import io.gatekit.runner.internal.FrameChannel;
import io.gatekit.runner.internal.Frames;
import io.gatekit.runner.internal.MessageReader;
import io.gatekit.runner.internal.MessageWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake runner whose every connection follows a script, for the client behaviour no real runner
 * shows on demand (duplicate answers, stray bytes, errors, silence). Counts what it sees.
 */
final class ScriptedRunner implements AutoCloseable {

    /** What one connection does. */
    @FunctionalInterface
    interface Script {
        void serve(Conn conn) throws Exception;
    }

    /** Answers to the frames of a plain exchange; return null to hang up. */
    @FunctionalInterface
    interface Responder {
        void respond(Conn conn, int type) throws Exception;
    }

    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger prepares = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger tokens = new AtomicInteger(100);

    ScriptedRunner(Path socket, Script script) {
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(() -> accept(script), "scripted-runner-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A runner that serves frames in a loop, answering each with {@code responder}. */
    static ScriptedRunner looping(Path socket, Responder responder) {
        return new ScriptedRunner(socket, conn -> {
            while (true) {
                int type = conn.read();
                if (type == FrameChannel.END_OF_STREAM) {
                    return;
                }
                responder.respond(conn, type);
            }
        });
    }

    /** Answers PrepareConf with a new token, calls with no action / no change. */
    static void plainAnswer(Conn conn, int type) {
        if (type == Frames.RPC_PREPARE_CONF) {
            conn.answerPrepareConf();
        } else if (type == Frames.RPC_HTTP_REQ_CALL) {
            conn.runner.calls.incrementAndGet();
            conn.send(type, conn.writer.reqAction(0, ReqAction.none()));
        } else if (type == Frames.RPC_HTTP_RESP_CALL) {
            conn.runner.calls.incrementAndGet();
            conn.send(type, conn.writer.respCallResult(0, Reply.empty()));
        } else {
            conn.send(Frames.RPC_ERROR, conn.writer.err(0));
        }
    }

    /**
     * Closes the listening socket and every connection, and returns once they are gone: a client
     * connecting after this is refused, and every connection it had is closed at the runner's end.
     * (Closing a channel that a thread is blocked on only signals that thread: the JDK releases
     * the socket when the thread's system call returns, and a listening socket whose thread is in
     * {@code accept} still takes connections until then.)
     */
    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(30_000); // after this, no connection is accepted, and every accepted one is in open
            for (SocketChannel channel : open) {
                channel.close();
            }
            threads.shutdownNow();
            if (acceptor.isAlive() || !threads.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("scripted runner threads still running 30 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while closing the scripted runner", e);
        }
    }

    private void accept(Script script) {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            open.add(channel);
            try {
                threads.execute(() -> {
                    try (channel) {
                        script.serve(new Conn(this, channel));
                    } catch (RunnerException | IOException e) {
                        // The client hung up or a test closed the runner: the end of this connection.
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                return; // closing: close() closes the channel
            }
        }
    }

    /** One accepted connection, frames through the module's own codec. */
    static final class Conn {
        final ScriptedRunner runner;
        final SocketChannel channel;
        final FrameChannel frames;
        final MessageReader reader = new MessageReader();
        final MessageWriter writer = new MessageWriter();

        Conn(ScriptedRunner runner, SocketChannel channel) {
            this.runner = runner;
            this.channel = channel;
            this.frames = new FrameChannel(channel, Frames.MAX_PAYLOAD);
        }

        int read() {
            return frames.read(Long.MAX_VALUE);
        }

        ByteBuffer payload() {
            return frames.payload();
        }

        void send(int type, ByteBuffer payload) {
            frames.write(type, payload, Long.MAX_VALUE);
        }

        long answerPrepareConf() {
            runner.prepares.incrementAndGet();
            long token = runner.tokens.incrementAndGet();
            send(Frames.RPC_PREPARE_CONF, writer.prepareConfResp(token));
            return token;
        }

        void sendBytes(byte[] bytes) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }
}
