package io.gatekit.engine;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import java.util.List;

/**
 * Where a route's requests go, as configured (APISIX upstream object). The engine resolves it
 * for each route (inline, by {@code upstream_id}, or through the service); the host balances over
 * {@link #nodes()} and calls the upstream. Instances are immutable and kept across config changes
 * that do not touch them, so a host may key its per-upstream state (pools, balancer cursors) by
 * identity.
 *
 * @param id           the upstream's id, or {@code null} when inline
 * @param nodes        the nodes, in config order
 * @param type         {@code roundrobin}, {@code chash}, {@code ewma} or {@code least_conn}
 * @param hashOn       for chash: {@code vars}, {@code header}, {@code cookie}, {@code consumer} or {@code vars_combinations}
 * @param key          for chash: the variable, header or cookie name
 * @param retries      how many other nodes to try on a connect failure; {@code null} means nodes - 1
 * @param retryTimeout seconds from the first attempt after which no other node is tried
 *                     ({@code retry_timeout}, nginx's {@code proxy_next_upstream_timeout});
 *                     {@code null} or 0 for no limit
 * @param timeout      connect/send/read timeouts, or {@code null} for the host's defaults
 * @param passHost     {@code pass}, {@code node} or {@code rewrite}
 * @param upstreamHost the Host header for {@code rewrite}
 * @param scheme       {@code http} or {@code https} (grpc kinds are refused by the gateway)
 */
public record Upstream(@Nullable String id, List<Node> nodes, String type, String hashOn,
        @Nullable String key, @Nullable Integer retries, @Nullable Double retryTimeout, @Nullable Timeouts timeout,
        String passHost,
        @Nullable String upstreamHost, String scheme) {

    public Upstream {
        nodes = List.copyOf(nodes);
        requireNonNull(type, "type");
        requireNonNull(hashOn, "hashOn");
        requireNonNull(passHost, "passHost");
        requireNonNull(scheme, "scheme");
        // the literal for a known mode: every upstream shares one string, which a request reads
        // to choose its Host header, instead of each keeping the copy its config was parsed into
        passHost = switch (passHost) {
            case "pass" -> "pass";
            case "node" -> "node";
            case "rewrite" -> "rewrite";
            default -> passHost;
        };
    }

    /** The number of retries to apply: {@link #retries()} or one less than the node count. */
    public int effectiveRetries() {
        return retries != null ? retries : Math.max(0, nodes.size() - 1);
    }

    /**
     * One upstream node.
     *
     * @param host     host name or IP (IPv6 without brackets)
     * @param port     port
     * @param weight   weight, 0 disables the node
     * @param priority nodes of lower priority are used only when all higher ones failed
     */
    public record Node(String host, int port, int weight, int priority) {
        public Node {
            requireNonNull(host, "host");
        }

        /** {@code host:port}, with brackets around an IPv6 host. */
        public String address() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Timeouts in seconds, as APISIX configures them (fractions allowed).
     *
     * @param connect connect timeout
     * @param send    send timeout
     * @param read    read timeout
     */
    public record Timeouts(double connect, double send, double read) {
    }
}
