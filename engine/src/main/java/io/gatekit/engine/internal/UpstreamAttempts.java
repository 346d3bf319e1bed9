package io.gatekit.engine.internal;

import io.gatekit.api.CallObserver;
import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.Upstream;
import io.gatekit.engine.host.Target;
import io.gatekit.engine.host.UpstreamException;
import io.gatekit.engine.host.UpstreamFailure;
import io.gatekit.engine.internal.upstream.Balancer;
import io.gatekit.engine.internal.upstream.ErrorPages;
import io.gatekit.engine.internal.upstream.ProxyHeaders;
import io.gatekit.engine.internal.upstream.UpstreamPolicy;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A call's upstream attempts: the order of nodes it may try, the target of each attempt with
 * before_proxy run for it, the headers it sends, and on a failure whether to try the next node
 * (APISIX's retries and retry timeout) or answer 502/504. Static, over the call's own fields, so
 * a request costs no object here.
 */
final class UpstreamAttempts {

    private static final System.Logger LOG = System.getLogger("io.gatekit.engine");

    private UpstreamAttempts() {
    }

    /** Orders the route's nodes for this request and targets the first; see {@code Call#beforeProxy}. */
    static Outcome first(DefaultCall call) {
        Upstream upstream = call.route.upstream();
        if (upstream == null) {
            LOG.log(Level.ERROR, () -> "missing upstream configuration in Route or Service ["
                    + call.routeIdOrEmpty() + "]");
            return Outcome.respond(ErrorPages.serviceUnavailable());
        }
        List<Upstream.Node> sole = call.route.soleNodeOrder;
        call.order = sole != null ? sole : balancer(call, upstream).order(call);
        if (sole == null && call.order.isEmpty()) {
            LOG.log(Level.ERROR, () -> "failed to pick server on route [" + call.routeIdOrEmpty()
                    + "]: no valid upstream node");
            return Outcome.respond(ErrorPages.badGateway());
        }
        call.firstAttemptNanos = UpstreamPolicy.firstAttemptNanos(upstream);
        return next(call, upstream);
    }

    /** The balancer of the call's route, looked up once per route and kept on it. */
    private static Balancer balancer(DefaultCall call, Upstream upstream) {
        Balancer balancer = call.route.balancer;
        if (balancer == null) {
            balancer = call.env.hosts().policy().balancer(upstream, call.route.health);
            call.route.balancer = balancer;
        }
        return balancer;
    }

    /** Targets the next node in the call's order and runs before_proxy for it. */
    private static Outcome next(DefaultCall call, Upstream upstream) {
        Upstream.Node node = call.order.get(call.attempts++);
        call.target = call.env.hosts().policy().target(upstream, node, call.attempts, call.route.timeout(),
                call.request.headers(), call.request.receivedHostHeader());
        return PhaseRunner.runPhase(call, Phase.BEFORE_PROXY, 0);
    }

    /** The headers of the current attempt: the request's, as proxied, and the observer's context. */
    static void forEachHeader(DefaultCall call, BiConsumer<String, String> sink) {
        Target current = call.target;
        if (current == null) {
            throw new IllegalStateException("no target yet (expected: beforeProxy() first)");
        }
        CallObserver o = call.observer;
        if (o == null) {
            ProxyHeaders.forEachUpstreamHeader(call.request, current.hostHeader(), sink);
            return;
        }
        ContextHeaders context = CallObservation.attemptContext(call, o);
        if (context.isEmpty()) {
            ProxyHeaders.forEachUpstreamHeader(call.request, current.hostHeader(), sink);
            return;
        }
        // the observer's context replaces what the client sent under the same names
        ProxyHeaders.forEachUpstreamHeader(call.request, current.hostHeader(), (name, value) -> {
            if (!context.contains(name)) {
                sink.accept(name, value);
            }
        });
        context.forEach(sink);
    }

    /** The current attempt failed: the next node, or the error page; see {@code Call#upstreamFailed}. */
    static Outcome failed(DefaultCall call, UpstreamFailure failure, boolean replayable) {
        Target failed = call.target;
        if (failed == null) {
            throw new IllegalStateException("no target yet (expected: beforeProxy() first)");
        }
        Upstream upstream = failed.upstream();
        if (call.route.health != null) {
            call.route.health.failed(failed.node(), failure);
        }
        if (call.observer != null) {
            CallObservation.attemptEnded(call, 0,
                    new UpstreamException(failure, "upstream " + failed.address() + ": " + failure));
        }
        boolean retry = call.response == null
                && UpstreamPolicy.mayRetry(failure, replayable, call.request.method(), call.attempts,
                        UpstreamPolicy.maxAttempts(upstream, call.order.size()));
        if (retry && !UpstreamPolicy.withinRetryTimeout(upstream, call.firstAttemptNanos, System.nanoTime())) {
            // APISIX's balancer: past the retry deadline the request ends with 502, whatever failed
            LOG.log(Level.ERROR, () -> "proxy retry timeout on route [" + call.routeIdOrEmpty() + "], retry count: "
                    + (call.attempts - 1));
            return proxyError(call, failure, ErrorPages.badGateway());
        }
        if (!retry) {
            return proxyError(call, failure, failure.timeout() ? ErrorPages.gatewayTimeout() : ErrorPages.badGateway());
        }
        LOG.log(Level.WARNING, () -> "upstream " + failed.address() + " failed (" + failure + ") on route ["
                + call.routeIdOrEmpty() + "]; trying the next node");
        return next(call, upstream);
    }

    private static Outcome proxyError(DefaultCall call, UpstreamFailure failure, HttpResponse page) {
        LOG.log(Level.ERROR, () -> "upstream " + (call.target == null ? "?" : call.target.address()) + " failed ("
                + failure + ") on route [" + call.routeIdOrEmpty() + "]; answering " + page.status());
        // as nginx's $upstream_status for a failed attempt; the upstream itself never answered, so
        // exchange().upstream().status() stays 0
        page.headers().set("X-APISIX-Upstream-Status", Integer.toString(page.status()));
        return Outcome.respond(page);
    }
}
