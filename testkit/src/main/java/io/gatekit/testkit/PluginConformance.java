package io.gatekit.testkit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatekit.api.Arguments;
import io.gatekit.api.Nullable;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.engine.ConfigException;
import io.gatekit.engine.Engine;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Violation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

/**
 * The contract every plugin should keep, checked in one line. For each accepted example it checks
 * that the engine takes it and creates an instance; that phase methods return within a bound
 * (they must not block the host's thread) and async stages complete; that {@code close()} is
 * called once when the config goes, does not throw and may be called again; and that no thread of
 * the plugin is left running. For each bad config it checks the rejection is stable across runs
 * and points into the plugin's config. It also feeds each field of the first example a value of
 * the wrong type, which the schema itself must reject (a schema that accepts garbage defers the
 * error to binding, with a worse message, or to a request).
 *
 * <p>As one assertion:
 *
 * <pre>{@code
 * @Test
 * void keepsThePluginContract() {
 *     PluginConformance.check(new HeaderStampFactory(), """
 *             {"name": "x-stamp", "value": "v"}""");
 * }
 * }</pre>
 *
 * <p>Or as one JUnit test per check, named after it:
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> keepsThePluginContract() {
 *     return PluginConformance.of(new HeaderStampFactory())
 *             .accepts("""
 *                     {"name": "x-stamp", "value": "v"}""")
 *             .rejects("""
 *                     {"name": "x stamp", "value": "v"}""", "/name")
 *             .discoverable()
 *             .tests();
 * }
 * }</pre>
 *
 * <p>Checks are independent: each builds its own engine. Thread checks look at the whole JVM, so
 * do not run them in parallel with tests that start threads.
 */
public final class PluginConformance {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICES = "META-INF/services/" + PluginFactory.class.getName();

    /** A config to reject; {@code hint} says what to fix when it is not rejected as expected. */
    private record Bad(String config, @Nullable String pointer, @Nullable String hint) {
    }

    private final PluginFactory<?> factory;
    private final List<String> accepted = new ArrayList<>();
    private final List<Bad> rejected = new ArrayList<>();
    private Duration phaseBound = Duration.ofMillis(50);
    private Duration timeout = Duration.ofSeconds(5);
    private Supplier<HttpRequest> request = PluginConformance::defaultRequest;
    private boolean generatedRejections = true;
    private boolean discoverable;

    private PluginConformance(PluginFactory<?> factory) {
        this.factory = factory;
    }

    /** The checks for {@code factory}; add examples, then call {@link #tests()} or {@link #check()}. */
    public static PluginConformance of(PluginFactory<?> factory) {
        return new PluginConformance(requireNonNull(factory, "factory"));
    }

    /**
     * Runs every check for {@code factory} with {@code examples} as accepted configs.
     *
     * @throws AssertionError listing every check that failed, each with its reason
     */
    public static void check(PluginFactory<?> factory, String... examples) {
        of(factory).accepts(examples).check();
    }

    /** Configs the plugin documents: each must be accepted. Without any, {@code {}} is tried. */
    public PluginConformance accepts(String... configs) {
        for (String config : configs) {
            accepted.add(requireNonNull(config, "config"));
        }
        return this;
    }

    /** A config the plugin must reject, anywhere in its config. */
    public PluginConformance rejects(String config) {
        rejected.add(new Bad(requireNonNull(config, "config"), null, null));
        return this;
    }

    /**
     * A config the plugin must reject with a violation at {@code pointer}, a JSON Pointer into the
     * plugin's config: {@code /name}, or {@code ""} for the config object itself.
     */
    public PluginConformance rejects(String config, String pointer) {
        requireNonNull(pointer, "pointer");
        if (!pointer.isEmpty() && !pointer.startsWith("/")) {
            throw Arguments.invalid("pointer", "\"" + pointer + "\"", "\"\" or starting with /");
        }
        rejected.add(new Bad(requireNonNull(config, "config"), pointer, null));
        return this;
    }

    /**
     * How long one phase method call may take before it counts as blocking. Default: 50 ms. A phase
     * fails only if every call of it (up to three requests) took longer, so one GC pause or a cold
     * first call does not fail it, while a plugin that blocks on I/O does.
     */
    public PluginConformance phaseBound(Duration bound) {
        this.phaseBound = positive(bound, "bound");
        return this;
    }

    /** How long to wait for async stages, and for threads to end after close. Default: 5 s. */
    public PluginConformance timeout(Duration timeout) {
        this.timeout = positive(timeout, "timeout");
        return this;
    }

    /**
     * The requests the phases are exercised with (a new one per run); the default is a
     * {@code POST /conformance?probe=1} with a small JSON body. Supply one your plugin lets through
     * to reach the later phases (a valid key for an auth plugin, say).
     */
    public PluginConformance request(Supplier<HttpRequest> request) {
        this.request = requireNonNull(request, "request");
        return this;
    }

