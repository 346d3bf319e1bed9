package io.gatekit.engine;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.host.Application;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Target;
import io.gatekit.engine.host.Transport;
import io.gatekit.engine.host.UpstreamFailure;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * One request driven through the engine step by step, for hosts that own their I/O and stream
 * (the gateway's Netty pipeline, say). Most hosts call {@link Engine#serve} instead, which runs
 * these steps for them. The engine decides every upstream matter here too: the host only moves
 * bytes.
 *
 * <pre>{@code
 * Call call = engine.newCall(request);
 * Outcome outcome = call.runRequestPhases();            // rewrite + access (global rules first)
 * // PROCEED:
 * outcome = call.beforeProxy();                         // picks the node, runs before_proxy
 * // PROCEED: send to call.target() the request line of call.exchange().request() with the
 * //          headers of call.forEachUpstreamHeader(...); on a failure:
 * outcome = call.upstreamFailed(UpstreamFailure.CONNECT_FAILED, true);  // PROCEED: try call.target()
 * // when the upstream answers:
 * Completion done = call.upstreamResponse(response);    // header_filter
 * // when done: stream the body through call.bodyFilter(chunk, last), send call.exchange().response()
 * call.complete();                                      // log phase; always, exactly once
 * }</pre>
 *
 * <p>Every step returns at once: an {@link Outcome#async async} outcome or a pending
 * {@link Completion} means "continue when this completes" ({@link Outcome#toStage()} settles one).
 * When a step responds (a short-circuit, a 404, a 502 after the last retry, a plugin failure), the
 * host sends that response through {@link #localResponse} like any other. A call is used by one
 * request at a time; steps may run on different threads as long as they do not overlap.
 */
public interface Call {

    /**
     * The exchange plugins see; the host reads the final request and response from it. It is not
     * this {@code Call}: a plugin cannot cast its exchange to drive the request.
     */
    Exchange exchange();

    /** Whether a route matched; when not, {@link #runRequestPhases()} runs global rules then answers 404. */
    boolean matched();

    /**
     * The matched route's upstream (inline, by id, or through its service), or {@code null} when
     * the route has none: a host with its own application then serves the request with it (see
     * {@link #beforeApplication()}); any other host answers 503, as {@link #beforeProxy()} does.
     */
    @Nullable Upstream resolvedUpstream();

    /** Which bodies some plugin on the route needs whole; buffer only those. */
    BodyBuffering bodyBuffering();

    /**
     * Whether some plugin on the route rewrites body chunks ({@code body_filter}); the host must
     * then not promise the upstream's Content-Length to the client.
     */
    boolean filtersBody();

    /**
     * Runs every remaining step of this call through {@code transport}, as
     * {@link Engine#serve(io.gatekit.api.http.HttpRequest, Body, Transport, Application)} does, for
     * a host that wants the call at hand (its exchange, its phase) while it runs. Call it instead
     * of the steps below, once, before any of them.
     */
    CompletionStage<Response> serve(Body body, Transport transport, @Nullable Application application);

    /** Runs {@code rewrite} then {@code access}. */
    Outcome runRequestPhases();

    /**
     * Picks the first node of the route's upstream, works out the {@link #target()} (Host header
     * after {@code pass_host}, timeouts) and runs {@code before_proxy}. Responds with APISIX's 503
     * when the route has no upstream and 502 when it has no usable node.
     */
    Outcome beforeProxy();

    /**
     * For a route without an upstream, in a host that serves such routes with its own application:
     * runs {@code before_proxy} with no target, before the host hands the request to the
     * application.
     */
    Outcome beforeApplication();

    /** Where the current attempt goes, or {@code null} before {@link #beforeProxy()} picked a node. */
    @Nullable Target target();

    /**
     * Calls {@code sink} with each header the upstream must receive for the current attempt: the
     * request's end-to-end headers as plugins left them, without hop-by-hop headers (those the
     * {@code Connection} header names included) and framing headers, then {@code Host},
     * {@code X-Forwarded-For} and {@code X-Real-IP}.
     */
    void forEachUpstreamHeader(BiConsumer<String, String> sink);

    /**
     * The current attempt failed. As nginx's {@code proxy_next_upstream error timeout}: another
     * node is tried while {@code retries} and {@code retry_timeout} allow, unless the request may
     * have reached the upstream and its method is not idempotent, or its body cannot be sent
     * again. Returns {@link Outcome#proceed()} (possibly async: {@code before_proxy} ran again)
     * with the new {@link #target()}, or APISIX's 502 (error) or 504 (timeout) to send.
     *
     * @param replayable whether the host can send the same request again (no body, a buffered one,
     *                   or a streamed one not yet read)
     */
    Outcome upstreamFailed(UpstreamFailure failure, boolean replayable);

    /**
     * Sets the upstream's response (its hop-by-hop headers are dropped) and runs
     * {@code header_filter}. The host sends {@code exchange().response()} once the completion is done.
     */
    Completion upstreamResponse(HttpResponse response);

    /**
     * Sets a response the host or a step produced (a short-circuit, an error page, the host's own
     * application) and runs {@code header_filter}.
     */
    Completion localResponse(HttpResponse response);

    /** Runs {@code body_filter} on one chunk and returns the chunk to send. */
    ByteBuffer bodyFilter(ByteBuffer chunk, boolean last);

    /** Runs {@code log} and releases the config snapshot. Idempotent; call it on every path. */
    void complete();
}
