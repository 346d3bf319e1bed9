package io.gatekit.engine;

import io.gatekit.api.BodyBuffering;
import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpResponse;
import java.nio.ByteBuffer;

/**
 * One request driven through the engine by its host. The host owns the I/O; the call runs the
 * plugins at each step and tells the host what to do next.
 *
 * <pre>{@code
 * Call call = engine.newCall(request);
 * Outcome outcome = call.runRequestPhases();          // rewrite + access (global rules first)
 * // PROCEED: pick a node of call.resolvedUpstream(), then
 * outcome = call.beforeProxy("127.0.0.1", 1980, "example.com");
 * // PROCEED: send call.exchange().request() upstream; when it answers:
 * Completion done = call.headerFilter(upstreamResponse, true);
 * // stream the body through call.bodyFilter(chunk, last), send call.exchange().response()
 * call.complete();                                    // log phase; always call it, once
 * }</pre>
 *
 * <p>Every step returns at once: an {@link Outcome#async async} outcome or a pending
 * {@link Completion} means "continue when this completes". When a request phase responds (a
 * short-circuit, a 404, a plugin failure), the host sends that response through
 * {@link #headerFilter} like any other. A call is used by one request at a time; steps may run
 * on different threads as long as they do not overlap.
 */
public interface Call {

    /** The exchange plugins see; the host reads the final request and response from it. */
    Exchange exchange();

    /** Whether a route matched; when not, {@link #runRequestPhases()} runs global rules then answers 404. */
    boolean matched();

    /** The matched route's upstream (inline, by id, or through its service), or {@code null}. */
    @Nullable Upstream resolvedUpstream();

    /** The matched route's own timeouts (they override the upstream's), or {@code null}. */
    Upstream.@Nullable Timeouts routeTimeout();

    /** Which bodies some plugin on the route needs whole; buffer only those. */
    BodyBuffering bodyBuffering();

    /**
     * Whether some plugin on the route rewrites body chunks ({@code body_filter}); the host must
     * then not promise the upstream's Content-Length to the client.
     */
    boolean filtersBody();

    /** Runs {@code rewrite} then {@code access}. */
    Outcome runRequestPhases();

    /**
     * Records the node the host picked and the Host header the upstream will receive, then runs
     * {@code before_proxy}. Called again for each retry to another node.
     */
    Outcome beforeProxy(String nodeHost, int nodePort, String hostHeader);

    /**
     * Sets the response (from the upstream when {@code fromUpstream}, else a local one such as a
     * short-circuit) and runs {@code header_filter}. The host sends
     * {@code exchange().response()} once the completion is done.
     */
    Completion headerFilter(HttpResponse response, boolean fromUpstream);

    /** Runs {@code body_filter} on one chunk and returns the chunk to send. */
    ByteBuffer bodyFilter(ByteBuffer chunk, boolean last);

    /** Runs {@code log} and releases the config snapshot. Idempotent; call it on every path. */
    void complete();
}
