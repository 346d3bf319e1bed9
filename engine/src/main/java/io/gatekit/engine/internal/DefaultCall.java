package io.gatekit.engine.internal;

import io.gatekit.api.AttributeKey;
import io.gatekit.api.Consumer;
import io.gatekit.api.BodyBuffering;
import io.gatekit.api.CallObserver;
import io.gatekit.api.Completion;
import io.gatekit.api.EngineListener;
import io.gatekit.api.Nullable;
import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.Plugin;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
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
import io.gatekit.engine.host.UpstreamException;
import io.gatekit.engine.host.UpstreamFailure;
import io.gatekit.engine.internal.expr.VarSource;
import io.gatekit.engine.internal.host.HostSupport;
import io.gatekit.engine.internal.upstream.ErrorPages;
import io.gatekit.engine.internal.upstream.HopByHop;
import io.gatekit.engine.internal.upstream.ProxyHeaders;
import io.gatekit.engine.internal.upstream.UpstreamPolicy;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * The engine's side of one request. It is the {@link Exchange} plugins see, its
 * {@link UpstreamTarget} and the {@link VarSource} filters read, all in one object, so a request
 * costs one allocation for the engine's bookkeeping. Chains are walked by index over the route's
 * precomputed arrays; nothing is allocated per plugin on the synchronous path.
 */
public final class DefaultCall implements Call, Exchange, UpstreamTarget, VarSource {

    private static final System.Logger LOG = System.getLogger("io.gatekit.engine");
    private static final byte[] NOT_FOUND = "{\"error_msg\":\"404 Route Not Found\"}\n"
            .getBytes(StandardCharsets.UTF_8);
    private static final Outcome PROCEED = Outcome.proceed();
    private static final Completion DONE = Completion.done();
    private static final byte[] INTERNAL_ERROR = "{\"error_msg\":\"500 Internal Server Error\"}\n"
            .getBytes(StandardCharsets.UTF_8);
    /** For a request nginx would refuse before any phase: no plugin, not even a global rule, runs. */
    private static final CompiledRoute NO_PLUGINS = CompiledRoute.none();

    private final Snapshot snapshot;
    private final HostSupport hosts;
    private final UpstreamPolicy policy;
    private CompiledRoute route;
    private boolean matched;
    private final HttpRequest request;
    private final EngineListener listener;
    private final boolean timed;
    /** Follows this call (a tracer), or null: then no hook below is made or called. */
    private @Nullable CallObserver observer;
    /** {@link #observer} when it follows plugin phases, else null: the fast path's one check. */
    private @Nullable CallObserver pluginObserver;
    /** The observed upstream attempt, its number, and the context headers it sends. */
    private CallObserver.@Nullable Outbound attemptObserved;
    private int observedAttempt;
    private @Nullable ContextHeaders attemptContext;
    private @Nullable HttpResponse response;
    /** The consumer an authentication plugin attached, or {@code null}. */
    private ConsumerSet.@Nullable Found consumer;
    /** Whether the rewrite running now is the consumer's ({@link CompiledRoute#consumerRewrite}). */
    private boolean inConsumerRewrite;
    private Phase phase = Phase.REWRITE;
    /** The Host header the client sent, for {@code pass_host: pass} once plugins removed it. */
    private @Nullable String originalHost;
    private @Nullable Target target;
    /** The nodes this request may try, first choice first; {@code attempts} of them were tried. */
    private List<Upstream.Node> order = List.of();
    private int attempts;
    private int maxAttempts;
    private long firstAttemptNanos;
    private int upstreamStatus;
    private boolean completed;
    private Object @Nullable [] attrs;
    /** nginx's {@code $uri} of the path as received: what routes match and {@code uri} reads. */
    private @Nullable String uri;
    /** The path and query as received, for {@code real_request_uri} and {@code request_uri}. */
    private @Nullable String receivedPath;
    private @Nullable String receivedQuery;
    /** Why the path cannot be normalized, when it cannot: the request is answered 400. */
    private @Nullable String badPath;

