package io.gatekit.engine.host;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Arguments;
import io.gatekit.engine.Upstream;
import java.net.URI;
import java.time.Duration;

/**
 * Where one upstream attempt goes, as the engine decided it: the node its balancer picked, the
 * Host header {@code pass_host} asks for, and the timeouts in force (the route's, else the
 * upstream's, else the engine's defaults). A retry to another node is a new target.
 *
 * @param upstream   the upstream config the node belongs to
 * @param node       the node to connect to
 * @param hostHeader the {@code Host} header the upstream receives
 * @param timeouts   the timeouts in force, in seconds (see {@link #connectTimeout()} and the others)
 * @param attempt    1 for the first try, 2 for the first retry, ...
 */
public record Target(Upstream upstream, Upstream.Node node, String hostHeader, Upstream.Timeouts timeouts,
        int attempt) {

    public Target {
        requireNonNull(upstream, "upstream");
        requireNonNull(node, "node");
        requireNonNull(hostHeader, "hostHeader");
        requireNonNull(timeouts, "timeouts");
        if (attempt < 1) {
            throw Arguments.invalid("attempt", attempt, ">= 1");
        }
    }

    /** How long connecting may take. */
    public Duration connectTimeout() {
        return duration(timeouts.connect());
    }

    /** How long writing the request may stall. */
    public Duration sendTimeout() {
        return duration(timeouts.send());
    }

    /** How long the upstream may stay silent, before and while it answers. */
    public Duration readTimeout() {
        return duration(timeouts.read());
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return upstream.scheme();
    }

    /** Whether the connection to the node uses TLS. */
    public boolean https() {
        return "https".equals(upstream.scheme());
    }

    /** The node's host name or IP (an IPv6 address without brackets). */
    public String host() {
        return node.host();
    }

    /** The node's port. */
    public int port() {
        return node.port();
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public String address() {
        return node.address();
    }

    /** The absolute URI of {@code pathAndQuery} on this node, e.g. {@code http://10.0.0.1:8080/a?b=1}. */
    public URI uri(String pathAndQuery) {
        requireNonNull(pathAndQuery, "pathAndQuery");
        if (!pathAndQuery.startsWith("/")) {
            throw Arguments.invalid("pathAndQuery", pathAndQuery, "starts with /");
        }
        return URI.create(scheme() + "://" + address() + pathAndQuery);
    }

    private static Duration duration(double seconds) {
        return Duration.ofNanos(Math.max(1_000_000L, Math.round(seconds * 1e9))); // at least 1 ms
    }
}
