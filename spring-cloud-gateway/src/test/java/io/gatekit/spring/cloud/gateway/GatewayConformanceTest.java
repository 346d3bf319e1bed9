package io.gatekit.spring.cloud.gateway;

import io.gatekit.engine.Engine;
import io.gatekit.testkit.host.ClientRequest;
import io.gatekit.testkit.host.ClientResponse;
import io.gatekit.testkit.host.HostConformance;
import io.gatekit.testkit.host.HostSetup;
import io.gatekit.testkit.host.HostUnderTest;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The {@code Gatekit} filter in a real Spring Cloud Gateway 4.3 application, started once on a
 * random port, passes the host conformance suite wherever the suite asks what the filter does: the
 * suite's routes become SCG routes with a {@code Gatekit} filter ({@link SuiteRoutes}), SCG forwards
 * with its own client to the suite's real upstreams, and the suite's plugins run around that: request
 * and response as sent, plugins (short-circuit, async, a throwing one, header and body filters, whole
 * bodies, {@code log} once), the mirror copy after rewrites, 100 MB streamed both ways, and routes
 * that wrap the application (an SCG route to it).
 *
 * <p>Where the suite checks Gatekit's upstream policy, SCG's own applies instead, since SCG owns the
 * upstream; those cases do not apply, and are skipped saying so:
 * <ul>
 *   <li>node choice: weights, priorities, {@code chash} ({@code BalancingCases}): an SCG route has
 *       one {@code uri} (or SCG's load balancer);</li>
 *   <li>retries, timeouts and APISIX's 502/504 pages ({@code RetryCases}, and
 *       {@code logRunsExactlyOnceOnEveryPath}, whose paths include a Gatekit read timeout and a
 *       refused node; {@link GatekitFilterTest} runs the paths SCG has): SCG's {@code Retry} filter
 *       and {@code httpclient} timeouts, with SCG's error answers;</li>
 *   <li>{@code pass_host} {@code pass} and {@code rewrite}, the {@code X-Forwarded-*} and
 *       {@code X-Real-IP} headers, and hop-by-hop request headers beyond SCG's list
 *       ({@code HeaderCases}): SCG's {@code PreserveHostHeader}, forwarded-headers and hop-by-hop
 *       filters (SCG sends the node's address as Host, as {@code pass_host: node} does, so those
 *       cases run);</li>
 *   <li>{@code X-APISIX-Upstream-Status} on an upstream's 5xx: an APISIX header Gatekit's upstream
 *       policy adds.</li>
 * </ul>
 */
class GatewayConformanceTest extends HostConformance {

    @Override
    protected Set<HostSetup.Capability> capabilities() {
        return EnumSet.of(HostSetup.Capability.APPLICATION);
    }

    @Override
    protected HostUnderTest start(HostSetup setup) throws Exception {
        Engine suite = setup.engine().build();
        RecordingServer application = RecordingServer.start(request -> HostSetup.applicationBody(request.method(),
                request.uri(), request.header("content-length"), request.body().getBytes(StandardCharsets.UTF_8)));
        GatewayApp gateway = GatewayApp.start(setup.plugins());
        SuiteRoutes routes = new SuiteRoutes(suite, gateway, application.url());
        HostUnderTest listening = HostUnderTest.listening(suite, gateway.address(), () -> {
            try (suite; application) {
                gateway.close();
            }
        });
        return new HostUnderTest() {
            @Override
            public Engine engine() {
                return suite;
            }

            @Override
            public ClientResponse send(ClientRequest request) throws Exception {
                routes.sync();
                return listening.send(request);
            }

            @Override
            public void close() throws Exception {
                listening.close();
            }
        };
    }

    private static final String BALANCING = "SCG owns the upstream: an SCG route has one uri, Gatekit's node choice does not apply";
    private static final String RETRIES = "SCG owns the upstream: its Retry filter and httpclient timeouts apply, with SCG's"
            + " error answers, not Gatekit's retries, timeouts and APISIX's 502/504 pages";
    private static final String HEADERS = "SCG owns the upstream: its forwarded-headers, hop-by-hop and PreserveHostHeader"
            + " filters apply, not Gatekit's pass_host and X-Forwarded-* policy";
    private static final String STATUS = "SCG owns the upstream: X-APISIX-Upstream-Status is added by Gatekit's upstream policy";

