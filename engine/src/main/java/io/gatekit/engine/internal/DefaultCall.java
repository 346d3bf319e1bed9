package io.gatekit.engine.internal;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Consumer;
import io.gatekit.api.BodyBuffering;
import io.gatekit.api.CallObserver;
import io.gatekit.api.Completion;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.api.http.UpstreamTarget;
import io.gatekit.engine.Call;
import io.gatekit.engine.Upstream;
import io.gatekit.engine.host.Application;
import io.gatekit.engine.host.Body;
import io.gatekit.engine.host.Response;
import io.gatekit.engine.host.Target;
import io.gatekit.engine.host.Transport;
import io.gatekit.engine.host.UpstreamFailure;
import io.gatekit.engine.internal.expr.VarSource;
import io.gatekit.engine.internal.upstream.HopByHop;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * The engine's side of one request. It is the {@link Exchange} plugins see, its
 * {@link UpstreamTarget} and the {@link VarSource} filters read, all in one object, so a request
 * costs one allocation for the engine's bookkeeping. It holds the call's state; the work over it
 * is done by static helpers named for what they do, which read and write these fields:
 * {@link RequestPhases} (rewrite, consumer, access), {@link PhaseRunner} (walking each chain),
 * {@link UpstreamAttempts} (node order, retries) and {@link CallObservation} (the observer's hooks).
 */
final class DefaultCall implements Exchange, UpstreamTarget, VarSource {

    private static final System.Logger LOG = System.getLogger("io.gatekit.engine");
    /** For a request nginx would refuse before any phase: no plugin, not even a global rule, runs. */
    private static final CompiledRoute NO_PLUGINS = CompiledRoute.none();

    final Snapshot snapshot;
    final CallEnvironment env;
    CompiledRoute route;
    boolean matched;
    final HttpRequest request;
    /** Follows this call (a tracer), or null: then no hook below is made or called. */
    @Nullable CallObserver observer;
    /** {@link #observer} when it follows plugin phases, else null: the fast path's one check. */
    @Nullable CallObserver pluginObserver;
    /** The upstream attempt {@link #observer} follows, from its first; null while none is. */
    CallObservation.@Nullable Attempt observedAttempt;
    @Nullable HttpResponse response;
    /** The consumer an authentication plugin attached, or {@code null}. */
    ConsumerSet.@Nullable Found consumer;
    /** Whether the rewrite running now is the consumer's ({@link CompiledRoute#consumerRewrite}). */
    boolean inConsumerRewrite;
    Phase phase = Phase.REWRITE;
    @Nullable Target target;
    /** The nodes this request may try, first choice first; {@code attempts} of them were tried. */
    List<Upstream.Node> order = List.of();
    int attempts;
    long firstAttemptNanos;
    private int upstreamStatus;
    private boolean completed;
    private Object @Nullable [] attrs;
    /** nginx's {@code $uri} of the path as received: what routes match and {@code uri} reads. */
    private @Nullable String uri;
    /** The path and query as received, for {@code real_request_uri} and {@code request_uri}. */
    @Nullable String receivedPath;
    private @Nullable String receivedQuery;
    /** Why the path cannot be normalized, when it cannot: the request is answered 400. */
    @Nullable String badPath;

    DefaultCall(Snapshot snapshot, CallEnvironment env, HttpRequest request) {
        this.snapshot = snapshot;
        this.env = env;
        this.route = snapshot.globalOnly();
        this.request = request;
    }

    /**
     * Attaches the call's observers, once routed and before any phase: the listener's, then those
     * of the route's plugins that follow whole calls (global rules first), in chain order.
     */
    DefaultCall start() {
        CallObservation.start(this);
        return this;
    }

    /** The call's observer, or {@code null}: for the client the engine hands plugins. */
    @Nullable CallObserver observer() {
        return observer;
    }

    /**
     * Matches the request against the snapshot's router; called once, before any phase. Routes
     * match the normalized path, as APISIX matches {@code ngx.var.uri}: {@code /public/../admin}
     * is {@code /admin} to the router, never a match for {@code /public/*}. The path as received
     * stays in the request and is what goes upstream unless a plugin changes it, as nginx passes
     * the unparsed request URI when APISIX leaves {@code upstream_uri} empty.
     */
    DefaultCall route() {
        receivedPath = request.path();
        receivedQuery = request.rawQuery();
        try {
            uri = NginxUri.normalize(receivedPath);
        } catch (NginxUri.Invalid e) {
            badPath = e.getMessage();
            route = NO_PLUGINS;
            LOG.log(Level.DEBUG, () -> "client sent an invalid path " + receivedPath + ": " + badPath);
            return this;
        }
        // the client's address as text only for a route that checks remote_addrs: read through
        // this call's remote_addr variable, so most requests never format it
        var match = snapshot.router().match(request.method(), request.host(), uri, null, this);
        if (match != null) {
            route = match.payload();
            matched = true;
        }
        return this;
    }

    /**
     * As {@link #route()}, but on {@code named}, a route of the snapshot the host chose itself
     * (enabled or not), without asking the router.
     */
    DefaultCall route(CompiledRoute named) {
        route();
        if (badPath == null) {
            route = named;
            matched = true;
        }
        return this;
    }

    /** The compiled route in use (the global-only chain when nothing matched). */
    CompiledRoute compiledRoute() {
        return route;
    }

    /** Whether {@code entry}'s filter lets it run for this request now. */
    boolean filterMatches(PluginEntry entry) {
        return PhaseRunner.runs(this, entry);
    }

    // ---- the host's steps (Call, through HostCall) ----

    public boolean matched() {
        return matched;
    }

    public @Nullable Upstream resolvedUpstream() {
        return route.upstream();
    }

    public BodyBuffering bodyBuffering() {
        return route.bodyBuffering();
    }

    public boolean filtersBody() {
        return route.chain(Phase.BODY_FILTER).length > 0;
    }

    public Outcome runRequestPhases() {
        return RequestPhases.run(this);
    }

    /** {@link Call#serve}, for {@code handle}, the host's handle on this call. */
    public CompletionStage<Response> serve(Call handle, Body body, Transport transport,
            @Nullable Application application) {
        if (application != null && !matched) {
            release(); // no route: the application serves the request untouched, no plugin runs
            return application.handle(request, body);
        }
        return env.hosts().serve(handle, body, transport, application);
    }

    public Outcome beforeProxy() {
        return UpstreamAttempts.first(this);
    }

    public Outcome beforeApplication() {
        if (route.upstream() != null) {
            throw new IllegalStateException("route [" + routeIdOrEmpty() + "] has an upstream (expected: "
                    + "beforeProxy() for routes with one, beforeApplication() for routes without)");
        }
        return PhaseRunner.runPhase(this, Phase.BEFORE_PROXY, 0);
    }

    public @Nullable Target target() {
        return target;
    }

    public void forEachUpstreamHeader(BiConsumer<String, String> sink) {
        UpstreamAttempts.forEachHeader(this, sink);
    }

    @Override
    public void forEachContextHeader(BiConsumer<String, String> sink) {
        CallObservation.contextHeaders(this, sink);
    }

    public Outcome upstreamFailed(UpstreamFailure failure, boolean replayable) {
        return UpstreamAttempts.failed(this, failure, replayable);
    }

    public Completion upstreamResponse(HttpResponse response) {
        HopByHop.strip(response.headers());
        int status = response.status();
        if (status >= 500 && status <= 599) {
            response.headers().set("X-APISIX-Upstream-Status", Integer.toString(status));
        }
        this.upstreamStatus = status;
        this.response = response;
        if (route.health != null && target != null) {
            route.health.responded(target.node(), status);
        }
        if (observer != null) {
            CallObservation.attemptEnded(this, status, null);
        }
        return PhaseRunner.runHeaderFilter(this, 0);
    }

    public Completion localResponse(HttpResponse response) {
        this.response = response;
        return PhaseRunner.runHeaderFilter(this, 0);
    }

    public ByteBuffer bodyFilter(ByteBuffer chunk, boolean last) {
        return PhaseRunner.bodyFilter(this, chunk, last);
    }

    public void complete() {
        if (completed) {
            return;
        }
        completed = true;
        try {
            PhaseRunner.runLog(this);
        } finally {
            CallObserver o = observer;
            if (o != null) {
                CallObservation.callCompleted(this, o);
            }
            snapshot.release();
        }
    }

    /**
     * Releases the config snapshot without running {@code log}: for a request the engine hands
     * to the host's application untouched, since no route matched.
     */
    public void release() {
        if (!completed) {
            completed = true;
            CallObserver o = observer;
            if (o != null) {
                CallObservation.callCompleted(this, o);
            }
            snapshot.release();
        }
    }

    /** The route's id, or empty when it has none: for log lines and the listener. */
    String routeIdOrEmpty() {
        String id = route.id();
        return id == null ? "" : id;
    }

    // ---- Exchange ----

    @Override
    public HttpRequest request() {
        return request;
    }

    @Override
    public UpstreamTarget upstream() {
        return this;
    }

    @Override
    public @Nullable HttpResponse response() {
        return response;
    }

    @Override
    public @Nullable String routeId() {
        return route.id();
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public <T> @Nullable T attr(AttributeKey<T> key) {
        Object[] a = attrs;
        if (a != null) {
            for (int i = 0; i < a.length; i += 2) {
                if (a[i] == key) {
                    return key.type().cast(a[i + 1]);
                }
            }
        }
        return null;
    }

    @Override
    public <T> void attr(AttributeKey<T> key, @Nullable T value) {
        if (value != null && !key.type().isInstance(value)) {
            throw new IllegalArgumentException("value: " + value.getClass().getName() + " (expected: "
                    + key.type().getName() + " for " + key.name() + ")");
        }
        Object[] a = attrs;
        if (a == null) {
            attrs = a = new Object[8];
        }
        int free = -1;
        for (int i = 0; i < a.length; i += 2) {
            if (a[i] == key) {
                if (value == null) {
                    a[i] = null;
                }
                a[i + 1] = value;
                return;
            }
            if (a[i] == null && free < 0) {
                free = i;
            }
        }
        if (value == null) {
            return;
        }
        if (free < 0) {
            free = a.length;
            attrs = a = Arrays.copyOf(a, a.length * 2);
        }
        a[free] = key;
        a[free + 1] = value;
    }

    @Override
    public @Nullable Consumer consumer() {
        return consumer;
    }

    @Override
    public @Nullable Consumer findConsumer(String plugin, String field, String value) {
        return snapshot.consumers().find(plugin, field, value);
    }

    @Override
    public void attachConsumer(Consumer found) {
        if (!(found instanceof ConsumerSet.Found known) || snapshot.consumers().consumer(known.username()) != found) {
            throw new IllegalArgumentException("consumer: " + found + " (expected: one findConsumer returned)");
        }
        if (phase != Phase.REWRITE || inConsumerRewrite) {
            throw new IllegalStateException("attachConsumer in " + phase.apisixName()
                    + " (expected: in rewrite, by an authentication plugin of the route or a global rule)");
        }
        consumer = known;
        request.headers().set("X-Consumer-Username", known.username());
    }

    // ---- UpstreamTarget ----

    @Override
    public String scheme() {
        Upstream up = route.upstream();
        return up == null ? "http" : up.scheme();
    }

    @Override
    public @Nullable String nodeHost() {
        Target current = target;
        return current == null ? null : current.host();
    }

    @Override
    public int nodePort() {
        Target current = target;
        return current == null ? 0 : current.port();
    }

    @Override
    public @Nullable String hostHeader() {
        Target current = target;
        return current == null ? null : current.hostHeader();
    }

    @Override
    public int status() {
        return upstreamStatus;
    }

    // ---- VarSource ----

    @Override
    public @Nullable String var(String name) {
        return RequestVars.lookup(this, name);
    }

    /** nginx's {@code $uri}: the received path, normalized (as received if it could not be). */
    String uri() {
        String normalized = uri;
        return normalized != null ? normalized : receivedPath != null ? receivedPath : request.path();
    }

    /**
     * APISIX's {@code request_uri}: the normalized path and the query as received. APISIX records
     * it so "to prevent being hacked by untrusted request_uri" (apisix/init.lua).
     */
    String requestUri() {
        return receivedQuery == null ? uri() : uri() + '?' + receivedQuery;
    }

    /** APISIX's {@code real_request_uri}: the path and query exactly as the client sent them. */
    String realRequestUri() {
        String path = receivedPath != null ? receivedPath : request.path();
        return receivedQuery == null ? path : path + '?' + receivedQuery;
    }

    @Override
    public String toString() {
        return "Call[" + request + " route=" + route.id() + " phase=" + phase + ']';
    }
}