    DefaultCall(Snapshot snapshot, HostSupport hosts, HttpRequest request, EngineListener listener, boolean timed) {
        this.snapshot = snapshot;
        this.hosts = hosts;
        this.policy = hosts.policy();
        this.route = snapshot.globalOnly();
        this.request = request;
        this.listener = listener;
        this.timed = timed;
    }

    /**
     * Attaches the call's observers, once routed and before any phase: the listener's, then those
     * of the route's plugins that follow whole calls (global rules first), in chain order.
     */
    DefaultCall start() {
        CallObserver found = null;
        try {
            found = listener.callStarted(this);
        } catch (Throwable e) {
            observerFailed("the listener's callStarted", e);
        }
        PluginEntry[] observing = route.observers;
        if (observing != null) {
            for (PluginEntry entry : observing) {
                if (!runs(entry)) {
                    continue;
                }
                try {
                    found = CallObserver.both(found, entry.plugin().observe(this));
                } catch (Throwable e) {
                    observerFailed("plugin [" + entry.name() + "]'s observe", e);
                }
            }
        }
        if (found != null) {
            observer = found;
            pluginObserver = found.followsPlugins() ? found : null;
        }
        return this;
    }

    /** The call's observer, or {@code null}: for the client the engine hands plugins. */
    @Nullable CallObserver observer() {
        return observer;
    }

    private void observerFailed(String what, Throwable error) {
        LOG.log(Level.WARNING, what + " failed on route [" + routeIdOrEmpty() + "]; ignored", error);
    }

    private @Nullable Runnable observeStart(PluginEntry entry, Phase current) {
        CallObserver o = pluginObserver;
        if (o == null) {
            return null;
        }
        try {
            return o.pluginStarted(this, entry.name(), current);
        } catch (Throwable e) {
            observerFailed("the observer's pluginStarted", e);
            return null;
        }
    }

    private void observeReturn(@Nullable Runnable returned) {
        if (returned != null) {
            try {
                returned.run();
            } catch (Throwable e) {
                observerFailed("the observer's pluginStarted callback", e);
            }
        }
    }

    private void observeEnd(PluginEntry entry, Phase current, @Nullable Throwable error) {
        CallObserver o = pluginObserver;
        if (o != null) {
            try {
                o.pluginEnded(this, entry.name(), current, error);
            } catch (Throwable e) {
                observerFailed("the observer's pluginEnded", e);
            }
        }
    }

    /**
     * The context headers of the current attempt; the attempt's observation starts the first time
     * they are asked for, so a host that makes the headers again for the same attempt (a fresh
     * connection in place of a stale pooled one) starts nothing new.
     */
    private ContextHeaders attemptContext(CallObserver o) {
        ContextHeaders context = attemptContext;
        if (context != null && observedAttempt == attempts) {
            return context;
        }
        endAttempt(0, null); // a host that never reported the previous attempt
        context = new ContextHeaders();
        observedAttempt = attempts;
        attemptContext = context;
        try {
            attemptObserved = o.upstreamStarted(this, attempts, context);
        } catch (Throwable e) {
            observerFailed("the observer's upstreamStarted", e);
            attemptObserved = CallObserver.Outbound.IGNORED;
        }
        return context;
    }

    private void endAttempt(int status, @Nullable Throwable error) {
        CallObserver.Outbound open = attemptObserved;
        if (open == null) {
            return;
        }
        attemptObserved = null;
        try {
            open.ended(status, error);
        } catch (Throwable e) {
            observerFailed("the observer's upstream end", e);
        }
    }

    /** Ends the current attempt's observation, starting it first if the host never made its headers. */
    private void observedAttemptEnded(int status, @Nullable Throwable error) {
        CallObserver o = observer;
        if (o == null) {
            return;
        }
        if (observedAttempt != attempts || attemptContext == null) {
            attemptContext(o);
        }
        endAttempt(status, error);
    }

