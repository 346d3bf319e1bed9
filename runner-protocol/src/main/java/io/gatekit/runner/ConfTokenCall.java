package io.gatekit.runner;

import io.gatekit.runner.internal.ConfTokenCache;
import io.gatekit.runner.internal.MessageReader;
import io.gatekit.runner.internal.MessageWriter;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;

/**
 * One call as the caller sees it: a conf token, then the RPC, tried again where APISIX tries again.
 * This is the client's one retry rule: a forgotten token flushes every token and tries again with a
 * new one, up to {@link #ATTEMPTS} in all; a runner that cannot be reached while a supervised one
 * restarts is waited for once. (Resending on a new connection, when the runner cannot have read the
 * call, is the transport's business.)
 */
final class ConfTokenCall<T> extends RunnerRpc<T> {

    /** APISIX tries a call at most this many times when the runner forgot the token. */
    static final int ATTEMPTS = 3;

    /** Encodes a call with the conf token of its attempt. */
    @FunctionalInterface
    interface TokenEncoder {
        ByteBuffer encode(MessageWriter writer, long token);
    }

    private final RunnerClient client;
    private final RunnerConf conf;
    private final TokenEncoder encoder;
    private final BiFunction<MessageReader, ByteBuffer, T> decoder;
    private long token;
    private int attemptsLeft = ATTEMPTS;
    /** {@link RunnerIdentity#changes()} when the attempt began: its token is from that runner or a later one. */
    private long runnerSeen;
    private boolean waitedForRestart;
    /** The supervisor's generation when the attempt began: what a restart has to be newer than. */
    private long seenGeneration;

    ConfTokenCall(RunnerClient client, RunnerConf conf, int type, ExtraInfoHandler handler, TokenEncoder encoder,
            BiFunction<MessageReader, ByteBuffer, T> decoder) {
        super(type, Objects.requireNonNull(handler, "handler"), new CompletableFuture<>());
        this.client = client;
        this.conf = Objects.requireNonNull(conf, "conf");
        this.encoder = encoder;
        this.decoder = decoder;
    }

    CompletableFuture<T> start() {
        if (client.isClosed()) {
            result.completeExceptionally(RunnerClient.closedFailure());
        } else {
            attempt();
        }
        return result;
    }

    private void attempt() {
        if (client.restartWaitNanos() > 0) {
            seenGeneration = client.supervisor().generation();
        }
        runnerSeen = client.identity().changes(); // before the token is read: a later change is caught by stillValid
        ConfTokenCache tokens = client.tokens();
        long cached = tokens.cached(conf);
        if (cached != ConfTokenCache.NONE) {
            token = cached;
            client.submit(this);
            return;
        }
        tokens.token(conf, client::prepareConf).whenComplete((prepared, error) -> {
            if (error != null) {
                failed(asRunnerException(error));
            } else {
                token = prepared;
                client.submit(this);
            }
        });
    }

    @Override
    boolean stillValid() {
        return runnerSeen == client.identity().changes();
    }

    @Override
    ByteBuffer encode(MessageWriter writer) {
        return encoder.encode(writer, token);
    }

    @Override
    T decode(MessageReader reader, ByteBuffer payload) {
        return decoder.apply(reader, payload);
    }

    @Override
    void failed(RunnerException failure) {
        if (failure.isConfTokenNotFound() && --attemptsLeft > 0) {
            // As APISIX: the runner lost its confs (restart, expiry), so every token is suspect.
            client.tokens().flush();
            attempt();
            return;
        }
        if (failure.kind() == RunnerException.Kind.CONNECT && client.restartWaitNanos() > 0 && !waitedForRestart) {
            // The runner may be restarting, or have died a moment ago, before the supervisor noticed.
            waitedForRestart = true;
            client.supervisor().whenNewerThan(seenGeneration, client.restartWaitNanos())
                    .whenComplete((ready, error) -> {
                        if (Boolean.TRUE.equals(ready) && !client.isClosed()) {
                            attempt();
                        } else {
                            result.completeExceptionally(failure);
                        }
                    });
            return;
        }
        result.completeExceptionally(failure);
    }

    /** What a failed {@code PrepareConf} stage failed with, as the call's failure. */
    private static RunnerException asRunnerException(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof RunnerException runner ? runner
                : new RunnerException(RunnerException.Kind.IO, "PrepareConf failed: " + cause, cause);
    }
}
