package io.gatekit.api.http;

import io.gatekit.api.Nullable;

/**
 * Where the request goes: the node the host's balancer picked and the Host header the upstream
 * receives. Set by the host before {@link io.gatekit.api.Phase#BEFORE_PROXY}; empty before.
 */
public interface UpstreamTarget {

    /** {@return {@code http} or {@code https}} */
    String scheme();

    /** {@return the picked node's host (name or IP), or {@code null} before a node is picked} */
    @Nullable String nodeHost();

    /** {@return the picked node's port, or 0 before a node is picked} */
    int nodePort();

    /** {@return the Host header the upstream receives (after {@code pass_host}), or {@code null} if unknown yet} */
    @Nullable String hostHeader();

    /** {@return the upstream's response status, or 0 before it answered (or when it never did)} */
    int status();
}