    /**
     * Matches the request against the snapshot's router; called once, before any phase. Routes
     * match the normalized path, as APISIX matches {@code ngx.var.uri}: {@code /public/../admin}
     * is {@code /admin} to the router, never a match for {@code /public/*}. The path as received
     * stays in the request and is what goes upstream unless a plugin changes it, as nginx passes
     * the unparsed request URI when APISIX leaves {@code upstream_uri} empty.
     */
    DefaultCall route() {
        originalHost = request.headers().get("host");
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
        var match = snapshot.router().match(request.method(), request.host(), uri, request.remoteIp(),
                this);
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
        return runs(entry);
    }

    // ---- Call ----

    @Override
    public Exchange exchange() {
        return this;
    }

    @Override
    public boolean matched() {
        return matched;
    }

    @Override
    public @Nullable Upstream resolvedUpstream() {
        return route.upstream();
    }

    @Override
    public BodyBuffering bodyBuffering() {
        return route.bodyBuffering();
    }

    @Override
    public boolean filtersBody() {
        return route.chain(Phase.BODY_FILTER).length > 0;
    }

    @Override
    public Outcome runRequestPhases() {
        if (badPath != null) {
            return badRequest("path " + receivedPath + ": " + badPath);
        }
        Outcome rewrite = runPhase(Phase.REWRITE, 0);
        if (rewrite == PROCEED && consumer == null) {
            return accessOrNotFound();
        }
        return switch (rewrite.kind()) {
            case PROCEED -> consumerThenAccess();
            case RESPOND -> rewrite;
            case ASYNC -> Outcome.async(rewrite.stage().thenCompose(this::afterRewrite));
        };
    }

    private CompletionStage<Outcome> afterRewrite(Outcome rewrite) {
        if (!rewrite.proceeds()) {
            return CompletableFuture.completedStage(rewrite);
        }
        return stage(consumerThenAccess());
    }

    private static CompletionStage<Outcome> stage(Outcome outcome) {
        return outcome.kind() == Outcome.Kind.ASYNC ? outcome.stage() : CompletableFuture.completedStage(outcome);
    }

    /**
     * After the rewrite phase, as APISIX's access phase goes on: with a consumer attached, its
     * plugins and its group's are laid over the route's, the rewrite of those the route did not
     * have runs, and access runs the merged chain.
     */
    private Outcome consumerThenAccess() {
        ConsumerSet.Found found = consumer;
        if (found == null || !matched) {
            return accessOrNotFound();
        }
        CompiledRoute merged = snapshot.withConsumer(route, found);
        if (merged == null) {
            LOG.log(Level.ERROR, () -> "failed to fetch consumer group config by id: " + found.groupId());
            return Outcome.respond(HttpResponse.of(503, HttpHeaders.of(), new byte[0]));
        }
        route = merged;
        if (merged.consumerRewrite.length == 0) {
            return accessOrNotFound();
        }
        inConsumerRewrite = true;
        Outcome rewrite = runPhase(Phase.REWRITE, 0);
        if (rewrite.kind() == Outcome.Kind.ASYNC) {
            return Outcome.async(rewrite.stage().thenCompose(done -> {
                inConsumerRewrite = false;
                return done.proceeds() ? stage(accessOrNotFound()) : CompletableFuture.completedStage(done);
            }));
        }
        inConsumerRewrite = false;
        return rewrite.proceeds() ? accessOrNotFound() : rewrite;
    }

    /** The chain of {@code current}: the consumer's rewrite while it runs, else the route's. */
    private PluginEntry[] chainOf(Phase current) {
        return inConsumerRewrite && current == Phase.REWRITE ? route.consumerRewrite : route.chain(current);
    }

    private Outcome accessOrNotFound() {
        Outcome outcome = runPhase(Phase.ACCESS, 0);
        if (matched || !outcome.proceeds()) {
            if (!matched && outcome.kind() == Outcome.Kind.ASYNC) {
                return Outcome.async(outcome.stage().thenApply(o -> o.proceeds() ? notFound() : o));
            }
            return outcome;
        }
        return notFound();
    }