    /**
     * Whether to feed each field of the first example a value of the wrong type (default: on).
     * Turn it off only for a plugin whose fields really take any JSON value.
     */
    public PluginConformance generatedRejections(boolean enabled) {
        this.generatedRejections = enabled;
        return this;
    }

    /** Also checks that {@link ServiceLoader} finds the factory: {@code META-INF/services} lists it. */
    public PluginConformance discoverable() {
        this.discoverable = true;
        return this;
    }

    /** The checks as dynamic tests, one per check, named as sentences; for {@code @TestFactory}. */
    public Stream<DynamicTest> tests() {
        return checks().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), e.getValue()));
    }

    /**
     * Runs every check.
     *
     * @throws AssertionError listing every check that failed, each with its reason
     */
    public void check() {
        Map<String, Executable> checks = checks();
        List<String> failures = new ArrayList<>();
        checks.forEach((name, check) -> {
            try {
                check.execute();
            } catch (Throwable e) {
                failures.add("- " + name + ": " + (e instanceof AssertionError ? e.getMessage() : e.toString()));
            }
        });
        if (!failures.isEmpty()) {
            throw new AssertionError("plugin [" + factory.name() + "] fails " + failures.size() + " of "
                    + checks.size() + " conformance checks:\n" + String.join("\n", failures));
        }
    }

    // ---- the checks ----

    private Map<String, Executable> checks() {
        Map<String, Executable> checks = new java.util.LinkedHashMap<>();
        List<String> examples = accepted.isEmpty() ? List.of("{}") : List.copyOf(accepted);
        for (int i = 0; i < examples.size(); i++) {
            String example = examples.get(i);
            String label = "example " + (i + 1);
            Lazy scenario = new Lazy(() -> ExampleScenario.run(factory, pluginsJson(example), timeout, phaseBound,
                    request));
            checks.put("accepts " + label + ": " + shorten(example), () -> acceptance(scenario.get(), example));
            checks.put(label + ": phase methods return within " + phaseBound.toMillis() + " ms and async stages complete",
                    () -> failIfAny(scenario.get().runnable().phaseProblems));
            checks.put(label + ": create and close are safe and repeatable",
                    () -> failIfAny(scenario.get().runnable().lifecycleProblems));
            checks.put(label + ": nothing keeps running after close",
                    () -> leftoverThreads(scenario.get().runnable()));
        }
        for (int i = 0; i < rejected.size(); i++) {
            Bad bad = rejected.get(i);
            checks.put("rejects bad config " + (i + 1) + (bad.pointer() == null ? "" : " at " + pointerText(bad.pointer()))
                    + " with stable messages: " + shorten(bad.config()), () -> rejection(bad));
        }
        if (generatedRejections) {
            wrongTypeProbes(examples.get(0)).forEach((name, probe) -> checks.put(name, () -> rejection(probe)));
        }
        if (discoverable) {
            checks.put("is listed in " + SERVICES, this::discovery);
        }
        return checks;
    }

    private void acceptance(ExampleScenario s, String example) {
        if (s.failure != null) {
            throw s.failure;
        }
        if (s.rejection != null) {
            throw new AssertionError("example " + shorten(example) + " was rejected: " + s.rejection
                    + (accepted.isEmpty() ? " (pass the plugin's documented examples with accepts(...))" : ""));
        }
        if (s.instances == 0) {
            throw new AssertionError("the example was accepted but no instance was created");
        }
    }

    private void leftoverThreads(ExampleScenario s) {
        if (!s.leftoverThreads.isEmpty()) {
            throw new AssertionError("plugin [" + factory.name() + "] left " + s.leftoverThreads.size()
                    + " thread(s) running after close: " + String.join(", ", s.leftoverThreads)
                    + ". Stop them in close(), or use context.scheduler(), which the engine shuts down.");
        }
    }

    /** Fails with each distinct problem once (both create/close cycles may report the same one). */
    private static void failIfAny(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("\n", new java.util.LinkedHashSet<>(problems)));
        }
    }

    private void rejection(Bad bad) {
        try {
            checkRejection(bad);
        } catch (AssertionError e) {
            throw bad.hint() == null ? e : new AssertionError(e.getMessage() + ". " + bad.hint(), e);
        }
    }

    private void checkRejection(Bad bad) {
        String route = routeJson(bad.config());
        List<Violation> first = validate(route);
        List<Violation> second = validate(route);
        String prefix = "/plugins/" + escape(factory.name());
        if (first.isEmpty()) {
            throw new AssertionError("the schema accepted a config it should reject: " + bad.config());
        }
        if (!first.equals(second)) {
            throw new AssertionError("the rejection differs between two runs (expected: the same violations):\n"
                    + "  first:  " + first + "\n  second: " + second);
        }
        for (Violation v : first) {
            if (!v.pointer().equals(prefix) && !v.pointer().startsWith(prefix + "/")) {
                throw new AssertionError("violation " + v + " does not point into the plugin's config (expected: "
                        + "a JSON pointer under " + prefix + ")");
            }
        }
        if (bad.pointer() != null && first.stream().noneMatch(v -> v.pointer().equals(prefix + bad.pointer()))) {
            throw new AssertionError("expected a violation at " + pointerText(bad.pointer()) + ", got: "
                    + first.stream().map(v -> v.pointer().substring(prefix.length()) + " " + v.message())
                            .map(s -> s.startsWith(" ") ? "(config)" + s : s).collect(Collectors.joining("; ")));
        }
    }

    /** Looks where {@code Engine.Builder.discoverPlugins()} looks: the thread's context class loader. */
    @SuppressWarnings("rawtypes") // ServiceLoader of a generic service type
    private void discovery() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader loader = context != null ? context : factory.getClass().getClassLoader();
        boolean found = ServiceLoader.load(PluginFactory.class, loader).stream()
                .anyMatch(provider -> provider.type() == factory.getClass());
        if (!found) {
            throw new AssertionError(factory.getClass().getName() + " is not found by ServiceLoader (expected: a line "
                    + "with its class name in " + SERVICES + ", and a public no-argument constructor)");
        }
    }

    // ---- one example, end to end ----

    /** Memoizes a scenario so the checks of one example share one run. */
    private static final class Lazy {
        private final Supplier<ExampleScenario> supplier;
        private @Nullable ExampleScenario value;

        Lazy(Supplier<ExampleScenario> supplier) {
            this.supplier = supplier;
        }

        synchronized ExampleScenario get() {
            if (value == null) {
                value = supplier.get();
            }
            return value;
        }
    }

    // ---- wrong-type probes ----

    private Map<String, Bad> wrongTypeProbes(String example) {
        Map<String, Bad> probes = new java.util.LinkedHashMap<>();
        JsonNode parsed;
        try {
            parsed = JSON.readTree(example);
        } catch (Exception e) {
            return probes; // the acceptance check reports the example itself
        }
        if (parsed == null || !parsed.isObject()) {
            return probes;
        }
        Iterator<String> fields = parsed.fieldNames();
        while (fields.hasNext()) {
            String field = fields.next();
            if (field.equals("_meta")) {
                continue;
            }
            JsonNode value = parsed.get(field);
            ObjectNode bad = ((ObjectNode) parsed).deepCopy();
            JsonNode garbage = value.isObject() ? JsonNodeFactory.instance.textNode("garbage")
                    : JsonNodeFactory.instance.objectNode().put("garbage", true);
            bad.set(field, garbage);
            String pointer = "/" + escape(field);
            probes.put("rejects example 1 with " + pointer + " set to " + (value.isObject() ? "a string" : "an object")
                    + " (the schema must declare its type)", new Bad(bad.toString(), pointer,
                    "Declare the type of " + pointer + " in configSchema(): a schema that lets any value through leaves"
                    + " the error to binding, with a worse message and no pointer, or to a request"));
        }
        return probes;
    }

    // ---- helpers ----

    private List<Violation> validate(String route) {
        try (Engine engine = Engine.builder().plugin(factory).httpClient(new RecordingHttpClient()).build()) {
            return engine.validate(ResourceKind.ROUTES, route);
        } catch (ConfigException e) {
            return e.violations(); // not even JSON
        }
    }

    private String pluginsJson(String config) {
        try {
            return "{" + JSON.writeValueAsString(factory.name()) + ": " + config + "}";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String routeJson(String config) {
        return "{\"uri\": \"/*\", \"plugins\": " + pluginsJson(config) + "}";
    }

    private static HttpRequest defaultRequest() {
        return HttpRequest.builder()
                .method("POST")
                .uri("/conformance?probe=1")
                .header("Host", "example.com")
                .header("User-Agent", "gatekit-conformance")
                .header("Content-Type", "application/json")
                .body("{\"probe\":true}".getBytes(StandardCharsets.UTF_8))
                .build();
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String pointerText(String pointer) {
        return pointer.isEmpty() ? "the config itself" : pointer;
    }

    private static String shorten(String json) {
        String flat = json.replaceAll("\\s+", " ").trim();
        return flat.length() <= 80 ? flat : flat.substring(0, 77) + "...";
    }

    private static Duration positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw Arguments.invalid(name, d, "> 0");
        }
        return d;
    }
}
