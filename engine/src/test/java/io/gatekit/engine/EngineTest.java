package io.gatekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatekit.api.Outcome;
import io.gatekit.api.Phase;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EngineTest {

    private Engine engine;

    @BeforeEach
    void startEngine() {
        TestPlugins.CLOSED.clear();
        engine = Engine.builder()
                .plugin(new TestPlugins.Tracer("alpha", 3000))
                .plugin(new TestPlugins.Tracer("beta", 2000))
                .plugin(new TestPlugins.Tracer("gamma", 1000))
                .plugin(new TestPlugins.Tracer("delta", 2000))
                .plugin(new TestPlugins.Tracer("lenient", 500, true))
                .build();
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    /** Runs a request through every phase as a host would and returns the final response. */
    private HttpResponse serve(String uri) {
        Call call = engine.newCall(HttpRequest.builder().uri(uri).header("Host", "example.com").build());
        try {
            Outcome outcome = await(call.runRequestPhases());
            HttpResponse response;
            boolean upstream = false;
            if (outcome.proceeds()) {
                outcome = await(call.resolvedUpstream() == null ? call.beforeApplication() : call.beforeProxy());
            }
            if (outcome.proceeds()) {
                response = HttpResponse.of(200);
                upstream = true;
            } else {
                response = outcome.response();
            }
            var completion = (upstream ? call.upstreamResponse(response) : call.localResponse(response));
            if (!completion.isDone()) {
                completion.stage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
            return call.exchange().response();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            call.complete();
            lastTrace = call.exchange().attr(TestPlugins.TRACE);
        }
    }

    private List<String> lastTrace;

    private static Outcome await(Outcome outcome) throws Exception {
        return outcome.kind() == Outcome.Kind.ASYNC
                ? outcome.stage().toCompletableFuture().get(5, TimeUnit.SECONDS) : outcome;
    }

    private static String body(HttpResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void pluginsRunByPriorityHighestFirstWithinEachPhaseAndTiesBreakByName() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"gamma": {}, "delta": {}, "alpha": {}, "beta": {}},
                 "upstream": {"nodes": {"127.0.0.1:1980": 1}}}""");

        serve("/r");

        assertEquals(List.of("alpha@rewrite", "beta@rewrite", "delta@rewrite", "gamma@rewrite",
                "alpha@access", "beta@access", "delta@access", "gamma@access",
                "alpha@header_filter", "beta@header_filter", "delta@header_filter", "gamma@header_filter",
                "alpha@log", "beta@log", "delta@log", "gamma@log"), lastTrace);
    }

    @Test
    void remoteAddrsRouteByTheClientAddressTheHostGaveTheRequest() {
        engine.put(ResourceKind.ROUTES, "inside", """
                {"uri": "/r", "priority": 1, "remote_addrs": ["10.0.0.0/8", "fd00::/8"],
                 "upstream": {"nodes": {"127.0.0.1:1980": 1}}}""");
        engine.put(ResourceKind.ROUTES, "outside", """
                {"uri": "/r", "upstream": {"nodes": {"127.0.0.1:1980": 1}}}""");

        for (String[] client : new String[][] {{"10.1.2.3", "inside"}, {"fd00::7", "inside"},
                {"192.168.1.1", "outside"}}) {
            Call call = engine.newCall(HttpRequest.builder().uri("/r")
                    .remoteAddress(new InetSocketAddress(client[0], 40000)).build());
            assertEquals(client[1], call.exchange().routeId(), client[0]);
            call.complete();
        }
    }

    @Test
    void metaPriorityReordersOnlyThatInstance() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {}, "gamma": {"_meta": {"priority": 5000}}}}""");

        serve("/r");

        assertEquals(List.of("gamma@rewrite", "alpha@rewrite"), lastTrace.subList(0, 2));
    }

    @Test
    void globalRulesRunFirstInEveryPhaseWhateverTheirPriority() {
        engine.put(ResourceKind.GLOBAL_RULES, "g", """
                {"plugins": {"gamma": {"tag": "global"}}}""");
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {}}}""");

        serve("/r");

        assertEquals(List.of("gamma:global@rewrite", "alpha@rewrite", "gamma:global@access", "alpha@access"),
                lastTrace.subList(0, 4));
    }

    @Test
    void aCallOnANamedDisabledRouteRunsItsPluginsAfterTheGlobalRulesThoughTheRouterNeverMatchesIt() throws Exception {
        engine.put(ResourceKind.GLOBAL_RULES, "g", """
                {"plugins": {"gamma": {"tag": "global"}}}""");
        engine.put(ResourceKind.ROUTES, "host-owned", """
                {"uri": "/*", "status": 0, "plugins": {"alpha": {}}}""");
        HttpRequest request = HttpRequest.builder().uri("/anything").header("Host", "example.com").build();

        assertFalse(engine.mayMatch("/anything"));
        assertFalse(engine.newCall(request).matched());
        Call call = engine.newCall(request, "host-owned");
        try {
            assertTrue(call.matched());
            assertNull(call.resolvedUpstream());
            assertTrue(await(call.runRequestPhases()).proceeds());
            assertEquals(List.of("gamma:global@rewrite", "alpha@rewrite", "gamma:global@access", "alpha@access"),
                    call.exchange().attr(TestPlugins.TRACE));
        } finally {
            call.complete();
        }
        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> engine.newCall(request, "absent"));
        assertEquals("routeId: \"absent\" (expected: a stored route)", absent.getMessage());
    }

    @Test
    void routeOverridesPluginConfigWhichOverridesServiceWholeConfigPerPlugin() {
        engine.put(ResourceKind.SERVICES, "s", """
                {"plugins": {"alpha": {"tag": "service"}, "beta": {"tag": "service"}, "gamma": {"tag": "service"}}}""");
        engine.put(ResourceKind.PLUGIN_CONFIGS, "pc", """
                {"plugins": {"beta": {"tag": "plugin_config"}, "gamma": {"tag": "plugin_config"}}}""");
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "service_id": "s", "plugin_config_id": "pc", "plugins": {"gamma": {"tag": "route"}}}""");

        serve("/r");

        assertEquals(List.of("alpha:service@rewrite", "beta:plugin_config@rewrite", "gamma:route@rewrite"),
                lastTrace.subList(0, 3));
        Explanation why = engine.explain(HttpRequest.builder().uri("/r").build());
        assertEquals(Origin.ROUTE, why.phases().get(Phase.ACCESS).get(2).origin());
        assertTrue(why.skipped().stream().anyMatch(s -> s.plugin().equals("gamma") && s.origin() == Origin.SERVICE
                && s.reason().equals("overridden by plugin_config pc")), why.skipped().toString());
    }

    @Test
    void aPluginThatRespondsEndsTheChainAndErrorResponseReplacesItsBody() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {"respond": 403,
                  "_meta": {"error_response": {"message": "denied"}}}, "beta": {}}}""");

        HttpResponse response = serve("/r");

        assertEquals(403, response.status());
        assertEquals("{\"message\":\"denied\"}", body(response));
        assertEquals(List.of("alpha@rewrite", "beta@rewrite", "alpha@access", "alpha@header_filter",
                "beta@header_filter", "alpha@log", "beta@log"), lastTrace);
    }

    @Test
    void anAsyncPluginResumesTheChainWhenItsStageCompletes() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {"async": true}, "beta": {"async": true, "respond": 418},
                 "gamma": {}}}""");

        HttpResponse response = serve("/r");

        assertEquals(418, response.status());
        assertEquals(List.of("alpha@access", "beta@access"), lastTrace.subList(3, 5));
        assertFalse(lastTrace.contains("gamma@access"));
    }

    @Test
    void aDisabledPluginIsConfiguredButDoesNotRun() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {"_meta": {"disable": true}}, "beta": {}}}""");

        serve("/r");

        assertFalse(lastTrace.stream().anyMatch(s -> s.startsWith("alpha")), lastTrace.toString());
        assertTrue(engine.explain(HttpRequest.builder().uri("/r").build()).skipped().stream()
                .anyMatch(s -> s.plugin().equals("alpha") && s.reason().contains("disable")));
    }

    @Test
    void onlyARealTrueDisablesAPluginAndExcusesItsConf() {
        // APISIX accepts an invalid conf when the plugin is disabled; 7 is not a disable, it is an error
        ConfigException e = assertThrows(ConfigException.class, () -> engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {"_meta": {"disable": 7}}}}"""));

        assertTrue(e.violations().stream().anyMatch(v -> v.pointer().equals("/plugins/alpha/_meta/disable")),
                e.violations().toString());
        assertTrue(engine.get(ResourceKind.ROUTES, "1").isEmpty());
    }

    @Test
    void aFilterRunsThePluginOnlyForMatchingRequests() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {"_meta": {"filter": [["arg_version", "==", "v2"]]}}}}""");

        serve("/r?version=v2");
        assertTrue(lastTrace.contains("alpha@access"), String.valueOf(lastTrace));

        serve("/r?version=v1");
        assertNull(lastTrace);
    }

    @Test
    void filtersReadTheRouteNameAndTheServiceIdAndName() {
        engine.put(ResourceKind.SERVICES, "s1", """
                {"name": "billing"}""");
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "name": "invoices", "service_id": "s1", "plugins": {"alpha": {"_meta": {"filter":
                 [["route_name", "==", "invoices"], ["service_id", "==", "s1"], ["service_name", "==", "billing"]]}}}}""");
        engine.put(ResourceKind.ROUTES, "2", """
                {"uri": "/other", "plugins": {"alpha": {"_meta": {"filter": [["service_id", "==", "s1"]]}}}}""");

        serve("/r");
        assertTrue(lastTrace != null && lastTrace.contains("alpha@access"), String.valueOf(lastTrace));

        serve("/other");
        assertNull(lastTrace, "a route without a service has no service_id");

        engine.put(ResourceKind.SERVICES, "s1", """
                {"name": "payments"}""");
        serve("/r");
        assertNull(lastTrace, "a renamed service changes service_name on the routes that use it");
    }

    @Test
    void aFilterThatDoesNotCompileIsAValidationError() {
        ConfigException e = assertThrows(ConfigException.class, () -> engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {"_meta": {"filter": [["arg_v", "equals", "v2"]]}}}}"""));

        assertTrue(e.errorMsg().contains("failed to validate the 'vars' expression"), e.errorMsg());
        assertEquals("/plugins/alpha/_meta/filter", e.violations().get(0).pointer());
    }

    @Test
    void anInvalidChangeIsRejectedWithEveryViolationAndTheOldConfigKeepsServing() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {"respond": 201}}}""");
        long version = engine.version();

        ConfigException e = assertThrows(ConfigException.class, () -> engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {"respond": 9999, "tag": 5}, "nosuch": {}}}"""));

        assertEquals(400, e.status());
        assertTrue(e.errorMsg().startsWith("failed to check the configuration of plugin alpha err: "), e.errorMsg());
        List<String> pointers = e.violations().stream().map(Violation::pointer).toList();
        assertTrue(pointers.contains("/plugins/alpha/respond"), pointers.toString());
        assertTrue(pointers.contains("/plugins/alpha/tag"), pointers.toString());
        assertTrue(pointers.contains("/plugins/nosuch"), pointers.toString());
        assertEquals(version, engine.version());
        assertEquals(201, serve("/r").status());
    }

    @Test
    void anUnknownPluginIsRejectedWithASuggestion() {
        ConfigException e = assertThrows(ConfigException.class, () -> engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpah": {}}}"""));

        assertEquals("unknown plugin [alpah]", e.errorMsg());
        assertTrue(e.violations().get(0).message().contains("did you mean [alpha]"));
    }

    @Test
    void aThrowingPluginFailsOnlyItsOwnRequest() {
        engine.put(ResourceKind.ROUTES, "bad", """
                {"uri": "/bad", "plugins": {"alpha": {"fail": true}, "beta": {}}}""");
        engine.put(ResourceKind.ROUTES, "good", """
                {"uri": "/good", "plugins": {"alpha": {}}}""");

        HttpResponse failed = serve("/bad");

        assertEquals(500, failed.status());
        assertFalse(lastTrace.contains("beta@access"));
        assertEquals(200, serve("/good").status());
    }

    record NoConf() {
    }

    @Test
    void aPluginThatCastsItsExchangeToTheHostsCallFailsLoudlyAndOnlyItsRequest() {
        java.util.concurrent.atomic.AtomicReference<Throwable> caught = new java.util.concurrent.atomic.AtomicReference<>();
        io.gatekit.api.Plugin caster = new io.gatekit.api.Plugin() {
            @Override
            public Outcome access(io.gatekit.api.http.Exchange exchange) {
                try {
                    ((Call) exchange).complete(); // what a plugin must not be able to do mid-request
                } catch (ClassCastException e) {
                    caught.set(e);
                    throw e;
                }
                return Outcome.proceed();
            }
        };
        try (Engine own = Engine.builder().plugin(io.gatekit.api.PluginFactory.of("caster", 100,
                "{\"type\": \"object\"}", NoConf.class, (conf, context) -> caster)).build()) {
            own.put(ResourceKind.ROUTES, "1", """
                    {"uri": "/r", "plugins": {"caster": {}}}""");
            Call call = own.newCall(HttpRequest.builder().uri("/r").header("Host", "example.com").build());

            Outcome outcome = call.runRequestPhases();

            assertTrue(caught.get() instanceof ClassCastException, String.valueOf(caught.get()));
            assertFalse(call.exchange() instanceof Call, "the exchange plugins get is not the host's call");
            assertEquals(500, outcome.response().status());
            call.complete();
        }
    }

    @Test
    void aFailOpenPluginThatThrowsLetsTheRequestContinue() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"lenient": {"fail": true}, "gamma": {}}}""");

        assertEquals(200, serve("/r").status());
        assertTrue(lastTrace.contains("lenient@access"));
    }

    @Test
    void aRequestMatchingNoRouteRunsGlobalRulesThenGets404() {
        engine.put(ResourceKind.GLOBAL_RULES, "g", """
                {"plugins": {"alpha": {}}}""");

        HttpResponse response = serve("/nowhere");

        assertEquals(404, response.status());
        assertEquals("{\"error_msg\":\"404 Route Not Found\"}\n", body(response));
        assertEquals(List.of("alpha@rewrite", "alpha@access"), lastTrace.subList(0, 2));
    }

    @Test
    void anInstanceIsClosedWhenItLeavesTheConfigButOnlyAfterItsInFlightRequest() throws Exception {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {"tag": "old"}}}""");
        Call inFlight = engine.newCall(HttpRequest.builder().uri("/r").build());

        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {"tag": "new"}}}""");
        assertEquals(List.of(), TestPlugins.CLOSED);
        await(inFlight.runRequestPhases());
        assertEquals(List.of("alpha:old@rewrite", "alpha:old@access"), inFlight.exchange().attr(TestPlugins.TRACE));
        inFlight.complete();

        assertEquals(List.of("alpha:old"), TestPlugins.CLOSED);
        engine.delete(ResourceKind.ROUTES, "1", false);
        assertEquals(List.of("alpha:old", "alpha:new"), TestPlugins.CLOSED);
    }

    @Test
    void anUnchangedInstanceSurvivesOtherChangesAndIsClosedWithTheEngine() {
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "plugins": {"alpha": {"tag": "one"}}}""");
        engine.put(ResourceKind.ROUTES, "2", """
                {"uri": "/s", "plugins": {"beta": {"tag": "two"}}}""");
        assertEquals(List.of(), TestPlugins.CLOSED);

        engine.close();

        assertEquals(List.of("alpha:one", "beta:two"), TestPlugins.CLOSED.stream().sorted().toList());
    }

    @Test
    void twoPluginsWithTheSameNameAreAnErrorNamingBothClasses() {
        var other = new io.gatekit.api.PluginFactory<TestPlugins.Conf>() {
            public String name() { return "alpha"; }
            public int priority() { return 1; }
            public String configSchema() { return TestPlugins.SCHEMA; }
            public Class<TestPlugins.Conf> configType() { return TestPlugins.Conf.class; }
            public io.gatekit.api.Plugin create(TestPlugins.Conf c, io.gatekit.api.PluginContext x) {
                return new io.gatekit.api.Plugin() { };
            }
        };

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Engine.builder()
                .plugin(new TestPlugins.Tracer("alpha", 1)).plugin(other).build());

        assertTrue(e.getMessage().contains(TestPlugins.Tracer.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains(other.getClass().getName()), e.getMessage());
    }

    @Test
    void deletingAnUpstreamThatARouteUsesIsRefusedUnlessForced() {
        engine.put(ResourceKind.UPSTREAMS, "u", """
                {"nodes": {"127.0.0.1:1980": 1}, "type": "roundrobin"}""");
        engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "upstream_id": "u"}""");

        ConfigException e = assertThrows(ConfigException.class,
                () -> engine.delete(ResourceKind.UPSTREAMS, "u", false));

        assertEquals("can not delete this upstream, route [1] is still using it now", e.errorMsg());
        assertTrue(engine.delete(ResourceKind.UPSTREAMS, "u", true).isPresent());
    }

    @Test
    void aRouteReferringToAMissingUpstreamIsRejected() {
        ConfigException e = assertThrows(ConfigException.class, () -> engine.put(ResourceKind.ROUTES, "1", """
                {"uri": "/r", "upstream_id": "missing"}"""));

        assertEquals("failed to fetch upstream info by upstream id [missing], response code: 404", e.errorMsg());
    }

    @Test
    void storedResourcesCarryIdsTimesAndRevisions() {
        Resource first = engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/r\", \"plugins\": {}}");
        Resource second = engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/s\", \"plugins\": {}}");

        assertEquals(first.createdIndex(), second.createdIndex());
        assertTrue(second.modifiedIndex() > first.modifiedIndex());
        assertTrue(second.json().contains("\"id\":\"1\""), second.json());
        assertTrue(second.json().contains("create_time"), second.json());
        assertEquals("/apisix/routes/1", second.key());
    }

    @Test
    void aTimestampThatIsNotAnIntegerIsRefusedAsApisixRefusesIt() {
        for (String kind : List.of("routes", "upstreams", "global_rules")) {
            ResourceKind resourceKind = ResourceKind.ofPath(kind);
            String body = switch (kind) {
                case "routes" -> "\"uri\": \"/r\", \"plugins\": {}";
                case "upstreams" -> "\"nodes\": {\"127.0.0.1:1980\": 1}";
                default -> "\"plugins\": {}";
            };
            for (String field : List.of("create_time", "update_time")) {
                ConfigException e = assertThrows(ConfigException.class,
                        () -> engine.put(resourceKind, "t", "{" + body + ", \"" + field + "\": \"yesterday\"}"));

                assertEquals("invalid configuration: property \"" + field + "\" validation failed: wrong type:"
                        + " expected integer, got string", e.errorMsg());
                assertEquals("/" + field, e.violations().get(0).pointer());
            }
            // an integer is a timestamp: accepted, and the engine keeps the times itself
            Resource stored = engine.put(resourceKind, "t", "{" + body + ", \"create_time\": 1}");
            assertTrue(stored.json().matches(".*\"create_time\":[0-9]{10}[,}].*"), stored.json());
        }
    }

    @Test
    void aRouteForHostStarMatchesAnyHost() {
        engine.put(ResourceKind.ROUTES, "any", """
                {"uri": "/r", "hosts": ["*"], "plugins": {"alpha": {"respond": 202}}}""");

        assertEquals(202, serve("/r").status());
        Call call = engine.newCall(HttpRequest.builder().uri("/r").header("Host", "other.test:8080").build());
        try {
            assertTrue(call.matched());
        } finally {
            call.complete();
        }
    }

    @Test
    void replaceAllAppliesAStandaloneDocumentOrNothing() {
        engine.replaceAll("""
                {"upstreams": [{"id": "u", "nodes": {"127.0.0.1:1980": 1}}],
                 "routes": [{"id": "1", "uri": "/r", "upstream_id": "u", "plugins": {"alpha": {}}}]}""");
        assertEquals(200, serve("/r").status());

        ConfigException e = assertThrows(ConfigException.class, () -> engine.replaceAll("""
                {"routes": [{"id": "1", "uri": 5}, {"id": "2", "uri": "/s", "plugins": {"nosuch": {}}}]}"""));

        assertEquals(2, e.violations().stream().map(v -> v.pointer().substring(0, 9)).distinct().count(),
                e.violations().toString());
        assertEquals(200, serve("/r").status());
    }

    @Test
    void aLongStandaloneDocumentReportsItsErrorsInDocumentOrderAndAppliesWhenValid() {
        StringBuilder bad = new StringBuilder("{\"upstreams\": [{\"id\": \"u\", \"nodes\": {\"127.0.0.1:1980\": 1}}],"
                + " \"routes\": [");
        for (int r = 0; r < 300; r++) {
            String route = switch (r) {
                case 7 -> "{\"id\": \"7\", \"uri\": 7, \"upstream_id\": \"u\"}";
                case 150 -> "{\"id\": \"150\", \"uri\": \"/r150\", \"upstream_id\": \"u\", \"plugins\": {\"nosuch\": {}}}";
                case 299 -> "{\"id\": \"299\", \"uri\": \"/r299\", \"upstream_id\": \"missing\"}";
                default -> "{\"id\": \"" + r + "\", \"uri\": \"/r" + r + "\", \"upstream_id\": \"u\"}";
            };
            bad.append(r == 0 ? "" : ",").append(route);
        }
        ConfigException e = assertThrows(ConfigException.class, () -> engine.replaceAll(bad.append("]}").toString()));

        List<String> routes = e.violations().stream().map(v -> v.pointer().split("/")[2]).distinct().toList();
        assertEquals(List.of("7", "150", "299"), routes, e.violations().toString());
        assertTrue(e.errorMsg().contains("uri"), e.errorMsg()); // the first error in the document leads

        String good = bad.toString().replace("\"uri\": 7", "\"uri\": \"/r7\"").replace("\"nosuch\": {}", "\"alpha\": {}")
                .replace("\"missing\"", "\"u\"");
        engine.replaceAll(good);
        assertEquals(200, serve("/r7").status());
        assertEquals(200, serve("/r150").status());
        assertEquals(200, serve("/r299").status());
    }

    @Test
    void anUnchangedUpstreamIsTheSameObjectAcrossOtherChangesAndANewOneOnceItChanges() {
        engine.put(ResourceKind.UPSTREAMS, "u", "{\"nodes\": {\"127.0.0.1:1980\": 1}}");
        engine.put(ResourceKind.ROUTES, "1", "{\"uri\": \"/r\", \"upstream_id\": \"u\"}");
        Upstream before = resolved("/r");

        engine.put(ResourceKind.ROUTES, "2", "{\"uri\": \"/s\", \"upstream_id\": \"u\"}");
        assertTrue(before == resolved("/r"));
        assertTrue(before == resolved("/s"));

        engine.put(ResourceKind.UPSTREAMS, "u", "{\"nodes\": {\"127.0.0.1:1981\": 1}}");
        assertEquals(1981, resolved("/r").nodes().get(0).port());
    }

    private Upstream resolved(String uri) {
        Call call = engine.newCall(HttpRequest.builder().uri(uri).build());
        call.complete();
        return call.resolvedUpstream();
    }
}