    private static Outcome badRequest(String why) {
        return Outcome.respond(HttpResponse.of(400, HttpHeaders.of("content-type", "application/json"),
                ("{\"error_msg\":\"400 Bad Request: " + jsonText(why) + "\"}\n")
                        .getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code text} safe inside a JSON string: it may quote what the client sent. */
    private static String jsonText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static Outcome notFound() {
        return Outcome.respond(HttpResponse.of(404, HttpHeaders.of("content-type", "application/json"),
                NOT_FOUND));
    }

    @Override
    public CompletionStage<Response> serve(Body body, Transport transport, @Nullable Application application) {
        if (application != null && !matched) {
            release(); // no route: the application serves the request untouched, no plugin runs
            return application.handle(request, body);
        }
        return hosts.serve(this, body, transport, application);
    }

    @Override
    public Outcome beforeProxy() {
        Upstream upstream = route.upstream();
        if (upstream == null) {
            LOG.log(Level.ERROR, () -> "missing upstream configuration in Route or Service [" + routeIdOrEmpty() + "]");
            return Outcome.respond(ErrorPages.serviceUnavailable());
        }
        order = policy.order(upstream, route.health, this);
        if (order.isEmpty()) {
            LOG.log(Level.ERROR, () -> "failed to pick server on route [" + routeIdOrEmpty() + "]: no valid upstream node");
            return Outcome.respond(ErrorPages.badGateway());
        }
        maxAttempts = UpstreamPolicy.maxAttempts(upstream, order.size());
        firstAttemptNanos = System.nanoTime();
        return attempt(upstream);
    }

    /** Targets the next node in {@link #order} and runs before_proxy for it. */
    private Outcome attempt(Upstream upstream) {
        Upstream.Node node = order.get(attempts++);
        target = policy.target(upstream, node, attempts, route.timeout(), request.headers().get("host"), originalHost);
        return runPhase(Phase.BEFORE_PROXY, 0);
    }

    @Override
    public Outcome beforeApplication() {
        if (route.upstream() != null) {
            throw new IllegalStateException("route [" + routeIdOrEmpty() + "] has an upstream (expected: "
                    + "beforeProxy() for routes with one, beforeApplication() for routes without)");
        }
        return runPhase(Phase.BEFORE_PROXY, 0);
    }

    @Override
    public @Nullable Target target() {
        return target;
    }

    @Override
    public void forEachUpstreamHeader(BiConsumer<String, String> sink) {
        Target current = target;
        if (current == null) {
            throw new IllegalStateException("no target yet (expected: beforeProxy() first)");
        }
        CallObserver o = observer;
        if (o == null) {
            ProxyHeaders.forEachUpstreamHeader(request, current.hostHeader(), originalHost, sink);
            return;
        }
        ContextHeaders context = attemptContext(o);
        if (context.isEmpty()) {
            ProxyHeaders.forEachUpstreamHeader(request, current.hostHeader(), originalHost, sink);
            return;
        }
        // the observer's context replaces what the client sent under the same names
        ProxyHeaders.forEachUpstreamHeader(request, current.hostHeader(), originalHost, (name, value) -> {
            if (!context.contains(name)) {
                sink.accept(name, value);
            }
        });
        context.forEach(sink);
    }

    @Override
    public void forEachContextHeader(BiConsumer<String, String> sink) {
        CallObserver o = observer;
        if (o != null) {
            try {
                o.contextHeaders(this, sink);
            } catch (Throwable e) {
                observerFailed("the observer's contextHeaders", e);
            }
        }
    }

    @Override
    public Outcome upstreamFailed(UpstreamFailure failure, boolean replayable) {
        Target failed = target;
        if (failed == null) {
            throw new IllegalStateException("no target yet (expected: beforeProxy() first)");
        }
        Upstream upstream = failed.upstream();
        if (route.health != null) {
            route.health.failed(failed.node(), failure);
        }
        if (observer != null) {
            observedAttemptEnded(0, new UpstreamException(failure, "upstream " + failed.address() + ": " + failure));
        }
        boolean retry = response == null
                && UpstreamPolicy.mayRetry(failure, replayable, request.method(), attempts, maxAttempts);
        if (retry && !UpstreamPolicy.withinRetryTimeout(upstream, firstAttemptNanos, System.nanoTime())) {
            // APISIX's balancer: past the retry deadline the request ends with 502, whatever failed
            LOG.log(Level.ERROR, () -> "proxy retry timeout on route [" + routeIdOrEmpty() + "], retry count: "
                    + (attempts - 1));
            return proxyError(failure, ErrorPages.badGateway());
        }
        if (!retry) {
            return proxyError(failure, failure.timeout() ? ErrorPages.gatewayTimeout() : ErrorPages.badGateway());
        }
        LOG.log(Level.WARNING, () -> "upstream " + failed.address() + " failed (" + failure + ") on route ["
                + routeIdOrEmpty() + "]; trying the next node");
        return attempt(upstream);
    }

    private Outcome proxyError(UpstreamFailure failure, HttpResponse page) {
        LOG.log(Level.ERROR, () -> "upstream " + (target == null ? "?" : target.address()) + " failed (" + failure
                + ") on route [" + routeIdOrEmpty() + "]; answering " + page.status());
        // as nginx's $upstream_status for a failed attempt; the upstream itself never answered, so
        // exchange().upstream().status() stays 0
        page.headers().set("X-APISIX-Upstream-Status", Integer.toString(page.status()));
        return Outcome.respond(page);
    }

    @Override
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
            observedAttemptEnded(status, null);
        }
        return runHeaderFilter(0);
    }

