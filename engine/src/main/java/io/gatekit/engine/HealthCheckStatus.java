package io.gatekit.engine;

import java.util.List;

/**
 * The health checker of one upstream, as APISIX's control API shows it ({@code /v1/healthcheck}):
 * the upstream's resource key, the check type and each target's state and counters.
 *
 * @param key   APISIX's resource key of the upstream: {@code /upstreams/<id>}, or {@code /routes/<id>}
 *              and {@code /services/<id>} for inline upstreams
 * @param type  {@code checks.active.type}: {@code http}, {@code https} or {@code tcp}
 * @param nodes the targets, in node order
 */
public record HealthCheckStatus(String key, String type, List<Target> nodes) {

    public HealthCheckStatus {
        nodes = List.copyOf(nodes);
    }

    /**
     * One checked target, as lua-resty-healthcheck reports it.
     *
     * @param host         the node's host (IPv6 without brackets)
     * @param port         the port probed
     * @param status       {@code healthy}, {@code mostly_healthy} (healthy, with failures counted below
     *                     the threshold), {@code mostly_unhealthy} (unhealthy, with successes counted
     *                     below the threshold) or {@code unhealthy}
     * @param successes    consecutive successes counted
     * @param httpFailures consecutive HTTP failures counted
     * @param tcpFailures  consecutive TCP failures counted
     * @param timeouts     consecutive timeouts counted
     */
    public record Target(String host, int port, String status, int successes, int httpFailures, int tcpFailures,
            int timeouts) {
    }
}
