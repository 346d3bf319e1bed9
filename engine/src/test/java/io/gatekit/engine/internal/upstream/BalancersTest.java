package io.gatekit.engine.internal.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.gatekit.api.http.Exchange;
import io.gatekit.engine.Upstream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BalancersTest {

    private static Upstream twoNodes() {
        return new Upstream(null, List.of(new Upstream.Node("127.0.0.1", 1980, 1, 0),
                new Upstream.Node("127.0.0.1", 1981, 1, 0)), "roundrobin", "vars", null, null, null, null, "pass", null,
                "http");
    }

    /** Round robin never reads the exchange. */
    private static final Exchange NONE = null;

    @Test
    void theSameUpstreamObjectKeepsItsBalancerAndSoItsRoundRobinTurn() {
        Balancers cache = new Balancers();
        Upstream upstream = twoNodes();

        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ports.add(cache.get(upstream).order(NONE).get(0).port());
        }

        assertSame(cache.get(upstream), cache.get(upstream));
        assertEquals(List.of(1980, 1981, 1980, 1981), ports);
        assertEquals(1, cache.size());
    }

    @Test
    void anEqualButNewUpstreamObjectIsANewConfigWithABalancerOfItsOwn() {
        Balancers cache = new Balancers();
        Upstream before = twoNodes();
        Upstream after = twoNodes();

        assertEquals(before, after);
        assertNotSame(cache.get(before), cache.get(after));
        assertEquals(2, cache.size());
    }

    @Test
    void aOneNodeUpstreamAlwaysOrdersItsOneNode() {
        Upstream one = new Upstream(null, List.of(new Upstream.Node("127.0.0.1", 1980, 1, 0)), "roundrobin",
                "vars", null, null, null, null, "pass", null, "http");
        Balancer balancer = new Balancers().get(one);

        assertEquals(one.nodes(), balancer.order(NONE));
        assertEquals(one.nodes(), balancer.order(NONE));
    }

    @Test
    void theSoleNodeOrderIsTheOneUsableNodeWhateverTheTypeAndNullWhenTheChoiceIsOpen() {
        Upstream.Node a = new Upstream.Node("127.0.0.1", 1980, 1, 0);
        Upstream.Node off = new Upstream.Node("127.0.0.1", 1981, 0, 0);
        Upstream.Node b = new Upstream.Node("::1", 1982, 5, -1);

        assertEquals(List.of(a), Balancer.soleNodeOrder(upstream("roundrobin", a)));
        assertEquals(List.of(a), Balancer.soleNodeOrder(upstream("chash", a)));
        assertEquals(List.of(a), Balancer.soleNodeOrder(upstream("roundrobin", off, a)));
        // what the balancer itself orders for the same upstream
        assertEquals(new Balancers().get(upstream("roundrobin", off, a)).order(NONE),
                Balancer.soleNodeOrder(upstream("roundrobin", off, a)));
        assertNull(Balancer.soleNodeOrder(upstream("roundrobin", a, b)), "two usable nodes: the balancer chooses");
        assertNull(Balancer.soleNodeOrder(upstream("roundrobin", off)), "no usable node: the balancer answers none");
    }

    private static Upstream upstream(String type, Upstream.Node... nodes) {
        return new Upstream(null, List.of(nodes), type, "vars", null, null, null, null, "pass", null, "http");
    }
}
