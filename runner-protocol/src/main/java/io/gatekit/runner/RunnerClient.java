package io.gatekit.runner;

import io.gatekit.runner.internal.Checks;
import io.gatekit.runner.internal.ConfTokenCache;
import io.gatekit.runner.internal.Frames;
import io.gatekit.runner.internal.MessageReader;
import io.gatekit.runner.internal.MessageWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * Talks to a Plugin Runner the way APISIX does: the client side of the ext-plugin protocol.
 *
 * <p>Each call takes the conf token for its {@link RunnerConf} from a cache (preparing it with
 * {@code PrepareConf} on a miss, once however many callers miss together), sends the call on a
 * pooled connection, answers the runner's {@link ExtraInfo} questions through the caller's
 * {@link ExtraInfoHandler}, and returns the runner's answer. When the runner says it does not know
 * the token, every token is dropped and the call is tried again with a new one: three attempts in
 * all, as APISIX.
 *
 * <p>Connections carry one RPC at a time and are kept for reuse (32 idle at most, 180 s each by
 * default), except after {@code PrepareConf}: the Java runner answers it twice, so that connection
 * is closed. A pooled connection the runner wrote to unasked is never reused. A call whose
 * connection breaks before any answer is sent once more, on a new connection, when the runner
 * cannot have read it (the frame never left whole, or the runner reset the connection with it
 * unread); one the runner read before hanging up fails with {@link RunnerException.Kind#IO}, since
 * its plugins may have run.
 *
 * <p>Tokens are good only with the runner process that issued them, and runners number them
 * afresh when they restart (RunnerServer and the Go runner count from 1), so a token kept from a
 * runner that was replaced could name another conf on the new one. Each new connection therefore
 * notes which socket file it reached (a restarted runner binds a new one): when that changed, every
 * token is dropped, and a call whose token predates the change gets a new one before it goes out.
 * With a {@linkplain Builder#runner(RunnerSupervisor) supervised} runner, the client also drops its
 * tokens and idle connections whenever the runner exits, and a call that cannot connect while it
 * restarts waits for the new one (up to {@link Builder#restartWait(Duration)}) instead of failing.
 *
 * <p>There is one transport. The {@code *Async} methods never block the caller: the call is written
 * from the caller's thread, and one selector thread the client owns reads the answer, answers the
 * runner's questions (so {@link ExtraInfoHandler}s run on it) and completes the stage; a call that
 * must first prepare its conf or wait for a restart continues where that completes. The plain
 * methods are the async ones, waited for. At most {@link Builder#threads(int)} RPCs are out at
 * once; more wait. Failures are {@link RunnerException}s (in async stages, as the cause).
 */
public final class RunnerClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RunnerClient.class.getName());

    private final Path socketPath;
    private final RunnerSupervisor supervisor;
    private final RunnerSupervisor.Listener supervisorListener;
    private final long restartWaitNanos;
    private final TransportSettings ioSettings;
    private final ConfTokenCache tokens;
    private final RunnerIdentity identity;
    private volatile RunnerIo io;
    private volatile boolean closed;

    private RunnerClient(Builder builder) {
        this.supervisor = builder.supervisor;
        this.socketPath = supervisor != null ? supervisor.socketPath() : builder.socketPath;
        this.restartWaitNanos = supervisor != null && supervisor.isManaged() ? builder.restartWait.toNanos() : 0;
        this.ioSettings = new TransportSettings(socketPath, builder.connectTimeout.toNanos(),
                builder.sendTimeout.toNanos(), builder.readTimeout.toNanos(), builder.idleTimeout.toNanos(),
                builder.maxPayload, builder.maxIdleConnections, builder.threads);
        Duration tokenTtl = builder.tokenTtl != null ? builder.tokenTtl
                : supervisor != null ? supervisor.confExpire() : Duration.ofSeconds(3600);
        this.tokens = new ConfTokenCache(tokenTtl.toNanos(), builder.maxTokens);
        this.identity = new RunnerIdentity(socketPath, tokens);
        this.supervisorListener = new RunnerSupervisor.Listener() {
            @Override
            public void runnerExited(int exitStatus) {
                // A new runner knows none of the old tokens and none of the old connections work.
                tokens.flush();
                RunnerIo current = io;
                if (current != null) {
                    current.evictIdle();
                }
            }
        };
        if (supervisor != null) {
            supervisor.addListener(supervisorListener);
        }
    }

    /** A builder; either {@link Builder#socketPath(Path)} or {@link Builder#runner(RunnerSupervisor)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where the runner listens. */
    public Path socketPath() {
        return socketPath;
    }

    /**
     * Sends an {@code HTTPReqCall} and returns the runner's action: {@link #httpReqCallAsync}, waited for.
     *
     * @throws RunnerException on any failure, after up to three attempts for an unknown token
     */
    public ReqAction httpReqCall(RunnerConf conf, HttpReqCall call, ExtraInfoHandler handler) {
        return join(httpReqCallAsync(conf, call, handler));
    }

    /**
     * Sends an {@code HTTPRespCall} and returns the response the runner wants: {@link #httpRespCallAsync},
     * waited for.
     *
     * @throws RunnerException on any failure, after up to three attempts for an unknown token
     */
    public Reply httpRespCall(RunnerConf conf, HttpRespCall call, ExtraInfoHandler handler) {
        return join(httpRespCallAsync(conf, call, handler));
    }

    /** The conf token for {@code conf}: cached, or prepared now; {@link #confTokenAsync}, waited for. */
    public long confToken(RunnerConf conf) {
        return join(confTokenAsync(conf));
    }

    /** Sends an {@code HTTPReqCall} without blocking; the stage completes with the runner's action. */
    public CompletionStage<ReqAction> httpReqCallAsync(RunnerConf conf, HttpReqCall call, ExtraInfoHandler handler) {
        Objects.requireNonNull(call, "call");
        return new ConfTokenCall<>(this, conf, Frames.RPC_HTTP_REQ_CALL, handler,
                (writer, token) -> writer.httpReqCall(call, token), MessageReader::reqAction).start();
    }

    /** Sends an {@code HTTPRespCall} without blocking; the stage completes with the runner's answer. */
    public CompletionStage<Reply> httpRespCallAsync(RunnerConf conf, HttpRespCall call,
            ExtraInfoHandler handler) {
        Objects.requireNonNull(call, "call");
        return new ConfTokenCall<>(this, conf, Frames.RPC_HTTP_RESP_CALL, handler,
                (writer, token) -> writer.httpRespCall(call, token), MessageReader::respCallResult).start();
    }

    /** The conf token for {@code conf} without blocking: cached, or prepared now (once for all who ask together). */
    public CompletionStage<Long> confTokenAsync(RunnerConf conf) {
        Objects.requireNonNull(conf, "conf");
        if (closed) {
            return CompletableFuture.failedFuture(closedFailure());
        }
        return tokens.token(conf, this::prepareConf).copy(); // a copy: the cache's stage is shared
    }

    /** Drops every cached conf token, e.g. after restarting a runner this client does not supervise. */
    public void flushTokens() {
        tokens.flush();
    }

    /** Closes the connections; calls in flight or waiting fail with {@code CLOSED}. */
    @Override
    public void close() {
        RunnerIo current;
        synchronized (this) {
            // Under the lock io() replaces a stopped transport with, so none starts after this.
            closed = true;
            current = io;
        }
        if (supervisor != null) {
            supervisor.removeListener(supervisorListener);
        }
        if (current != null) {
            current.close();
        }
    }

    /** Whether {@link #close()} was called: a closed client refuses every call. */
    public boolean isClosed() {
        return closed;
    }

    ConfTokenCache tokens() {
        return tokens;
    }

    /** Which runner new connections reach. */
    RunnerIdentity identity() {
        return identity;
    }

    /** The supervisor this client follows, or {@code null}. */
    RunnerSupervisor supervisor() {
        return supervisor;
    }

    /** How long a call that cannot connect waits for a restarting runner; 0: it does not wait. */
    long restartWaitNanos() {
        return restartWaitNanos;
    }

    /** Idle connections that are still open. */
    int idleConnections() {
        RunnerIo current = io;
        return current == null ? 0 : current.idleCount();
    }

    /** Hands {@code rpc} to the transport; fails it with {@code CLOSED} when this client is closed. */
    <T> CompletableFuture<T> submit(RunnerRpc<T> rpc) {
        RunnerIo transport = io();
        if (transport == null) {
            rpc.failed(closedFailure());
            return rpc.result;
        }
        return transport.submit(rpc);
    }

    /**
     * The transport, started on first use; {@code null} when this client was closed before it ever
     * had one. One that stopped although this client is open (its selector failed) is replaced, so
     * a client that is not closed never refuses calls.
     */
    RunnerIo io() {
        RunnerIo current = io;
        if (current == null || current.isStopped()) {
            synchronized (this) {
                current = io;
                if (!closed && (current == null || current.isStopped())) {
                    if (current != null) {
                        LOG.log(System.Logger.Level.WARNING, "runner I/O thread for " + socketPath
                                + " had stopped; starting a new one");
                    }
                    current = new RunnerIo(ioSettings, identity::connected);
                    io = current;
                }
            }
        }
        return current;
    }

    /** {@code PrepareConf} as one more RPC; its connection is closed after the answer. */
    CompletionStage<Long> prepareConf(RunnerConf conf) {
        return submit(new RunnerRpc<Long>(Frames.RPC_PREPARE_CONF, null, new CompletableFuture<>()) {
            @Override
            ByteBuffer encode(MessageWriter writer) {
                return writer.prepareConf(conf);
            }

            @Override
            Long decode(MessageReader reader, ByteBuffer payload) {
                return reader.prepareConfResp(payload);
            }

            @Override
            boolean closesConnection() {
                return true; // the Java runner sends its answer twice; the copy must not answer the next RPC
            }

            @Override
            boolean idempotent() {
                return true; // a second PrepareConf only stores the conf again, under a token no one uses
            }
        });
    }

    static RunnerException closedFailure() {
        return new RunnerException(RunnerException.Kind.CLOSED, "runner client is closed");
    }

    /** The stage's outcome, waited for; a failure is thrown as itself, not wrapped. */
    private static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunnerException(RunnerException.Kind.CLOSED, "interrupted while waiting for the runner", e);
        }
    }

    private static RuntimeException unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new RunnerException(RunnerException.Kind.IO, "runner call failed: " + cause, cause);
    }

    /** Builds a {@link RunnerClient}; every setter checks its argument at once. */
    public static final class Builder {
        private Path socketPath;
        private RunnerSupervisor supervisor;
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration sendTimeout = Duration.ofSeconds(60);
        private Duration readTimeout = Duration.ofSeconds(60);
        private Duration idleTimeout = Duration.ofSeconds(180);
        private int maxIdleConnections = 32;
        private Duration tokenTtl;
        private int maxTokens = 10_000;
        private int maxPayload = Frames.MAX_PAYLOAD;
        private int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        private Duration restartWait = Duration.ofSeconds(10);

        private Builder() {
        }

        /** Connect to a runner listening on this path (started by hand or by someone else). */
        public Builder socketPath(Path socketPath) {
            this.socketPath = Objects.requireNonNull(socketPath, "socketPath");
            return this;
        }

        /**
         * Connect to the runner this supervisor runs: tokens and idle connections are dropped when it
         * exits, and calls made while it restarts wait for it (see {@link #restartWait(Duration)}).
         */
        public Builder runner(RunnerSupervisor supervisor) {
            this.supervisor = Objects.requireNonNull(supervisor, "supervisor");
            return this;
        }

        /** Default 1 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Checks.positive("connectTimeout", timeout);
            return this;
        }

        /** How long the rest of a frame the socket had no room for may take to go out; default 60 s. */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = Checks.positive("sendTimeout", timeout);
            return this;
        }

        /** How long the runner may take for each frame of its answer; default 60 s. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = Checks.positive("readTimeout", timeout);
            return this;
        }

        /** How long an idle connection is kept; default 180 s. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Checks.positive("idleTimeout", timeout);
            return this;
        }

        /** How many idle connections are kept; default 32, 0 closes each after use. */
        public Builder maxIdleConnections(int max) {
            this.maxIdleConnections = Checks.range("maxIdleConnections", max, 0, 65_536);
            return this;
        }

        /** How long a conf token is used; default the supervisor's conf expiry, else 3600 s. */
        public Builder tokenTtl(Duration ttl) {
            this.tokenTtl = Checks.positive("tokenTtl", ttl);
            return this;
        }

        /** How many conf ids keep a cached token; default 10,000. */
        public Builder maxTokens(int max) {
            this.maxTokens = Checks.range("maxTokens", max, 1, Integer.MAX_VALUE);
            return this;
        }

        /** The largest payload sent or accepted; default and at most 16,777,215 bytes. */
        public Builder maxPayload(int bytes) {
            this.maxPayload = Checks.range("maxPayload", bytes, 1, Frames.MAX_PAYLOAD);
            return this;
        }

        /**
         * How many RPCs are out at once (each on a connection of its own); more wait in arrival
         * order. Default twice the processors, at least 4. (The name is from when a thread carried each.)
         */
        public Builder threads(int threads) {
            this.threads = Checks.range("threads", threads, 1, 1024);
            return this;
        }

        /**
         * With a managed runner, how long a call that cannot connect waits for a runner that is
         * restarting before it fails with {@link RunnerException.Kind#CONNECT}; default 10 s. Zero
         * fails at once, as APISIX. Calls never wait for a runner that died before it ever became
         * ready.
         */
        public Builder restartWait(Duration wait) {
            this.restartWait = Checks.notNegative("restartWait", wait);
            return this;
        }

        public RunnerClient build() {
            if ((socketPath == null) == (supervisor == null)) {
                throw new IllegalStateException("socketPath/runner: " + (socketPath == null ? "neither" : "both")
                        + " set (expected: exactly one)");
            }
            return new RunnerClient(this);
        }
    }
}
