package io.gatekit.engine.internal.upstream;

import io.gatekit.api.Nullable;
import io.gatekit.engine.Upstream;
import io.gatekit.engine.host.UpstreamFailure;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The health of one checked upstream (APISIX's checker, named by its resource key such as
 * {@code /upstreams/1} or {@code /routes/r1}): a {@link TargetHealth} per node, kept across config
 * changes that keep the node (as lua-resty-healthcheck keeps targets in its shared dict), the
 * passive reports of proxied traffic and the {@link ActiveProber} that probes the nodes. Shared by
 * every route using the upstream; thread-safe.
 */
public final class UpstreamHealth {

    private static final System.Logger LOG = System.getLogger(UpstreamHealth.class.getName());

    private final String key;
    private final Map<String, TargetHealth> targets = new ConcurrentHashMap<>();
    private volatile HealthChecks checks;
    private volatile List<Upstream.Node> nodes = List.of();
    /** Whether some current target is unhealthy: balancers skip all filtering when not. */
    private volatile boolean degraded;
    private @Nullable ActiveProber prober;
    int users;

    UpstreamHealth(String key, HealthChecks checks) {
        this.key = key;
        this.checks = checks;
    }

    /** APISIX's resource key of the upstream: {@code /upstreams/<id>}, {@code /routes/<id>} or {@code /services/<id>}. */
    public String key() {
        return key;
    }

    HealthChecks checks() {
        return checks;
    }

    boolean degraded() {
        return degraded;
    }

    /** The state of {@code node}'s target, created healthy the first time the node is seen. */
    TargetHealth target(Upstream.Node node) {
        return targets.computeIfAbsent(address(node), a -> new TargetHealth(a, node.host(), port(node)));
    }

    /**
     * The state of {@code node}'s target for a balancer: the shared one while the node is checked,
     * else a detached healthy one (a balancer of an older config, still draining).
     */
    TargetHealth targetOf(Upstream.Node node) {
        TargetHealth target = targets.get(address(node));
        return target != null ? target : new TargetHealth(address(node), node.host(), port(node));
    }

    /** Whether {@code node} may be chosen; nodes never checked are healthy. */
    public boolean healthy(Upstream.Node node) {
        TargetHealth target = targets.get(address(node));
        return target == null || target.healthy();
    }

    /** The checked address of {@code node}: its host and the probe port ({@code checks.active.port}, else its own). */
    String address(Upstream.Node node) {
        return new Upstream.Node(node.host(), port(node), 1, 0).address();
    }

    private int port(Upstream.Node node) {
        int port = checks.active().port();
        return port > 0 ? port : node.port();
    }

    /** Passive: a proxied attempt to {@code node} failed before a response. */
    public void failed(Upstream.Node node, UpstreamFailure failure) {
        HealthChecks.Passive passive = checks.passive();
        if (passive != null) {
            count(node, failure.timeout() ? TargetHealth.Report.TIMEOUT : TargetHealth.Report.TCP_FAILURE, passive);
        }
    }

    /** Passive: {@code node} answered a proxied request with {@code status}. */
    public void responded(Upstream.Node node, int status) {
        HealthChecks.Passive passive = checks.passive();
        if (passive == null) {
            return;
        }
        if (passive.healthyStatuses().contains(status)) {
            count(node, TargetHealth.Report.SUCCESS, passive);
        } else if (passive.unhealthyStatuses().contains(status)) {
            count(node, TargetHealth.Report.HTTP_FAILURE, passive);
        }
    }

    private void count(Upstream.Node node, TargetHealth.Report report, HealthChecks.Passive passive) {
        TargetHealth target = targets.get(address(node));
        if (target != null && target.count(report, passive.healthySuccesses(), passive.httpFailures(),
                passive.tcpFailures(), passive.timeouts())) {
            flipped(target, "passive");
        }
    }

    /** An active probe's result. */
    void probed(TargetHealth target, TargetHealth.Report report) {
        HealthChecks.Active active = checks.active();
        if (target.count(report, active.healthySuccesses(), active.httpFailures(), active.tcpFailures(),
                active.timeouts())) {
            flipped(target, "active");
        }
    }

    private void flipped(TargetHealth target, String source) {
        LOG.log(target.healthy() ? Level.INFO : Level.WARNING, () -> "healthcheck (" + source + ") of upstream "
                + key + ": node " + target.address() + " is now " + (target.healthy() ? "healthy" : "unhealthy"));
        recount();
    }

    private synchronized void recount() {
        boolean any = false;
        for (Upstream.Node node : nodes) {
            TargetHealth target = targets.get(address(node));
            any |= target != null && !target.healthy();
        }
        degraded = any;
    }

    /** The current targets, each once, in node order. */
    List<TargetHealth> targets() {
        Map<String, TargetHealth> distinct = new LinkedHashMap<>();
        for (Upstream.Node node : nodes) {
            distinct.computeIfAbsent(address(node), a -> target(node));
        }
        return new ArrayList<>(distinct.values());
    }

    /**
     * Takes {@code upstream}'s nodes and {@code checks} (a route or upstream changed): targets of
     * nodes that left are forgotten, those that stay keep their state; the prober restarts when
     * the checks changed.
     */
    synchronized void update(Upstream upstream, HealthChecks next, ActiveProber.Factory probers) {
        boolean restart = prober == null || !next.equals(checks);
        checks = next;
        nodes = upstream.nodes();
        Map<String, Boolean> keep = new ConcurrentHashMap<>();
        for (Upstream.Node node : nodes) {
            target(node);
            keep.put(address(node), true);
        }
        targets.keySet().retainAll(keep.keySet());
        recount();
        if (restart) {
            if (prober != null) {
                prober.stop();
            }
            prober = probers.start(this);
        }
    }

    /** Stops probing: the upstream left the config. */
    synchronized void stop() {
        if (prober != null) {
            prober.stop();
            prober = null;
        }
    }

    /** Each current target's address and whether it is healthy, in node order; for status APIs and tests. */
    public Map<String, Boolean> status() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (TargetHealth target : targets()) {
            out.put(target.address(), target.healthy());
        }
        return out;
    }

    /** The checker as APISIX's control API shows it. */
    public io.gatekit.engine.HealthCheckStatus report() {
        List<io.gatekit.engine.HealthCheckStatus.Target> out = new ArrayList<>();
        for (TargetHealth target : targets()) {
            out.add(target.report());
        }
        return new io.gatekit.engine.HealthCheckStatus(key, checks.active().type(), out);
    }
}
