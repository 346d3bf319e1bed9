package io.gatekit.spring.cloud.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatekit.engine.Engine;
import io.gatekit.engine.Resource;
import io.gatekit.engine.ResourceKind;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionRepository;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Mono;

/**
 * The conformance suite's routes as a Spring Cloud Gateway user writes them: the suite writes
 * APISIX routes into an engine of its own; before each request they become SCG routes, as the
 * user's {@code spring.cloud.gateway} routes would be. A route's {@code uri} becomes a {@code Path}
 * predicate ({@code /*} is {@code /**}), its {@code plugins} a {@code Gatekit} filter, its upstream's
 * node SCG's {@code uri} (SCG forwards), and a route without an upstream forwards to the
 * application. A last route sends whatever no route matches to the application, untouched. The
 * suite's global rules become the gateway engine's, as {@code gatekit.config} would hold them.
 */
final class SuiteRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FALLBACK = "application";

    private final Engine suite;
    private final Engine gateway;
    private final RouteDefinitionRepository repository;
    private final ConfigurableApplicationContext context;
    private final String application;
    private final AtomicInteger refreshed = new AtomicInteger();
    private final List<String> saved = new ArrayList<>();
    private long synced = -1;

    SuiteRoutes(Engine suite, GatewayApp app, String application) {
        this.suite = suite;
        this.gateway = app.engine();
        this.context = app.context();
        this.repository = context.getBean(RouteDefinitionRepository.class);
        this.application = application;
        context.addApplicationListener((ApplicationListener<RefreshRoutesResultEvent>) event -> {
            if (!event.isSuccess()) {
                throw new AssertionError("SCG could not build the suite's routes", event.getThrowable());
            }
            refreshed.incrementAndGet();
        });
    }

    /** Brings the gateway's routes and global rules in line with the suite's, when they changed. */
    synchronized void sync() throws Exception {
        if (suite.version() == synced) {
            return;
        }
        long version = suite.version();
        for (Resource rule : gateway.list(ResourceKind.GLOBAL_RULES)) {
            gateway.delete(ResourceKind.GLOBAL_RULES, rule.id(), true);
        }
        for (Resource rule : suite.list(ResourceKind.GLOBAL_RULES)) {
            gateway.put(ResourceKind.GLOBAL_RULES, rule.id(),
                    "{\"plugins\": " + JSON.readTree(rule.json()).get("plugins") + "}");
        }
        for (String id : saved) {
            repository.delete(Mono.just(id)).block();
        }
        saved.clear();
        for (Resource route : suite.list(ResourceKind.ROUTES)) {
            save(scgRoute(route.id(), JSON.readTree(route.json())));
        }
        RouteDefinition fallback = new RouteDefinition("Path=/**");
        fallback.setId(FALLBACK);
        fallback.setUri(URI.create(application));
        fallback.setOrder(Integer.MAX_VALUE);
        save(fallback);
        int before = refreshed.get();
        context.publishEvent(new RefreshRoutesEvent(this));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (refreshed.get() == before) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("SCG did not refresh its routes");
            }
            Thread.sleep(5); // polling a condition, not waiting for time to pass
        }
        synced = version;
    }

    private void save(RouteDefinition route) {
        repository.save(Mono.just(route)).block();
        saved.add(route.getId());
    }

    private RouteDefinition scgRoute(String id, JsonNode route) {
        RouteDefinition scg = new RouteDefinition();
        scg.setId(id);
        String uri = route.path("uri").asText("/*");
        scg.setPredicates(List.of(new PredicateDefinition("Path=" + (uri.endsWith("*")
                ? uri.substring(0, uri.length() - 1) + "**" : uri))));
        JsonNode upstream = route.get("upstream");
        scg.setUri(URI.create(upstream == null ? application : "http://" + firstNode(upstream.get("nodes"))));
        FilterDefinition gatekit = new FilterDefinition();
        gatekit.setName("Gatekit");
        gatekit.addArg("plugins", route.path("plugins").isObject() ? route.get("plugins").toString() : "{}");
        scg.setFilters(List.of(gatekit));
        return scg;
    }

    /** {@code host:port} of the first node, in either of APISIX's forms. */
    private static String firstNode(JsonNode nodes) {
        if (nodes.isArray()) {
            JsonNode node = nodes.get(0);
            String host = node.get("host").asText();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + node.get("port").asInt();
        }
        Iterator<String> names = nodes.fieldNames();
        return names.next();
    }
}
