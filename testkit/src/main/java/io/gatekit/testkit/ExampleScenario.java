package io.gatekit.testkit;

import static java.util.Objects.requireNonNull;

import io.gatekit.api.Nullable;
import io.gatekit.api.Phase;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.HttpHeaders;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.ResourceKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One example's life in an engine, for {@link PluginConformance}: whether it was accepted, how many
 * instances it made, and what went wrong in its phases, its create/close cycles and its threads.
 */
final class ExampleScenario {

    private static final int MAX_RUNS = 3;

    @Nullable String rejection;
    @Nullable RuntimeException failure;
    int instances;
    final List<String> phaseProblems = new ArrayList<>();
    final List<String> lifecycleProblems = new ArrayList<>();
    final List<String> leftoverThreads = new ArrayList<>();

    /** This scenario, if it got as far as running the plugin. */
    ExampleScenario runnable() {
        if (failure != null) {
            throw failure;
        }
        if (rejection != null) {
            throw new AssertionError("the example was rejected, so this could not be checked: " + rejection);
        }
        return this;
    }

    /** The probes the engine got, in creation order. */
    private static final class Probes implements WrappedFactory.Hooks {
        final List<ProbePlugin> created = new CopyOnWriteArrayList<>();

        @Override
        public PluginContext context(PluginContext engineContext) {
            return engineContext;
        }

        @Override
        public Plugin instance(Plugin plugin, PluginContext context) {
            ProbePlugin probe = new ProbePlugin(plugin);
            created.add(probe);
            return probe;
        }

        /** Traces only the phases the plugin implements, not every phase the probe stands in for. */
        @Override
        public boolean traced(String plugin, Phase phase) {
            return created.stream().anyMatch(p -> p.implemented().contains(phase));
        }
    }

    /**
     * Runs {@code plugins} (the route's {@code plugins} object with one example) in a harness:
     * requests, then two rounds of delete and re-apply, then a look for threads left running.
     */
    static ExampleScenario run(PluginFactory<?> factory, String plugins, Duration timeout, Duration phaseBound,
            Supplier<HttpRequest> request) {
        ExampleScenario s = new ExampleScenario();
        Set<Thread> before = ThreadWatch.live();
        Probes probes = new Probes();
        try {
            try (PluginHarness harness = PluginHarness.builder().plugin(factory)
                    .hooks(probes, new RecordingHttpClient()).build()) {
                harness.timeout(timeout).upstreamResponds(HttpResponse.of(200,
                        HttpHeaders.of("content-type", "application/json"), "{\"ok\":true}".getBytes(StandardCharsets.UTF_8)));
                try {
                    harness.route(plugins);
                } catch (ConfigException e) {
                    s.rejection = e.errorMsg() + " (violations: " + e.violations() + ")";
                    return s;
                }
                s.instances = probes.created.size();
                exercise(harness, probes, s, phaseBound, request);
                lifecycle(harness, plugins, probes, s);
            }
            int closed = probes.created.stream().mapToInt(ProbePlugin::closes).sum();
            if (closed != probes.created.size()) {
                s.lifecycleProblems.add("the engine closed " + probes.created.size() + " instance(s) with " + closed
                        + " close() calls (expected: exactly one each)");
            }
            s.leftoverThreads.addAll(ThreadWatch.leftover(before, factory.name(), timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.failure = new IllegalStateException("interrupted", e);
        } catch (RuntimeException e) {
            s.failure = e;
        }
        return s;
    }

    private static void exercise(PluginHarness harness, Probes probes, ExampleScenario s, Duration phaseBound,
            Supplier<HttpRequest> request) {
        for (int run = 0; run < MAX_RUNS; run++) {
            try {
                harness.request(requireNonNull(request.get(), "request supplier returned null"));
            } catch (AssertionError e) {
                s.phaseProblems.add(e.getMessage());
                return;
            }
            if (slowPhases(probes, phaseBound).isEmpty()) {
                return;
            }
        }
        slowPhases(probes, phaseBound).forEach((phase, calls) -> s.phaseProblems.add(phase.apisixName()
                + " blocked the calling thread: " + calls.size() + " call(s) took "
                + calls.stream().map(n -> n / 1_000_000 + " ms").collect(Collectors.joining(", "))
                + " (bound: " + phaseBound.toMillis() + " ms). " + advice(phase)));
    }

    /** Phases none of whose calls returned within the bound. */
    private static Map<Phase, List<Long>> slowPhases(Probes probes, Duration phaseBound) {
        Map<Phase, List<Long>> all = new EnumMap<>(Phase.class);
        for (ProbePlugin probe : probes.created) {
            probe.calls().forEach((phase, calls) -> all.computeIfAbsent(phase, p -> new ArrayList<>()).addAll(calls));
        }
        all.values().removeIf(calls -> calls.stream().anyMatch(n -> n <= phaseBound.toNanos()));
        return all;
    }

    private static String advice(Phase phase) {
        return switch (phase) {
            case REWRITE, ACCESS, BEFORE_PROXY -> "Return Outcome.async(stage) for work that waits.";
            case HEADER_FILTER -> "Return Completion.after(stage) for work that waits.";
            default -> "Hand slow work to context.scheduler() instead of doing it on the request thread.";
        };
    }

    private static void lifecycle(PluginHarness harness, String plugins, Probes probes, ExampleScenario s) {
        for (int cycle = 1; cycle <= 2; cycle++) {
            List<ProbePlugin> live = List.copyOf(probes.created.subList(probes.created.size() - s.instances,
                    probes.created.size()));
            harness.engine().delete(ResourceKind.ROUTES, PluginHarness.ROUTE_ID, false);
            for (ProbePlugin probe : live) {
                if (probe.closes() != 1) {
                    s.lifecycleProblems.add("after the route was deleted, close() was called " + probe.closes()
                            + " time(s) (expected: exactly once)");
                }
                for (Throwable error : probe.closeErrors()) {
                    s.lifecycleProblems.add("close() threw " + error + " (expected: close releases what it holds and"
                            + " never throws; the engine can only log it)");
                }
                try {
                    probe.delegate().close();
                } catch (Throwable e) {
                    s.lifecycleProblems.add("a second close() threw " + e + " (expected: close is idempotent)");
                }
            }
            if (cycle == 2) {
                return;
            }
            int before = probes.created.size();
            try {
                harness.route(plugins);
            } catch (ConfigException e) {
                s.lifecycleProblems.add("the example was rejected when applied a second time: " + e.errorMsg());
                return;
            }
            if (probes.created.size() == before) {
                s.lifecycleProblems.add("applying the example again created no new instance (expected: a fresh one)");
                return;
            }
            s.instances = probes.created.size() - before;
        }
    }
}
