package io.gatekit.runner;

import io.gatekit.runner.internal.Checks;
import io.gatekit.runner.internal.FrameChannel;
import io.gatekit.runner.internal.Frames;
import io.gatekit.runner.internal.MessageReader;
import io.gatekit.runner.internal.MessageWriter;
import io.gatekit.runner.internal.UnixSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A Plugin Runner: the runner side of the ext-plugin protocol, for writing runners in Java.
 *
 * <p>It listens on a unix socket path (a stale socket file is removed first, and the file is opened
 * to the owner's group so that a gateway running as another user of the group can connect), accepts
 * any number of connections, serves any number of RPCs on each, and dispatches calls to the
 * {@link RunnerPlugin}s named in each conf. Plugins may ask {@link ExtraInfo} questions while they
 * run. Each connection is served by a thread of its own.
 *
 * <p>Errors follow the real runners: an unknown token gives {@code CONF_TOKEN_NOT_FOUND}, an unknown
 * frame type or undecodable message {@code BAD_REQUEST}, a failing plugin
 * {@code SERVICE_UNAVAILABLE}. Unlike the Java runner, {@code PrepareConf} is answered once.
 */
public final class RunnerServer implements AutoCloseable {

    private static final String LISTEN_ADDRESS = "APISIX_LISTEN_ADDRESS";
    private static final String CONF_EXPIRE_TIME = "APISIX_CONF_EXPIRE_TIME";

    private final Path socketPath;
    private final Map<String, RunnerPlugin> plugins;
    private final long confTtlNanos;
    private final int maxPayload;
    private final System.Logger logger;
    private final Map<Long, StoredConf> confs = new ConcurrentHashMap<>();
    /**
     * The last token given. A server starts at a random point, so that the tokens of a restarted
     * runner are not the ones its clients may still hold from the last one (a client that does not
     * learn of the restart would otherwise send an old token that names another conf now).
     */
    private final AtomicLong nextToken = new AtomicLong(ThreadLocalRandom.current().nextLong(Checks.MAX_UINT32));
    private final AtomicLong accepted = new AtomicLong();
    private final Set<FrameChannel> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService connections;
    private ServerSocketChannel server;
    private Thread acceptor;
    private volatile boolean closed;

    private record StoredConf(List<TextEntry> plugins, long expiresAtNanos) {
    }

    private RunnerServer(Builder builder) {
        this.socketPath = builder.socketPath.toAbsolutePath();
        this.plugins = Map.copyOf(builder.plugins);
        this.confTtlNanos = builder.confTtl.toNanos();
        this.maxPayload = builder.maxPayload;
        this.logger = builder.logger;
        AtomicInteger count = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "gatekit-runner-server-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A builder; a socket path is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder set up from the environment APISIX gives a runner it spawns:
     * {@code APISIX_LISTEN_ADDRESS} ({@code unix:} prefix optional) and, if set,
     * {@code APISIX_CONF_EXPIRE_TIME} in seconds.
     */
    public static Builder builderFromEnvironment() {
        return builderFrom(System.getenv());
    }

    static Builder builderFrom(Map<String, String> environment) {
        String address = environment.get(LISTEN_ADDRESS);
        if (address == null || address.isEmpty()) {
            throw new IllegalStateException(LISTEN_ADDRESS + ": not set (expected: unix:<socket path>)");
        }
        Builder builder = builder().socketPath(Path.of(address.startsWith("unix:") ? address.substring(5) : address));
        String expire = environment.get(CONF_EXPIRE_TIME);
        if (expire != null && !expire.isEmpty()) {
            long seconds;
            try {
                seconds = Long.parseLong(expire.trim());
            } catch (NumberFormatException e) {
                throw new IllegalStateException(CONF_EXPIRE_TIME + ": " + expire + " (expected: seconds)", e);
            }
            builder.confTtlFor(Duration.ofSeconds(seconds));
        }
        return builder;
    }

    /** Binds the socket and starts accepting connections. */
    public RunnerServer start() {
        try {
            server = UnixSockets.bind(socketPath);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + socketPath + ": " + e.getMessage(), e);
        }
        acceptor = new Thread(this::acceptLoop, "gatekit-runner-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        logger.log(Level.INFO, "runner listening on {0}", socketPath);
        return this;
    }

    public Path socketPath() {
        return socketPath;
    }

    /** Connections accepted since start. */
    long acceptedConnections() {
        return accepted.get();
    }

    /** Stops accepting, closes every connection and removes the socket file. */
    @Override
    public void close() {
        closed = true;
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // The listener is gone either way.
            }
        }
        open.forEach(FrameChannel::close);
        connections.shutdownNow();
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            logger.log(Level.WARNING, "cannot remove " + socketPath + ": " + e.getMessage());
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    logger.log(Level.ERROR, "accept failed, runner stops listening: " + e.getMessage(), e);
                }
                return;
            }
            accepted.incrementAndGet();
            FrameChannel frames = new FrameChannel(channel, maxPayload);
            open.add(frames);
            try {
                connections.execute(() -> serve(frames));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                open.remove(frames);
                frames.close();
            }
        }
    }

    private void serve(FrameChannel frames) {
        try {
            new Session(frames).run();
        } catch (RunnerException e) {
            if (!closed) {
                logger.log(Level.WARNING, "closing runner connection: " + e.getMessage());
            }
        } finally {
            open.remove(frames);
            frames.close();
        }
    }

    private long prepare(MessageReader.PrepareConf conf) {
        for (TextEntry entry : conf.plugins()) {
            if (!plugins.containsKey(entry.name())) {
                logger.log(Level.WARNING, "conf {0} names unknown plugin {1}: skipped", conf.key(), entry.name());
            }
        }
        long token = nextToken.updateAndGet(t -> t >= Checks.MAX_UINT32 ? 1 : t + 1);
        long now = System.nanoTime();
        confs.put(token, new StoredConf(conf.plugins(), now + confTtlNanos));
        if ((token & 0xFF) == 0) {
            confs.values().removeIf(stored -> now - stored.expiresAtNanos() >= 0);
        }
        return token;
    }

    private StoredConf conf(long token) {
        StoredConf stored = confs.get(token);
        if (stored == null || System.nanoTime() - stored.expiresAtNanos() >= 0) {
            return null;
        }
        return stored;
    }

    /** One connection: frames in, answers out, one RPC at a time. */
    private final class Session implements RunnerCallContext {
        private final FrameChannel frames;
        private final MessageReader reader = new MessageReader();
        private final MessageWriter writer = new MessageWriter();
        private String config;
        private long token;

        Session(FrameChannel frames) {
            this.frames = frames;
        }

        void run() {
            while (!closed) {
                int type = frames.read(Long.MAX_VALUE);
                if (type == FrameChannel.END_OF_STREAM) {
                    return; // the client closed the connection: the normal end
                }
                ByteBuffer payload = frames.payload();
                switch (type) {
                    case Frames.RPC_PREPARE_CONF:
                        answer(type, () -> writer.prepareConfResp(prepare(decode(() -> reader.prepareConf(payload)))));
                        break;
                    case Frames.RPC_HTTP_REQ_CALL:
                        answer(type, () -> httpReqCall(payload));
                        break;
                    case Frames.RPC_HTTP_RESP_CALL:
                        answer(type, () -> httpRespCall(payload));
                        break;
                    default:
                        logger.log(Level.WARNING, "unexpected {0} from the client", Frames.typeName(type));
                        frames.write(Frames.RPC_ERROR, writer.err(RunnerException.BAD_REQUEST), Long.MAX_VALUE);
                }
            }
        }

        /**
         * Sends the answer, or the error frame a failure calls for. Other failures (the connection
         * broke, or the client answered a question with the wrong frame) end the connection.
         */
        private void answer(int type, Supplier<ByteBuffer> work) {
            ByteBuffer answer;
            int answerType = type;
            try {
                answer = work.get();
            } catch (RunnerException e) {
                if (e.kind() == RunnerException.Kind.RUNNER_ERROR) {
                    answer = writer.err(e.runnerCode());
                } else if (e.kind() == RunnerException.Kind.HANDLER) {
                    answer = writer.err(RunnerException.SERVICE_UNAVAILABLE);
                } else {
                    throw e;
                }
                answerType = Frames.RPC_ERROR;
            }
            frames.write(answerType, answer, Long.MAX_VALUE);
        }

        /** Decodes a request; a payload that cannot be decoded is the client's error: BAD_REQUEST. */
        private <T> T decode(Supplier<T> decoding) {
            try {
                return decoding.get();
            } catch (RunnerException e) {
                logger.log(Level.WARNING, e.getMessage());
                throw RunnerException.runnerError(RunnerException.BAD_REQUEST);
            }
        }

        private ByteBuffer httpReqCall(ByteBuffer payload) {
            HttpReqCall call = decode(() -> reader.httpReqCall(payload));
            StoredConf stored = knownConf(reader.httpReqCallToken(payload));
            ReqAction answer = ReqAction.none();
            for (TextEntry entry : stored.plugins()) {
                RunnerPlugin plugin = plugins.get(entry.name());
                if (plugin == null) {
                    continue;
                }
                ReqAction result = invoke(entry, () -> plugin.onRequest(call, this));
                if (result instanceof Reply) {
                    return writer.reqAction(call.id(), result);
                }
                if (result instanceof ReqAction.Rewrite) {
                    answer = answer instanceof ReqAction.Rewrite
                            ? ReqAction.rewrite().merge((ReqAction.Rewrite) answer).merge((ReqAction.Rewrite) result).build()
                            : result;
                }
            }
            return writer.reqAction(call.id(), answer);
        }

        private ByteBuffer httpRespCall(ByteBuffer payload) {
            HttpRespCall call = decode(() -> reader.httpRespCall(payload));
            StoredConf stored = knownConf(reader.httpRespCallToken(payload));
            Reply answer = Reply.empty();
            for (TextEntry entry : stored.plugins()) {
                RunnerPlugin plugin = plugins.get(entry.name());
                if (plugin == null) {
                    continue;
                }
                Reply result = invoke(entry, () -> plugin.onResponse(call, this));
                if (!result.isEmpty()) {
                    answer = answer.isEmpty() ? result : Reply.builder().merge(answer).merge(result).build();
                }
            }
            return writer.respCallResult(call.id(), answer);
        }

        private StoredConf knownConf(long confToken) {
            StoredConf stored = conf(confToken);
            if (stored == null) {
                throw RunnerException.runnerError(RunnerException.CONF_TOKEN_NOT_FOUND);
            }
            token = confToken;
            return stored;
        }

        private <T> T invoke(TextEntry entry, PluginCall<T> call) {
            config = entry.value() == null ? "" : entry.value();
            try {
                T result = call.run();
                return Objects.requireNonNull(result, () -> "plugin " + entry.name() + " returned null");
            } catch (RunnerException e) {
                throw e; // the connection itself failed while the plugin asked something
            } catch (Exception e) {
                logger.log(Level.WARNING, "plugin " + entry.name() + " failed: " + e, e);
                throw new RunnerException(RunnerException.Kind.HANDLER, "plugin " + entry.name() + " failed", e);
            }
        }

        @Override
        public String config() {
            return config;
        }

        @Override
        public long confToken() {
            return token;
        }

        @Override
        public byte[] extraInfo(ExtraInfo question) {
            Objects.requireNonNull(question, "question");
            frames.write(Frames.RPC_EXTRA_INFO, writer.extraInfoReq(question), Long.MAX_VALUE);
            int type = frames.read(Long.MAX_VALUE);
            if (type == FrameChannel.END_OF_STREAM) {
                throw new RunnerException(RunnerException.Kind.IO, "connection closed by the client while it had to answer "
                        + question);
            }
            if (type != Frames.RPC_EXTRA_INFO) {
                throw new RunnerException(RunnerException.Kind.PROTOCOL, "unexpected type " + type
                        + " while waiting for the answer to " + question);
            }
            return reader.extraInfoResp(frames.payload());
        }
    }

    @FunctionalInterface
    private interface PluginCall<T> {
        T run() throws Exception;
    }

    /** Builds a {@link RunnerServer}; every setter checks its argument at once. */
    public static final class Builder {
        private Path socketPath;
        private final Map<String, RunnerPlugin> plugins = new LinkedHashMap<>();
        private Duration confTtl = Duration.ofSeconds(3960);
        private int maxPayload = Frames.MAX_PAYLOAD;
        private System.Logger logger = System.getLogger(RunnerServer.class.getName());

        private Builder() {
        }

        /** Where to listen (required). */
        public Builder socketPath(Path socketPath) {
            this.socketPath = Objects.requireNonNull(socketPath, "socketPath");
            return this;
        }

        /** Registers a plugin under the name confs use; a name can be registered once. */
        public Builder plugin(String name, RunnerPlugin plugin) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(plugin, "plugin");
            if (name.isEmpty() || plugins.containsKey(name)) {
                throw new IllegalArgumentException("name: \"" + name + "\" (expected: non-empty and not registered yet)");
            }
            plugins.put(name, plugin);
            return this;
        }

        /** How long a prepared conf is kept; default 3960 s. */
        public Builder confTtl(Duration ttl) {
            this.confTtl = Checks.positive("confTtl", ttl);
            return this;
        }

        /**
         * Keeps confs 10% longer than the client's token expiry ({@code APISIX_CONF_EXPIRE_TIME}), so a
         * token never dies here before the client stops using it.
         */
        public Builder confTtlFor(Duration clientExpiry) {
            return confTtl(Checks.positive("clientExpiry", clientExpiry).multipliedBy(11).dividedBy(10));
        }

        /** The largest payload sent or accepted; default and at most 16,777,215 bytes. */
        public Builder maxPayload(int bytes) {
            this.maxPayload = Checks.range("maxPayload", bytes, 1, Frames.MAX_PAYLOAD);
            return this;
        }

        public Builder logger(System.Logger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
            return this;
        }

        public RunnerServer build() {
            if (socketPath == null) {
                throw new IllegalStateException("socketPath: null (expected: set with socketPath(Path))");
            }
            return new RunnerServer(this);
        }
    }
}