    @Override
    public Completion localResponse(HttpResponse response) {
        this.response = response;
        return runHeaderFilter(0);
    }

    @Override
    public ByteBuffer bodyFilter(ByteBuffer chunk, boolean last) {
        phase = Phase.BODY_FILTER;
        PluginEntry[] chain = route.chain(Phase.BODY_FILTER);
        for (PluginEntry entry : chain) {
            if (!runs(entry)) {
                continue;
            }
            long start = timed ? System.nanoTime() : 0;
            Runnable returned = observeStart(entry, Phase.BODY_FILTER);
            Throwable thrown = null;
            try {
                ByteBuffer out = entry.plugin().bodyFilter(this, chunk, last);
                chunk = out != null ? out : chunk;
            } catch (Throwable e) {
                thrown = e;
                failed(entry, e);
            }
            observeReturn(returned);
            if (timed) {
                listener.pluginPhase(entry.name(), Phase.BODY_FILTER, routeIdOrEmpty(), System.nanoTime() - start);
            }
            observeEnd(entry, Phase.BODY_FILTER, thrown);
        }
        return chunk;
    }

    @Override
    public void complete() {
        if (completed) {
            return;
        }
        completed = true;
        phase = Phase.LOG;
        try {
            Plugin[] plugins = route.log;
            if (!timed && plugins != null && pluginObserver == null) {
                for (int i = 0; i < plugins.length; i++) {
                    try {
                        plugins[i].log(this);
                    } catch (Throwable e) {
                        failed(route.chain(Phase.LOG)[i], e);
                    }
                }
                return;
            }
            for (PluginEntry entry : route.chain(Phase.LOG)) {
                if (!runs(entry)) {
                    continue;
                }
                long start = timed ? System.nanoTime() : 0;
                Runnable returned = observeStart(entry, Phase.LOG);
                Throwable thrown = null;
                try {
                    entry.plugin().log(this);
                } catch (Throwable e) {
                    thrown = e;
                    failed(entry, e);
                }
                observeReturn(returned);
                if (timed) {
                    listener.pluginPhase(entry.name(), Phase.LOG, routeIdOrEmpty(), System.nanoTime() - start);
                }
                observeEnd(entry, Phase.LOG, thrown);
            }
        } finally {
            if (observer != null) {
                completeObserved();
            }
            snapshot.release();
        }
    }

