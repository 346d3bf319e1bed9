package io.gatekit.engine.internal.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.client.OutboundResponse;
import io.gatekit.engine.Upstream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Round robin over the healthy nodes only: an unhealthy node is never first and never retried,
 * a lower priority takes over when every node above it is down, and with every node down all of
 * them are used again (APISIX's fallback).
 */
class HealthAwareBalancerTest {

    private static final Exchange NONE = null; // round robin never reads the exchange
    private static final Upstream.Node A = new Upstream.Node("10.0.0.1", 80, 1, 1);
    private static final Upstream.Node B = new Upstream.Node("10.0.0.2", 80, 1, 1);
    private static final Upstream.Node C = new Upstream.Node("10.0.0.3", 80, 1, 0);
    private static final Upstream UPSTREAM = new Upstream("u1", List.of(A, B, C), "roundrobin", "vars", null, null,
            null, null, "pass", null, "http");

    // probes are never due: an hour between rounds
    private final HealthCheckers checkers = new HealthCheckers(
            request -> CompletableFuture.<OutboundResponse>failedFuture(new AssertionError("no probe expected")));
    private final UpstreamHealth health;

    HealthAwareBalancerTest() throws Exception {
        HealthChecks checks = HealthChecks.parse(new ObjectMapper().readTree("""
                {"active": {"healthy": {"interval": 3600}, "unhealthy": {"interval": 3600, "tcp_failures": 1}},
                 "passive": {"unhealthy": {"tcp_failures": 1}}}"""));
        assertNotNull(checks);
        health = checkers.acquire("/upstreams/u1", UPSTREAM, checks);
    }

    @AfterEach
    void close() {
        checkers.close();
    }

    private Set<Upstream.Node> firsts(Balancer balancer) {
        Set<Upstream.Node> firsts = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            firsts.add(balancer.order(NONE).get(0));
        }
        return firsts;
    }

    private void down(Upstream.Node node) {
        health.failed(node, io.gatekit.engine.host.UpstreamFailure.CONNECT_FAILED);
    }

    @Test
    void anUnhealthyNodeIsNeitherPickedNorRetried() {
        Balancer balancer = new Balancers().get(UPSTREAM, health);
        assertEquals(Set.of(A, B), firsts(balancer));

        down(A);
        assertEquals(Set.of(B), firsts(balancer));
        assertEquals(List.of(B, C), balancer.order(NONE));
    }

    @Test
    void aLowerPriorityTakesOverWhenEveryNodeAboveItIsDownAndAllNodesServeWhenAllAreDown() {
        Balancer balancer = new Balancers().get(UPSTREAM, health);
        down(A);
        down(B);
        assertEquals(List.of(C), balancer.order(NONE));

        down(C);
        assertEquals(Set.of(A, B), firsts(balancer));
        assertEquals(3, balancer.order(NONE).size());
    }
}
