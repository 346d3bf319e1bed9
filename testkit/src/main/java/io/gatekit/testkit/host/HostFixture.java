package io.gatekit.testkit.host;

import io.gatekit.api.Nullable;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What the conformance cases share for one host: the host, three upstreams on IPv4 loopback (one on
 * IPv6 loopback where the machine has it), a mirror server, and the counters of the suite's
 * plugins. Reset before each case: no route, no recording.
 */
final class HostFixture implements AutoCloseable {

    private static final AtomicInteger CASES = new AtomicInteger();

    final HostUnderTest host;
    final Set<HostSetup.Capability> capabilities;
    final TestUpstream a;
    final TestUpstream b;
    final TestUpstream c;
    final @Nullable TestUpstream v6;
    final TestUpstream mirror;

    private HostFixture(HostUnderTest host, Set<HostSetup.Capability> capabilities, TestUpstream a, TestUpstream b,
            TestUpstream c, @Nullable TestUpstream v6, TestUpstream mirror) {
        this.host = host;
        this.capabilities = capabilities;
        this.a = a;
        this.b = b;
        this.c = c;
        this.v6 = v6;
        this.mirror = mirror;
    }

    /** The host function of {@link HostConformance#start}. */
    @FunctionalInterface
    interface Starter {
        HostUnderTest start(HostSetup setup) throws Exception;
    }

    static HostFixture start(Starter starter, Set<HostSetup.Capability> capabilities) throws Exception {
        TestUpstream v6 = null;
        try {
            v6 = TestUpstream.start("v6", "::1");
        } catch (IOException noIpv6) {
            // the IPv6 case says why it cannot run
        }
        HostUnderTest host = starter.start(new HostSetup(ConformancePlugins.all()));
        if (host == null) {
            throw new IllegalStateException("HostConformance.start returned null (expected: the started host)");
        }
        return new HostFixture(host, capabilities, TestUpstream.start("a", "127.0.0.1"),
                TestUpstream.start("b", "127.0.0.1"), TestUpstream.start("c", "127.0.0.1"), v6,
                TestUpstream.start("mirror", "127.0.0.1"));
    }

    Engine engine() {
        return host.engine();
    }

    /** Clears routes and recordings, and puts the global rule that counts log runs. */
    void reset() {
        for (ResourceKind kind : new ResourceKind[] {ResourceKind.ROUTES, ResourceKind.SERVICES,
                ResourceKind.UPSTREAMS, ResourceKind.GLOBAL_RULES}) {
            for (Resource resource : engine().list(kind)) {
                engine().delete(kind, resource.id(), true);
            }
        }
        for (TestUpstream upstream : upstreams()) {
            upstream.reset();
        }
        ConformancePlugins.logs.clear();
        ConformancePlugins.lasts.clear();
        engine().put(ResourceKind.GLOBAL_RULES, "conformance-log", """
                {"plugins": {"conformance-log": {}}}""");
    }

    private TestUpstream[] upstreams() {
        return v6 == null ? new TestUpstream[] {a, b, c, mirror} : new TestUpstream[] {a, b, c, mirror, v6};
    }

    /** Puts route {@code c} (the only one a case needs) with {@code json}. */
    void route(String json) {
        engine().put(ResourceKind.ROUTES, "c", json);
    }

    /** {@code {"host:port": weight, ...}} for {@code nodes}, weight 1 each. */
    static String nodes(TestUpstream... nodes) {
        return Arrays.stream(nodes).map(n -> "\"" + n.node() + "\": 1").collect(Collectors.joining(", ", "{", "}"));
    }

    /** A port on 127.0.0.1 nothing listens on: bound, then released, so connecting is refused. */
    static int deadPort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** One node of APISIX's array form: {@code {"host": ..., "port": ..., "weight": ..., "priority": ...}}. */
    static String node(int port, int weight, int priority) {
        return "{\"host\": \"127.0.0.1\", \"port\": %d, \"weight\": %d, \"priority\": %d}".formatted(port,
                weight, priority);
    }

    /** A route on {@code /*} to {@code nodes} with {@code plugins} and extra upstream fields. */
    void proxy(String plugins, String upstreamExtras, TestUpstream... nodes) {
        route("""
                {"uri": "/*", "plugins": %s,
                 "upstream": {"type": "roundrobin", "nodes": %s%s}}""".formatted(plugins, nodes(nodes),
                upstreamExtras.isEmpty() ? "" : ", " + upstreamExtras));
    }

    /** Sends {@code request} tagged with a fresh {@code x-case}. */
    Sent send(ClientRequest request) throws Exception {
        String id = "case-" + CASES.incrementAndGet();
        request.headers().set("x-case", id);
        return new Sent(id, host.send(request));
    }

    /** A request's case id and what the client got. */
    record Sent(String id, ClientResponse response) {
        int status() {
            return response.status();
        }

        String text() {
            return response.text();
        }
    }

    /** How often log ran for {@code id}, once it ran at all (awaited up to 10 s). */
    int logRuns(String id) {
        await(() -> ConformancePlugins.logs.containsKey(id), () -> "log never ran for " + id);
        return ConformancePlugins.logs.get(id);
    }

    /** Waits until {@code condition} holds, polling; fails with {@code message} after 10 s. */
    static void await(BooleanSupplier condition, Supplier<String> message) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(message.get());
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5); // polling a condition, not waiting for time to pass
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + message.get());
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            host.close();
        } finally {
            for (TestUpstream upstream : upstreams()) {
                upstream.close();
            }
        }
    }
}