    /** Ends an attempt still open (the client went away first) and tells the observer the call ended. */
    private void completeObserved() {
        if (attemptObserved != null) {
            endAttempt(0, new java.util.concurrent.CancellationException("the call ended before the upstream answered"));
        }
        try {
            observer.callCompleted(this);
        } catch (Throwable e) {
            observerFailed("the observer's callCompleted", e);
        }
    }

    /**
     * Releases the config snapshot without running {@code log}: for a request the engine hands
     * to the host's application untouched, since no route matched.
     */
    public void release() {
        if (!completed) {
            completed = true;
            if (observer != null) {
                completeObserved();
            }
            snapshot.release();
        }
    }

    // ---- chain walking ----

    /** Runs {@code phase} from plugin {@code from}; an async plugin resumes the walk when it completes. */
    private Outcome runPhase(Phase current, int from) {
        phase = current;
        if (from == 0 && !timed && pluginObserver == null && !inConsumerRewrite) {
            Plugin[] plugins = switch (current) {
                case REWRITE -> route.rewrite;
                case ACCESS -> route.access;
                default -> route.beforeProxy;
            };
            if (plugins != null) {
                return runPlain(current, plugins);
            }
        }
        PluginEntry[] chain = chainOf(current);
        for (int i = from; i < chain.length; i++) {
            PluginEntry entry = chain[i];
            if (!runs(entry)) {
                continue;
            }
            Outcome outcome = invoke(entry, current);
            switch (outcome.kind()) {
                case PROCEED:
                    continue;
                case RESPOND:
                    return shortCircuit(entry, outcome);
                default:
                    return resumeLater(entry, current, i, outcome.stage());
            }
        }
        return Outcome.proceed();
    }

    /**
     * The common case, kept tight: no filter on this phase and no listener timing it, so the
     * loop only calls each plugin and compares its outcome with the shared proceed instance,
     * one loop per phase so each has a single call site. Anything else, from the first plugin
     * that does not simply proceed, goes through {@link #settle}.
     */
    private Outcome runPlain(Phase current, Plugin[] plugins) {
        int i = 0;
        Outcome outcome = PROCEED;
        try {
            switch (current) {
                case REWRITE:
                    for (; i < plugins.length; i++) {
                        outcome = plugins[i].rewrite(this);
                        if (outcome != PROCEED) {
                            break;
                        }
                    }
                    break;
                case ACCESS:
                    for (; i < plugins.length; i++) {
                        outcome = plugins[i].access(this);
                        if (outcome != PROCEED) {
                            break;
                        }
                    }
                    break;
                default:
                    for (; i < plugins.length; i++) {
                        outcome = plugins[i].beforeProxy(this);
                        if (outcome != PROCEED) {
                            break;
                        }
                    }
                    break;
            }
        } catch (Throwable e) {
            PluginEntry entry = chainOf(current)[i];
            Outcome failure = failed(entry, e);
            return failure.proceeds() ? runPhase(current, i + 1) : shortCircuit(entry, failure);
        }
        return outcome == PROCEED ? PROCEED : settle(current, i, outcome);
    }

    /** What plugin {@code index} of the plain path returned, when it was not the shared proceed. */
    private Outcome settle(Phase current, int index, @Nullable Outcome outcome) {
        PluginEntry entry = chainOf(current)[index];
        if (outcome == null) {
            Outcome failure = failed(entry, new NullPointerException("plugin [" + entry.name() + "] returned null from "
                    + current.apisixName() + " (expected: an Outcome)"));
            return failure.proceeds() ? runPhase(current, index + 1) : shortCircuit(entry, failure);
        }
        return switch (outcome.kind()) {
            case PROCEED -> runPhase(current, index + 1);
            case RESPOND -> shortCircuit(entry, outcome);
            case ASYNC -> resumeLater(entry, current, index, outcome.stage());
        };
    }

