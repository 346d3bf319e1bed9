package io.gatekit.engine.internal.host;

import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Call;
import io.gatekit.engine.host.Application;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Target;
import io.gatekit.engine.host.Transport;
import io.gatekit.engine.host.UpstreamException;
import io.gatekit.engine.host.UpstreamFailure;
import io.gatekit.engine.host.UpstreamRequest;
import io.gatekit.engine.internal.upstream.ErrorPages;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One request served through a host's {@link Transport}, start to end: the request body read
 * whole if a plugin asks, the request phases, the node (or the host's {@link Application}), each
 * attempt and its retry, {@code header_filter} on what answered, the body through
 * {@code body_filter}, and {@code log} when the body handed back ends. Nothing here blocks: each
 * step continues on the thread that completed the previous one.
 */
final class CallDriver {

    private static final System.Logger LOG = System.getLogger("io.gatekit.engine");

    private final Call call;
    private final HttpRequest request;
    private final Body clientBody;
    private final Transport transport;
    private final @Nullable Application application;
    private final long bodyBufferLimit;
    private final ScheduledExecutorService timers;
    private @Nullable ClientBody streamed;

    public CallDriver(Call call, Body clientBody, Transport transport, @Nullable Application application,
            long bodyBufferLimit, ScheduledExecutorService timers) {
        this.call = call;
        this.request = call.exchange().request();
        this.clientBody = clientBody;
        this.transport = transport;
        this.application = application;
        this.bodyBufferLimit = bodyBufferLimit;
        this.timers = timers;
    }

    /** Serves the request; the stage never fails: every failure becomes a response. */
    public CompletionStage<Response> run() {
        CompletionStage<Response> served;
        try {
            served = readRequestBody().thenCompose(this::requestPhases);
        } catch (RuntimeException e) {
            served = CompletableFuture.failedStage(e);
        }
        return served.exceptionallyCompose(this::internalError);
    }

    /** The request body, read whole when some plugin on the route needs it. */
    private CompletionStage<@Nullable HttpResponse> readRequestBody() {
        if (!call.bodyBuffering().request() || clientBody.length() == 0) {
            return CompletableFuture.completedStage(null);
        }
        return Bodies.collect(clientBody, bodyBufferLimit).handle((bytes, error) -> {
            if (error == null) {
                request.body(bytes);
                return null;
            }
            Throwable cause = unwrap(error);
            if (cause instanceof BodyTooLargeException) {
                return ErrorPages.requestEntityTooLarge();
            }
            throw new CompletionException(cause);
        });
    }

    private CompletionStage<Response> requestPhases(@Nullable HttpResponse refused) {
        if (refused != null) {
            return respond(refused);
        }
        return call.runRequestPhases().toStage().thenCompose(outcome -> {
            if (!outcome.proceeds()) {
                return respond(outcome.response());
            }
            if (call.resolvedUpstream() == null && application != null) {
                return call.beforeApplication().toStage().thenCompose(this::toApplication);
            }
            return call.beforeProxy().toStage().thenCompose(this::toUpstream);
        });
    }

    // ---- the application ----

    private CompletionStage<Response> toApplication(Outcome outcome) {
        if (!outcome.proceeds()) {
            return respond(outcome.response());
        }
        CompletionStage<Response> answered;
        try {
            answered = application.handle(request, bodyToSend());
        } catch (RuntimeException e) {
            answered = CompletableFuture.failedStage(e);
        }
        return answered.handle((response, error) -> {
            if (error != null || response == null) {
                LOG.log(Level.ERROR, "the application failed on route [" + routeId() + "]",
                        error != null ? unwrap(error) : new NullPointerException("application answered null"));
                return respond(ErrorPages.internalServerError());
            }
            return answered(response, false);
        }).thenCompose(stage -> stage);
    }

    // ---- the upstream ----

    private CompletionStage<Response> toUpstream(Outcome outcome) {
        if (!outcome.proceeds()) {
            return respond(outcome.response());
        }
        Target target = call.target();
        HttpHeaders headers = HttpHeaders.of();
        call.forEachUpstreamHeader(headers::add);
        Body body = bodyToSend();
        UpstreamRequest attempt = new UpstreamRequest(target, request.method(), request.uri(), headers, body);
        CompletionStage<Response> sent;
        try {
            sent = transport.send(attempt);
            if (sent == null) {
                throw new NullPointerException("Transport.send returned null (expected: a CompletionStage)");
            }
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedStage(e);
        }
        if (Bodies.wholeBytes(body) != null) {
            sent = withDeadline(sent, target);
        }
        return sent.handle((response, error) -> {
            if (error != null || response == null) {
                Throwable cause = error != null ? unwrap(error)
                        : new UpstreamException(UpstreamFailure.RESPONSE_BROKEN, "the transport answered null");
                return failed(UpstreamFailure.of(cause), cause);
            }
            return answered(response, true);
        }).thenCompose(stage -> stage);
    }

    private CompletionStage<Response> failed(UpstreamFailure failure, Throwable cause) {
        LOG.log(Level.DEBUG, () -> "upstream attempt failed: " + failure, cause);
        return call.upstreamFailed(failure, replayable()).toStage().thenCompose(this::toUpstream);
    }

    /**
     * The body an attempt sends: the buffered one (plugins may have replaced it), or the client's
     * stream; a stream is sent at most once.
     */
    private Body bodyToSend() {
        byte[] buffered = request.body();
        if (buffered != null) {
            return Body.of(buffered);
        }
        if (clientBody.length() == 0) {
            return Bodies.EMPTY;
        }
        if (streamed == null) {
            streamed = new ClientBody(clientBody);
        }
        return streamed;
    }

    private boolean replayable() {
        return request.body() != null || clientBody.length() == 0 || streamed == null || streamed.replayable();
    }

    /**
     * Bounds the wait for the response head by the target's connect, send and read timeouts
     * together, whatever the transport does; the transport's own stage is cancelled then.
     */
    private CompletionStage<Response> withDeadline(CompletionStage<Response> sent, Target target) {
        CompletableFuture<Response> bounded = new CompletableFuture<>();
        long nanos = target.connectTimeout().toNanos() + target.sendTimeout().toNanos()
                + target.readTimeout().toNanos();
        ScheduledFuture<?> timer = timers.schedule(() -> {
            if (bounded.completeExceptionally(new UpstreamException(UpstreamFailure.READ_TIMEOUT,
                    "no response from " + target.address() + " within " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms"))) {
                sent.toCompletableFuture().cancel(true);
            }
        }, nanos, TimeUnit.NANOSECONDS);
        sent.whenComplete((response, error) -> {
            timer.cancel(false);
            if (error != null) {
                bounded.completeExceptionally(error);
            } else if (!bounded.complete(response) && response != null) {
                Bodies.discard(response.body()); // too late: the client already has a 504
            }
        });
        return bounded;
    }

    // ---- the response ----

    /** What answered (the upstream, or the application), through header_filter. */
    private CompletionStage<Response> answered(Response answer, boolean fromUpstream) {
        HttpResponse head = HttpResponse.of(answer.status(), answer.headers(), null);
        boolean isHead = request.method().equals("HEAD");
        if (call.bodyBuffering().response() && !isHead) {
            return Bodies.collect(answer.body(), bodyBufferLimit).handle((bytes, error) -> {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    if (cause instanceof BodyTooLargeException) {
                        LOG.log(Level.ERROR, "upstream body over body_buffer_limit on route [" + routeId() + "]");
                        return respond(ErrorPages.badGateway());
                    }
                    LOG.log(Level.ERROR, "the response body broke off on route [" + routeId() + "]", cause);
                    return fromUpstream
                            ? call.upstreamFailed(UpstreamFailure.RESPONSE_BROKEN, false).toStage()
                                    .thenCompose(outcome -> respond(outcome.response()))
                            : respond(ErrorPages.internalServerError());
                }
                head.body(bytes);
                return (fromUpstream ? call.upstreamResponse(head) : call.localResponse(head)).toStage()
                        .thenApply(done -> finish(null));
            }).thenCompose(stage -> stage);
        }
        if (call.filtersBody()) {
            head.headers().remove("content-length"); // body_filter may change the length
        }
        Body body = isHead ? discardAndEmpty(answer.body()) : answer.body();
        return (fromUpstream ? call.upstreamResponse(head) : call.localResponse(head)).toStage()
                .thenApply(done -> finish(body));
    }

    /** A response of the engine's or a plugin's, through header_filter. */
    private CompletionStage<Response> respond(HttpResponse response) {
        return call.localResponse(response).toStage().thenApply(done -> finish(null));
    }

    /**
     * The response as header_filter left it: a body a plugin set replaces what streams (the
     * stream is cancelled), and either way the body goes out through body_filter, with log
     * when it ends.
     */
    private Response finish(@Nullable Body stream) {
        HttpResponse out = call.exchange().response();
        boolean head = request.method().equals("HEAD");
        byte[] whole = out.body();
        if (whole != null || stream == null) {
            if (stream != null) {
                Bodies.discard(stream);
            }
            byte[] bytes = whole == null ? new byte[0] : whole;
            if (call.filtersBody() && !head) {
                bytes = copy(call.bodyFilter(ByteBuffer.wrap(bytes), true));
            }
            int status = out.status();
            if (!head && status >= 200 && status != 204 && status != 304) {
                out.headers().set("content-length", Integer.toString(bytes.length));
            }
            return new Response(out.status(), out.headers(),
                    new FilteredBody(head ? Bodies.EMPTY : Body.of(bytes), null, head ? 0 : bytes.length, call::complete));
        }
        boolean filters = call.filtersBody();
        long length = filters ? -1 : stream.length();
        return new Response(out.status(), out.headers(),
                new FilteredBody(stream, filters ? call : null, length, call::complete));
    }

    private CompletionStage<Response> internalError(Throwable error) {
        LOG.log(Level.ERROR, "serving a request on route [" + routeId() + "] failed", unwrap(error));
        try {
            return respond(ErrorPages.internalServerError());
        } catch (RuntimeException e) {
            call.complete();
            HttpResponse page = ErrorPages.internalServerError();
            return CompletableFuture.completedStage(Response.of(page.status(), page.headers(), page.body()));
        }
    }

    private static Body discardAndEmpty(Body body) {
        Bodies.discard(body);
        return Bodies.EMPTY;
    }

    private String routeId() {
        String id = call.exchange().routeId();
        return id == null ? "" : id;
    }

    private static byte[] copy(ByteBuffer buffer) {
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
                && buffer.remaining() == buffer.array().length) {
            return buffer.array();
        }
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
