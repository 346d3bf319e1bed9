package io.gatekit.testkit.host;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * The host conformance suite: what every host of the engine must do, checked over real sockets
 * against real upstreams on loopback. Extend it in your host's tests and start your host on the
 * engine the suite hands you; the suite writes routes into that engine and sends requests as a
 * client would.
 *
 * <pre>{@code
 * class MyHostConformanceTest extends HostConformance {
 *     protected HostUnderTest start(HostSetup setup) throws Exception {
 *         Engine engine = setup.engine().build();
 *         MyHost host = MyHost.start(engine, new InetSocketAddress("127.0.0.1", 0));
 *         return HostUnderTest.listening(engine, host.address(), () -> { host.close(); engine.close(); });
 *     }
 * }
 * }</pre>
 *
 * <p>The cases (each interface this class implements holds one group): requests and responses as
 * sent, headers both ways ({@code pass_host}, {@code X-Forwarded-*}, hop-by-hop), node choice
 * (weights, priorities, {@code chash} on every {@code hash_on}), retries and their bounds, timeouts
 * and APISIX's error pages, plugins (short-circuit, async, failures, header and body filters, whole
 * bodies, {@code log} exactly once on every path), the mirror copy after rewrites, 100 MB bodies
 * streamed both ways with flat memory, and, for hosts with an application of their own, routes
 * without an upstream. The host is started once per test class; each case resets routes and
 * recordings first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class HostConformance implements RequestCases, HeaderCases, BalancingCases, RetryCases,
        PluginCases, StreamingCases, ApplicationCases {

    private HostFixture fixture;

    /**
     * Starts the host under test on an engine from {@link HostSetup#engine()} (or one that registers
     * {@link HostSetup#plugins()} and discovers the rest), listening on loopback.
     */
    protected abstract HostUnderTest start(HostSetup setup) throws Exception;

    /** What the host can do beyond proxying; none by default. */
    protected Set<HostSetup.Capability> capabilities() {
        return EnumSet.noneOf(HostSetup.Capability.class);
    }

    @BeforeAll
    final void startHost() throws Exception {
        fixture = HostFixture.start(this::start, capabilities());
    }

    @AfterAll
    final void stopHost() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @BeforeEach
    final void resetHost() {
        fixture.reset();
    }

    @Override
    public final HostFixture fixture() {
        return fixture;
    }
}
