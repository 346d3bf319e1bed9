package io.gatekit.runner;

import io.gatekit.runner.internal.Checks;
import io.gatekit.runner.internal.ConfTokenCache;
import io.gatekit.runner.internal.ConnectionPool;
import io.gatekit.runner.internal.Frames;
import io.gatekit.runner.internal.MessageReader;
import io.gatekit.runner.internal.MessageWriter;
import io.gatekit.runner.internal.RunnerConnection;
import io.gatekit.runner.internal.UnixSockets;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.LongFunction;
import java.util.function.Supplier;

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
 * <p>Connections carry one RPC at a time and are kept for reuse (32 idle at most per path, 180 s
 * each by default), except after {@code PrepareConf}: the Java runner answers it twice, so that connection
 * is closed. A pooled connection with unread bytes is never reused, and a call whose pooled
 * connection turns out to be closed by the runner before any answer is sent again on another one.
 *
 * <p>With a {@linkplain Builder#runner(RunnerSupervisor) supervised} runner, the client drops its
 * tokens and idle connections whenever the runner exits, and calls made while it restarts wait for
 * the new one (up to {@link Builder#restartWait(Duration)}) instead of failing.
 *
 * <p>The plain methods block the calling thread. The {@code *Async} methods never block the caller:
 * when the conf token is cached (the usual case) the call is written from the caller's thread and
 * its answer read by one selector thread the client owns, which also answers the runner's
 * questions; a call that must first prepare its conf, or wait for a restarting runner, runs the
 * blocking way on a small executor. Their stages complete on either of those threads. At most
 * {@link Builder#threads(int)} async calls are out at once each way; more wait. Failures are
 * {@link RunnerException}s (in async stages, as the cause).
 */
public final class RunnerClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RunnerClient.class.getName());

    /** APISIX tries a call at most this many times when the runner forgot the token. */
    static final int ATTEMPTS = 3;

    private final Path socketPath;
    private final RunnerSupervisor supervisor;
    private final RunnerSupervisor.Listener supervisorListener;
    private final long connectTimeoutNanos;
    private final long sendTimeoutNanos;
    private final long readTimeoutNanos;
    private final long restartWaitNanos;
    private final int maxPayload;
    private final ConnectionPool pool;
    private final ConfTokenCache tokens;
    private final ExecutorService executor;
    private final int threads;
    private volatile RunnerIo io;
    private volatile boolean closed;

    private RunnerClient(Builder builder) {
        this.supervisor = builder.supervisor;
        this.socketPath = supervisor != null ? supervisor.socketPath() : builder.socketPath;
        this.connectTimeoutNanos = builder.connectTimeout.toNanos();
        this.sendTimeoutNanos = builder.sendTimeout.toNanos();
        this.readTimeoutNanos = builder.readTimeout.toNanos();
        this.restartWaitNanos = builder.restartWait.toNanos();
        this.maxPayload = builder.maxPayload;
        this.pool = new ConnectionPool(builder.maxIdleConnections, builder.idleTimeout.toNanos());
        Duration tokenTtl = builder.tokenTtl != null ? builder.tokenTtl
                : supervisor != null ? supervisor.confExpire() : Duration.ofSeconds(3600);
        this.tokens = new ConfTokenCache(tokenTtl.toNanos(), builder.maxTokens);
        this.executor = newExecutor(builder.threads);
        this.threads = builder.threads;
        this.supervisorListener = new RunnerSupervisor.Listener() {
            @Override
            public void runnerExited(int exitStatus) {
                // A new runner knows none of the old tokens and none of the old connections work.
                tokens.flush();
                pool.evictAll();
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
     * Sends an {@code HTTPReqCall} and returns the runner's action, blocking the calling thread.
     *
     * @throws RunnerException on any failure, after up to three attempts for an unknown token
     */
    public ReqAction httpReqCall(RunnerConf conf, HttpReqCall call, ExtraInfoHandler handler) {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(handler, "handler");
        return withToken(conf, ATTEMPTS, token -> rpc(connection -> connection.httpReqCall(call, token, handler)));
    }

    /**
     * Sends an {@code HTTPRespCall} and returns the response the runner wants, blocking the calling thread.
     *
     * @throws RunnerException on any failure, after up to three attempts for an unknown token
     */
    public RespCallResult httpRespCall(RunnerConf conf, HttpRespCall call, ExtraInfoHandler handler) {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(handler, "handler");
        return withToken(conf, ATTEMPTS, token -> rpc(connection -> connection.httpRespCall(call, token, handler)));
    }

    /** The conf token for {@code conf}: cached, or prepared now (blocking). */
    public long confToken(RunnerConf conf) {
        checkOpen();
        return tokens.token(Objects.requireNonNull(conf, "conf"), this::prepareConf);
    }

    /** {@link #httpReqCall} on the client's executor. */
    public CompletionStage<ReqAction> httpReqCallAsync(RunnerConf conf, HttpReqCall call, ExtraInfoHandler handler) {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(handler, "handler");
        return nonBlocking(conf, Frames.RPC_HTTP_REQ_CALL, handler, (writer, token) -> writer.httpReqCall(call, token),
                MessageReader::reqAction,
                attempts -> withToken(conf, attempts, token -> rpc(c -> c.httpReqCall(call, token, handler))));
    }

    /** {@link #httpRespCall} on the client's executor. */
    public CompletionStage<RespCallResult> httpRespCallAsync(RunnerConf conf, HttpRespCall call, ExtraInfoHandler handler) {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(handler, "handler");
        return nonBlocking(conf, Frames.RPC_HTTP_RESP_CALL, handler, (writer, token) -> writer.httpRespCall(call, token),
                MessageReader::respCallResult,
                attempts -> withToken(conf, attempts, token -> rpc(c -> c.httpRespCall(call, token, handler))));
    }

    /**
     * A call on the selector thread when its token is cached; otherwise, and for what the blocking
     * path retries (a forgotten token, a stale pooled connection), the blocking path on the executor.
     * {@code blocking} takes how many token attempts are left.
     */
    private <T> CompletionStage<T> nonBlocking(RunnerConf conf, int type, ExtraInfoHandler handler,
            BiFunction<MessageWriter, Long, ByteBuffer> encode,
            BiFunction<MessageReader, ByteBuffer, T> decode,
            IntFunction<T> blocking) {
        Objects.requireNonNull(conf, "conf");
        long token = closed ? ConfTokenCache.NONE : tokens.cached(conf);
        if (token == ConfTokenCache.NONE) {
            return async(() -> blocking.apply(ATTEMPTS));
        }
        return io().submit(RunnerIo.<T>call(type, handler, writer -> encode.apply(writer, token), decode,
                (pending, failure) -> resume(pending.result, () -> blocking.apply(ATTEMPTS)),
                (pending, failure) -> {
                    // As APISIX: the runner lost its confs (restart, expiry), so every token is suspect.
                    tokens.flush();
                    resume(pending.result, () -> blocking.apply(ATTEMPTS - 1));
                }));
    }

    private <T> void resume(CompletableFuture<T> result, Supplier<T> work) {
        async(work).whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(error instanceof CompletionException
                        && error.getCause() != null ? error.getCause() : error);
            }
        });
    }

    /**
     * The I/O thread, started on first use. One that stopped although this client is open (its
     * selector failed) is replaced, so a client that is not closed never refuses calls.
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
                    current = new RunnerIo(socketPath, connectTimeoutNanos, readTimeoutNanos, pool.idleTimeoutNanos(),
                            maxPayload, pool.maxIdle(), threads);
                    io = current;
                }
            }
        }
        return current;
    }

    /** {@link #confToken} on the client's executor. */
    public CompletionStage<Long> confTokenAsync(RunnerConf conf) {
        return async(() -> confToken(conf));
    }

    /** Drops every cached conf token, e.g. after restarting a runner this client does not supervise. */
    public void flushTokens() {
        tokens.flush();
    }

    /** Closes idle connections and stops the executor; calls still queued fail with {@code CLOSED}. */
    @Override
    public void close() {
        RunnerIo current;
        synchronized (this) {
            // Under the lock io() replaces a stopped I/O thread with, so none starts after this.
            closed = true;
            current = io;
        }
        if (supervisor != null) {
            supervisor.removeListener(supervisorListener);
        }
        executor.shutdown();
        pool.close();
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

    ConnectionPool pool() {
        return pool;
    }

    /** Idle connections of both paths, blocking and non-blocking. */
    int idleConnections() {
        RunnerIo current = io;
        return pool.idleCount() + (current == null ? 0 : current.idleCount());
    }

    /** A new connection outside the pool, for tests that speak raw frames. */
    RunnerConnection openConnection() {
        return new RunnerConnection(UnixSockets.connect(socketPath, connectTimeoutNanos), maxPayload,
                sendTimeoutNanos, readTimeoutNanos);
    }

    private <T> T withToken(RunnerConf conf, int attempts, LongFunction<T> call) {
        checkOpen();
        Objects.requireNonNull(conf, "conf");
        RunnerException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                return call.apply(tokens.token(conf, this::prepareConf));
            } catch (RunnerException e) {
                if (!e.isConfTokenNotFound()) {
                    throw e;
                }
                // As APISIX: the runner lost its confs (restart, expiry), so every token is suspect.
                tokens.flush();
                last = e;
            }
        }
        throw last;
    }

    private long prepareConf(RunnerConf conf) {
        RunnerConnection connection = acquire();
        try {
            return connection.prepareConf(conf);
        } finally {
            // The Java runner sends its answer twice; the copy must not become the next call's answer.
            connection.drainAndClose();
        }
    }

    private <T> T rpc(Function<RunnerConnection, T> exchange) {
        while (true) {
            RunnerConnection connection = acquire();
            try {
                T result = exchange.apply(connection);
                pool.release(connection);
                return result;
            } catch (RunnerException e) {
                connection.close();
                // A pooled connection the runner closed while idle: the request never arrived, send it
                // again. Bounded, as each retry takes another pooled connection or a fresh one.
                if (!connection.failedStale(e)) {
                    throw e;
                }
            } catch (RuntimeException | Error e) {
                connection.close();
                throw e;
            }
        }
    }

    private RunnerConnection acquire() {
        checkOpen();
        RunnerConnection pooled = pool.poll();
        if (pooled != null) {
            return pooled;
        }
        if (supervisor == null || !supervisor.isManaged() || restartWaitNanos == 0) {
            return openConnection();
        }
        if (!supervisor.awaitIfRestarting(restartWaitNanos)) {
            return openConnection();
        }
        long seen = supervisor.generation();
        try {
            return openConnection();
        } catch (RunnerException e) {
            // The runner may have died a moment ago, before the supervisor noticed: wait for the next one.
            if (e.kind() == RunnerException.Kind.CONNECT && supervisor.awaitNewerThan(seen, restartWaitNanos)) {
                return openConnection();
            }
            throw e;
        }
    }

    private <T> CompletionStage<T> async(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new RunnerException(RunnerException.Kind.CLOSED, "runner client is closed", e));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new RunnerException(RunnerException.Kind.CLOSED, "runner client is closed");
        }
    }

    private static ExecutorService newExecutor(int threads) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "gatekit-runner-client-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
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

        /** How long sending one frame may take; default 60 s. */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = Checks.positive("sendTimeout", timeout);
            return this;
        }

        /** How long reading one frame may take; default 60 s. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = Checks.positive("readTimeout", timeout);
            return this;
        }

        /** How long an idle connection is kept; default 180 s. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Checks.positive("idleTimeout", timeout);
            return this;
        }

        /**
         * How many idle connections are kept by each of the two paths (blocking calls, and async
         * calls with a cached token); default 32, 0 closes each after use.
         */
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

        /** Threads of the executor behind the async calls: at most this many calls run at once. */
        public Builder threads(int threads) {
            this.threads = Checks.range("threads", threads, 1, 1024);
            return this;
        }

        /**
         * With a managed runner, how long a call waits for a runner that is restarting before it fails
         * with {@link RunnerException.Kind#CONNECT}; default 10 s. Zero fails at once, as APISIX. Calls
         * never wait for a runner that died before it ever became ready.
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