    @Test
    @Override
    public void weightedRoundRobinSplitsRequestsByWeight() {
        Assumptions.abort(BALANCING);
    }

    @Test
    @Override
    public void aNodeOfWeightZeroGetsNoRequest() {
        Assumptions.abort(BALANCING);
    }

    @Test
    @Override
    public void lowerPriorityNodesServeOnlyWhileTheHigherOnesFail() {
        Assumptions.abort(BALANCING);
    }

    @Test
    @Override
    public void chashOnAHeaderKeepsEachKeyOnOneNode() {
        Assumptions.abort(BALANCING);
    }

    @Test
    @Override
    public void chashOnAVariableKeepsEachKeyOnOneNode() {
        Assumptions.abort(BALANCING);
    }

    @Test
    @Override
    public void chashOnACookieKeepsEachKeyOnOneNode() {
        Assumptions.abort(BALANCING);
    }

    @Test
    @Override
    public void chashOnVarsCombinationsKeepsEachKeyOnOneNode() {
        Assumptions.abort(BALANCING);
    }

    @Test
    @Override
    public void chashKeepsKeysOnTheirNodeWhenAnotherNodeLeaves() {
        Assumptions.abort(BALANCING);
    }

    @Test
    @Override
    public void aRefusedConnectionIsRetriedOnTheNextNode() {
        Assumptions.abort(RETRIES);
    }

    @Test
    @Override
    public void retriesZeroAnswersApisix502WithoutTryingAnotherNode() {
        Assumptions.abort(RETRIES);
    }

    @Test
    @Override
    public void aGetWhoseConnectionBrokeAfterItWasSentIsRetried() {
        Assumptions.abort(RETRIES);
    }

    @Test
    @Override
    public void aPostWhoseConnectionBrokeAfterItWasSentIsNotRetried() {
        Assumptions.abort(RETRIES);
    }

    @Test
    @Override
    public void retriesBoundsHowManyNodesAreTried() {
        Assumptions.abort(RETRIES);
    }

    @Test
    @Override
    public void retryTimeoutEndsTheRetriesOnceItPassed() {
        Assumptions.abort(RETRIES);
    }

    @Test
    @Override
    public void aSilentUpstreamAnswersApisix504AfterTheReadTimeout() {
        Assumptions.abort(RETRIES);
    }

    @Test
    @Override
    public void theRoutesTimeoutReplacesTheUpstreams() {
        Assumptions.abort(RETRIES);
    }

    @Test
    @Override
    public void aBodyCutShortBeforeAnythingReachedTheClientIsA502() {
        Assumptions.abort(RETRIES);
    }

    @Test
    @Override
    public void logRunsExactlyOnceOnEveryPath() {
        Assumptions.abort(RETRIES);
    }

    @Test
    @Override
    public void hopByHopRequestHeadersAndThoseConnectionNamesAreNotForwarded() {
        Assumptions.abort(HEADERS);
    }

    @Test
    @Override
    public void xForwardedForIsAppendedAndXRealIpSet() {
        Assumptions.abort(HEADERS);
    }

    @Test
    @Override
    public void xForwardedProtoHostAndPortAreAddedWhenTheClientSentNone() {
        Assumptions.abort(HEADERS);
    }

    @Test
    @Override
    public void passHostPassSendsTheClientsHost() {
        Assumptions.abort(HEADERS);
    }

    @Test
    @Override
    public void passHostRewriteSendsUpstreamHost() {
        Assumptions.abort(HEADERS);
    }

    @Test
    @Override
    public void passHostPassSendsTheClientsOriginalHostWhenAPluginRemovedIt() {
        Assumptions.abort(HEADERS);
    }

    @Test
    @Override
    public void anUpstream5xxPassesThroughMarkedWithXApisixUpstreamStatus() {
        Assumptions.abort(STATUS);
    }
}
