package io.gatekit.plugins.ext;

import io.gatekit.api.Nullable;
import io.gatekit.api.Plugin;
import io.gatekit.api.http.Exchange;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the three {@code ext-plugin-*} plugins share: the runner client, the per-call deadline,
 * failure handling and the answers to a runner's questions. Each subclass implements only its own
 * phases, since the engine calls a plugin in exactly the phases its class overrides.
 */
abstract class ExtPlugin implements Plugin {

    /** The largest body one frame can carry to the Java runner, with room for the message around it. */
    static final long MAX_BODY = 16_776_192;

    private static final byte[] EMPTY = new byte[0];

    private final ExtSetup setup;
    private final AtomicBoolean warnedNotConfigured = new AtomicBoolean();
    private final AtomicBoolean warnedBodyNotRead = new AtomicBoolean();
    private final AtomicBoolean warnedNoResponseBody = new AtomicBoolean();

    ExtPlugin(ExtSetup setup) {
        this.setup = setup;
    }

    final ExtSetup setup() {
        return setup;
    }

    static long nextId() {
        return CallIds.PROCESS.next();
    }

    /** {@code call} with the instance's deadline: it fails with a {@code TimeoutException} after it. */
    final <T> CompletableFuture<T> withDeadline(CompletionStage<T> call) {
        return call.toCompletableFuture().orTimeout(setup.timeoutNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Records and logs a failure; {@code sentAt} is when the call was sent, or {@code 0} with
     * {@code sent} false when none could be.
     */
    final void recordFailure(Failure failure, @Nullable Throwable error, boolean sent, long sentAt, boolean response) {
        if (sent) {
            setup.metrics().failed(failure, sentAt);
        } else {
            setup.metrics().notSent(failure);
        }
        if (setup.allowDegradation()) {
            setup.metrics().degraded();
        }
        String then = setup.allowDegradation()
                ? (response ? "passing the upstream response on unchanged" : "continuing unchanged")
                        + " (allow_degradation)"
                : "answering " + failure.status(response);
        if (failure == Failure.NOT_CONFIGURED) {
            // A config problem, not an incident: said once per instance, not once per request.
            if (warnedNotConfigured.compareAndSet(false, true)) {
                setup.logger().log(Level.WARNING, setup.who() + ": no Plugin Runner is configured (plugin_attr."
                        + setup.pluginName() + ".socket_path is not set); set ext-plugin.cmd, or"
                        + " ext-plugin.path_for_test for a runner started by hand, in the gateway config."
                        + " Until then every request is " + then);
            }
            return;
        }
        String detail = error == null ? "" : ": " + describe(error);
        setup.logger().log(Level.WARNING, setup.who() + ": runner call failed (" + failure.label() + ")" + detail
                + "; " + then);
    }

    /** The most telling message of a failure: a body over the limit says so itself. */
    private String describe(Throwable error) {
        Throwable cause = Failure.unwrap(error);
        if (cause instanceof TimeoutException) {
            return "no answer within the timeout of " + setup.timeoutNanos() / 1e9 + " s";
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof BodyTooLargeException) {
                return t.getMessage();
            }
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /**
     * The answer to a runner's {@code ReqBody} question: no value when the request has no body (or an
     * empty one), as APISIX answers with {@code core.request.get_body()}, which is nil then. A body
     * that streams past the plugin ({@code read_request_body: false}) is unknown: the runner gets an
     * empty one, and the log says why.
     */
    final byte @Nullable [] requestBody(Exchange exchange) throws BodyTooLargeException {
        byte[] body = exchange.request().body();
        if (body == null && !setup.readRequestBody()) {
            if (warnedBodyNotRead.compareAndSet(false, true)) {
                setup.logger().log(Level.WARNING, setup.who() + ": the runner asked for the request body, but"
                        + " read_request_body is false so the body streams past the plugin; the runner gets an"
                        + " empty body (said once)");
            }
            return EMPTY;
        }
        if (body == null || body.length == 0) {
            return null;
        }
        if (body.length > MAX_BODY) {
            throw new BodyTooLargeException("request body", body.length, MAX_BODY);
        }
        return body;
    }

    /** A runner asked for the response body during a request call: there is none yet. */
    final void logNoResponseBody() {
        if (warnedNoResponseBody.compareAndSet(false, true)) {
            setup.logger().log(Level.WARNING, setup.who() + ": the runner asked for the response body during"
                    + " a request call; it gets no value (said once)");
        }
    }

    @Override
    public final boolean failOpen() {
        return setup.allowDegradation();
    }

    @Override
    public final void close() {
        RunnerClients.Lease lease = setup.lease();
        if (lease != null) {
            lease.close();
        }
    }
}
