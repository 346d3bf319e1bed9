package io.gatekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.gateway.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Config changes under concurrent load: every request succeeds, on the old or the new config. */
class HotChangeTest {

    @Test
    void routeChangesUnderConcurrentLoadFailNoRequest() throws Exception {
        try (TestUpstream one = new TestUpstream("one"); TestUpstream two = new TestUpstream("two");
                Gateway gateway = Gateway.start(ConfigLoader.defaults(w -> { }).withPorts(0, 0, 0),
                        Engine.builder())) {
            String route = """
                    {"uri": "/load", "upstream": {"nodes": {"%s": 1}}}""";
            gateway.engine().put(ResourceKind.ROUTES, "1", route.formatted(one.address()));
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                Thread client = new Thread(() -> {
                    try (RawHttp http = new RawHttp(gateway.port())) {
                        while (running.get()) {
                            RawHttp.Response response = http.get("/load", "a").read();
                            if (response.status() == 200) {
                                ok.incrementAndGet();
                            } else {
                                failures.add(response.status() + " " + response.text());
                            }
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                });
                client.start();
                clients.add(client);
            }
            for (int change = 0; change < 300; change++) {
                TestUpstream target = change % 2 == 0 ? two : one;
                gateway.engine().put(ResourceKind.ROUTES, "1", route.formatted(target.address()));
                gateway.engine().put(ResourceKind.ROUTES, "other-" + change % 7, """
                        {"uri": "/other/%d", "upstream": {"nodes": {"%s": 1}}}""".formatted(change, one.address()));
            }
            running.set(false);
            for (Thread client : clients) {
                client.join();
            }
            assertEquals(List.of(), List.copyOf(failures));
            System.out.println("hot change: " + ok.get() + " requests served during 600 config changes");
        }
    }
}