    private Outcome invoke(PluginEntry entry, Phase current) {
        long start = timed ? System.nanoTime() : 0;
        Runnable returned = observeStart(entry, current);
        Outcome outcome;
        Throwable thrown = null;
        try {
            outcome = call(entry.plugin(), current);
            if (outcome == null) {
                throw new NullPointerException("plugin [" + entry.name() + "] returned null from "
                        + current.apisixName() + " (expected: an Outcome)");
            }
        } catch (Throwable e) {
            thrown = e;
            outcome = failed(entry, e);
        }
        observeReturn(returned);
        if (outcome.kind() != Outcome.Kind.ASYNC) {
            if (timed) {
                listener.pluginPhase(entry.name(), current, routeIdOrEmpty(), System.nanoTime() - start);
            }
            observeEnd(entry, current, thrown);
        }
        return outcome;
    }

    private Outcome call(Plugin plugin, Phase current) {
        return switch (current) {
            case REWRITE -> plugin.rewrite(this);
            case ACCESS -> plugin.access(this);
            case BEFORE_PROXY -> plugin.beforeProxy(this);
            default -> throw new IllegalStateException("phase: " + current + " (expected: a request phase)");
        };
    }

    private Outcome resumeLater(PluginEntry entry, Phase current, int index, CompletionStage<Outcome> stage) {
        long start = timed ? System.nanoTime() : 0;
        CompletionStage<Outcome> next = stage.handle((outcome, error) -> {
            if (timed) {
                listener.pluginPhase(entry.name(), current, routeIdOrEmpty(), System.nanoTime() - start);
            }
            if (error != null || outcome == null) {
                Throwable cause = error != null ? unwrap(error) : new NullPointerException("plugin ["
                        + entry.name() + "] completed its stage with null (expected: an Outcome)");
                observeEnd(entry, current, cause);
                Outcome failure = failed(entry, cause);
                return failure.proceeds() ? runPhase(current, index + 1) : failure;
            }
            if (outcome.kind() != Outcome.Kind.ASYNC) {
                observeEnd(entry, current, null);
            }
            return switch (outcome.kind()) {
                case PROCEED -> runPhase(current, index + 1);
                case RESPOND -> shortCircuit(entry, outcome);
                case ASYNC -> resumeLater(entry, current, index, outcome.stage());
            };
        }).thenCompose(o -> o.kind() == Outcome.Kind.ASYNC ? o.stage() : CompletableFuture.completedStage(o));
        return Outcome.async(next);
    }

    private Outcome shortCircuit(PluginEntry entry, Outcome outcome) {
        HttpResponse reply = outcome.response();
        if (reply.status() >= 400) {
            LOG.log(Level.WARNING, () -> entry.name() + " exits with http status code " + reply.status());
            byte[] replacement = entry.errorResponse();
            if (replacement != null) {
                reply.body(replacement);
                reply.headers().set("content-type", entry.errorResponseIsJson() ? "application/json" : "text/plain");
            }
        }
        return outcome;
    }

