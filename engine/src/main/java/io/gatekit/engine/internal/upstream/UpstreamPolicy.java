package io.gatekit.engine.internal.upstream;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.engine.Upstream;
import io.gatekit.engine.host.Target;
import io.gatekit.engine.host.UpstreamFailure;
import java.util.List;

/**
 * Every decision about the upstream a host would otherwise make, in one place: node order
 * (balancers per upstream config), {@code pass_host}, timeout precedence and the retry rule. One
 * per engine; thread-safe.
 */
public final class UpstreamPolicy {

    /** nginx's and APISIX's defaults: 60 s to connect, to send and to read. */
    public static final Upstream.Timeouts DEFAULT_TIMEOUTS = new Upstream.Timeouts(60, 60, 60);

    private final Balancers balancers = new Balancers();
    private final Upstream.Timeouts defaults;

    public UpstreamPolicy(Upstream.Timeouts defaults) {
        this.defaults = requireNonNull(defaults, "defaults");
    }

    /** The timeouts used when neither the route nor its upstream sets any. */
    public Upstream.Timeouts defaults() {
        return defaults;
    }

    /**
     * The nodes to try for {@code exchange}, first choice first (see {@link Balancer#order}); empty
     * when the upstream has no usable node.
     */
    public List<Upstream.Node> order(Upstream upstream, Exchange exchange) {
        return balancers.get(upstream).order(exchange);
    }

    /**
     * As {@link #order(Upstream, Exchange)}, leaving out the nodes {@code health} holds unhealthy
     * (all of them used when none is healthy).
     */
    public List<Upstream.Node> order(Upstream upstream, @Nullable UpstreamHealth health, Exchange exchange) {
        return balancer(upstream, health).order(exchange);
    }

    /**
     * The balancer of {@code upstream} (one per upstream config object, created with {@code health}
     * the first time). A caller that keeps the upstream may keep the balancer with it and skip this
     * lookup: the compiled route does, so a request pays no map lookup for its node.
     */
    public Balancer balancer(Upstream upstream, @Nullable UpstreamHealth health) {
        return balancers.get(upstream, health);
    }

    /**
     * How many nodes a request may try: one plus {@code retries} (APISIX: the node count minus one
     * when unset), and never more than the nodes there are.
     */
    public static int maxAttempts(Upstream upstream, int nodes) {
        return Math.min(nodes, 1 + upstream.effectiveRetries());
    }

    /**
     * The target for {@code node}: the route's timeouts if it has any, else the upstream's, else
     * the defaults (as APISIX's balancer: the route's {@code timeout} replaces the upstream's
     * whole; a service has none of its own, its upstream's apply through {@code upstream});
     * the Host header after {@code pass_host}.
     *
     * @param request      the request's headers as plugins left them (their Host is read for
     *                     {@code pass} only)
     * @param originalHost the Host header the client sent, or {@code null}
     */
    public Target target(Upstream upstream, Upstream.Node node, int attempt, Upstream.@Nullable Timeouts route,
            HttpHeaders request, @Nullable String originalHost) {
        Upstream.Timeouts timeouts = route != null ? route : upstream.timeout() != null ? upstream.timeout() : defaults;
        return new Target(upstream, node, hostHeader(upstream, node, request, originalHost), timeouts, attempt);
    }

    /**
     * The Host header the upstream receives. {@code node}: the node's address, without the port
     * when it is the scheme's default (APISIX's {@code parse_server_for_upstream_host}), IPv6 in
     * brackets. {@code rewrite}: {@code upstream_host}. {@code pass}: the request's Host as plugins
     * left it, else the client's, else the node's address.
     */
    static String hostHeader(Upstream upstream, Upstream.Node node, HttpHeaders request,
            @Nullable String originalHost) {
        return switch (upstream.passHost()) {
            case "node" -> node.port() == defaultPort(upstream.scheme()) ? bracketed(node.host()) : node.address();
            case "rewrite" -> upstream.upstreamHost() != null ? upstream.upstreamHost() : node.address();
            default -> passed(request.get("host"), originalHost, node);
        };
    }

    private static String passed(@Nullable String requestHost, @Nullable String originalHost, Upstream.Node node) {
        return requestHost != null && !requestHost.isEmpty() ? requestHost
                : originalHost != null && !originalHost.isEmpty() ? originalHost : node.address();
    }

    /**
     * Whether a failed attempt goes on to another node, as nginx's
     * {@code proxy_next_upstream error timeout}: attempts left, and the request may be sent again
     * ({@link UpstreamFailure#mayResend}); the retry deadline is checked apart.
     */
    public static boolean mayRetry(UpstreamFailure failure, boolean replayable, String method, int attemptsMade,
            int maxAttempts) {
        return attemptsMade < maxAttempts && failure.mayResend(method, replayable);
    }

    /**
     * When the first attempt starts, for {@link #withinRetryTimeout}: the clock is read only when
     * the upstream sets a {@code retry_timeout}, since nothing else needs it.
     */
    public static long firstAttemptNanos(Upstream upstream) {
        Double limit = upstream.retryTimeout();
        return limit == null || limit <= 0 ? 0 : System.nanoTime();
    }

    /** Whether {@code retry_timeout} (seconds since the first attempt; 0 or absent for none) still allows a try. */
    public static boolean withinRetryTimeout(Upstream upstream, long firstAttemptNanos, long nowNanos) {
        Double limit = upstream.retryTimeout();
        return limit == null || limit <= 0 || nowNanos - firstAttemptNanos < (long) (limit * 1e9);
    }

    private static int defaultPort(String scheme) {
        return "https".equals(scheme) ? 443 : 80;
    }

    private static String bracketed(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