    private Completion runHeaderFilter(int from) {
        phase = Phase.HEADER_FILTER;
        PluginEntry[] chain = route.chain(Phase.HEADER_FILTER);
        Plugin[] plugins = route.headerFilter;
        if (from == 0 && !timed && plugins != null && pluginObserver == null) {
            // the plain path, as runPlain: plugins that answer done at once cost one call each
            int i = 0;
            Completion completion = DONE;
            try {
                for (; i < plugins.length; i++) {
                    completion = plugins[i].headerFilter(this);
                    if (completion != DONE) {
                        break;
                    }
                }
            } catch (Throwable e) {
                failResponse(chain[i], e);
                return runHeaderFilter(i + 1);
            }
            if (completion == DONE) {
                return DONE;
            }
            Completion rest = afterHeaderFilter(chain[i], i, completion, 0);
            return rest != null ? rest : runHeaderFilter(i + 1);
        }
        for (int i = from; i < chain.length; i++) {
            PluginEntry entry = chain[i];
            if (!runs(entry)) {
                continue;
            }
            long start = timed ? System.nanoTime() : 0;
            Runnable returned = observeStart(entry, Phase.HEADER_FILTER);
            Completion completion;
            try {
                completion = entry.plugin().headerFilter(this);
            } catch (Throwable e) {
                observeReturn(returned);
                failResponse(entry, e);
                observeEnd(entry, Phase.HEADER_FILTER, e);
                continue;
            }
            observeReturn(returned);
            Completion rest = afterHeaderFilter(entry, i, completion, start);
            if (rest != null) {
                return rest;
            }
        }
        return DONE;
    }

    /**
     * Handles what plugin {@code index} returned from header_filter: {@code null} to go on with
     * the next plugin, or the completion of the rest of the phase when this one is not done yet.
     */
    private @Nullable Completion afterHeaderFilter(PluginEntry entry, int index, @Nullable Completion completion,
            long start) {
        if (completion == null) {
            NullPointerException npe = new NullPointerException("plugin [" + entry.name()
                    + "] returned null from header_filter (expected: a Completion)");
            failResponse(entry, npe);
            observeEnd(entry, Phase.HEADER_FILTER, npe);
            return null;
        }
        if (!completion.isDone()) {
            return Completion.after(completion.stage().handle((ignored, error) -> {
                if (timed) {
                    listener.pluginPhase(entry.name(), Phase.HEADER_FILTER, routeIdOrEmpty(),
                            System.nanoTime() - start);
                }
                if (error != null) {
                    failResponse(entry, unwrap(error));
                }
                observeEnd(entry, Phase.HEADER_FILTER, error == null ? null : unwrap(error));
                Completion rest = runHeaderFilter(index + 1);
                return rest.isDone() ? CompletableFuture.completedStage(null) : rest.stage();
            }).thenCompose(s -> s));
        }
        if (timed) {
            listener.pluginPhase(entry.name(), Phase.HEADER_FILTER, routeIdOrEmpty(), System.nanoTime() - start);
        }
        observeEnd(entry, Phase.HEADER_FILTER, null);
        return null;
    }

    /** A response-phase failure: the response becomes a 500 unless the plugin is fail-open. */
    private void failResponse(PluginEntry entry, Throwable error) {
        Outcome outcome = failed(entry, error);
        if (!outcome.proceeds() && response != null) {
            response.status(500);
            response.headers().clear();
            response.headers().set("content-type", "application/json");
            response.body(INTERNAL_ERROR);
        }
    }

    /** Records a plugin failure; returns proceed for fail-open plugins, else a 500. */
    private Outcome failed(PluginEntry entry, Throwable error) {
        boolean failOpen = entry.plugin().failOpen();
        LOG.log(Level.ERROR, "plugin [" + entry.name() + "] failed in " + phase.apisixName() + " on route ["
                + routeIdOrEmpty() + "]" + (failOpen ? "; continuing (fail-open)" : "; answering 500"), error);
        listener.pluginFailed(entry.name(), phase, routeIdOrEmpty(), error);
        if (failOpen) {
            return Outcome.proceed();
        }
        return Outcome.respond(HttpResponse.of(500, HttpHeaders.of("content-type", "application/json"),
                INTERNAL_ERROR));
    }

    private boolean runs(PluginEntry entry) {
        if (entry.filter() == null) {
            return true;
        }
        try {
            return entry.filter().test(this);
        } catch (RuntimeException e) {
            return true; // as APISIX: a filter that cannot be evaluated lets the plugin run
        }
    }

    private static Throwable unwrap(Throwable error) {
        return (error instanceof java.util.concurrent.CompletionException && error.getCause() != null)
                ? error.getCause() : error;
    }

    private String routeIdOrEmpty() {
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
