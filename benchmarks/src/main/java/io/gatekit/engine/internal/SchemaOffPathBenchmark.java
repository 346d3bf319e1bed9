package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Completion;
import io.gatekit.api.EngineListener;
import io.gatekit.api.Outcome;
import io.gatekit.api.Plugin;
import io.gatekit.api.PluginContext;
import io.gatekit.api.PluginFactory;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.http.HttpRequest;
import io.gatekit.api.http.HttpResponse;
import io.gatekit.engine.MetricsRegistry;
import io.gatekit.engine.ResourceKind;
import io.gatekit.engine.Engine;
import io.gatekit.engine.internal.host.HostSupport;
import io.gatekit.engine.internal.schema.CompiledSchema;
import io.gatekit.engine.internal.schema.EveritSchemaValidator;
import io.gatekit.engine.internal.schema.MetaSchema;
import io.gatekit.engine.internal.schema.ResourceSchemas;
import io.gatekit.engine.internal.schema.SchemaResult;
import io.gatekit.engine.internal.schema.SchemaValidator;
import io.gatekit.engine.internal.upstream.UpstreamPolicy;
import io.gatekit.engine.Violation;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Proof that JSON Schema validation stays off the request path (DESIGN: "the chain for each route
 * and phase is precomputed when config is applied, never per request"), two ways at once:
 * <ol>
 *   <li><b>Counted.</b> The engine is assembled here from its own parts exactly as
 *       {@link EngineCore} assembles it (registry, plugin confs, resource validator, snapshot
 *       builder, {@link DefaultCall}), except that the {@link SchemaValidator} is wrapped in one
 *       that counts every validation of every schema it compiled. Applying 1,024 routes must
 *       count validations (so the counter is live); every request then checks that the count has
 *       not moved, and throws if it has.</li>
 *   <li><b>Timed.</b> The same requests on routes whose plugin has a {@code TRIVIAL} schema, and on
 *       routes whose plugin has a {@code HEAVY} one (60 patterned properties, nested objects,
 *       {@code anyOf}, {@code uniqueItems}). {@code validateConf} shows what one validation of that
 *       plugin's conf costs; {@code request} costs the same for both schemas and far less than one
 *       validation of the heavy one.</li>
 * </ol>
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar SchemaOffPathBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class SchemaOffPathBenchmark {

    private static final CallEnvironment CALLS = new CallEnvironment(new HostSupport(
            new UpstreamPolicy(UpstreamPolicy.DEFAULT_TIMEOUTS), Engine.DEFAULT_BODY_BUFFER_LIMIT), EngineListener.NONE);

    private static final int ROUTES = 1024;
    private static final int MASK = ROUTES - 1;
    private static final int HEAVY_PROPERTIES = 60;

    /** How demanding the plugin's config schema is. */
    public enum Schema { TRIVIAL, HEAVY }

    @Param({"TRIVIAL", "HEAVY"})
    public Schema schema;

    private final CountingValidator counting = new CountingValidator(new EveritSchemaValidator());
    private Snapshot snapshot;
    private SnapshotBuilder.Built built;
    private HttpRequest[] requests;
    private String[] routeIds;
    private long validationsAfterApply;
    private CompiledSchema pluginSchema;
    private JsonNode conf;
    private final HttpResponse response = HttpResponse.of(200);
    private int i;

    @Setup(Level.Trial)
    public void apply() throws Exception {
        PluginRegistry registry = PluginRegistry.of(List.of(new SchemaPluginFactory(schema)), counting);
        PluginConfs confs = new PluginConfs(registry, request -> {
            throw new IllegalStateException("no outbound call here");
        }, new MetricsRegistry(), Map.of());
        ResourceValidator validator = new ResourceValidator(confs, new ResourceSchemas(counting));
        conf = ConfigBinder.mapper().readTree(conf(schema));
        Map<String, JsonNode> routes = new LinkedHashMap<>();
        requests = new HttpRequest[ROUTES];
        routeIds = new String[ROUTES];
        for (int r = 0; r < ROUTES; r++) {
            String id = "r" + r;
            JsonNode route = ConfigBinder.mapper().readTree("{\"id\": \"" + id + "\", \"uri\": \"/r/" + r + "\","
                    + " \"upstream\": {\"nodes\": {\"127.0.0.1:1980\": 1}},"
                    + " \"plugins\": {\"schema-probe\": " + conf + "}}");
            validator.check(ResourceKind.ROUTES, id, route, ConfigState.empty());
            routes.put(id, route);
            requests[r] = HttpRequest.builder().uri("/r/" + r).header("Host", "example.com").build();
            routeIds[r] = new String(id.toCharArray());
        }
        Map<ResourceKind, Map<String, JsonNode>> all = new EnumMap<>(ResourceKind.class);
        all.put(ResourceKind.ROUTES, routes);
        built = new SnapshotBuilder(confs, ConfigState.empty().replaceAll(all), null, new HashMap<>(), Map.of())
                .build(1);
        snapshot = built.snapshot();
        validationsAfterApply = counting.validations;
        // each route: its own schema, and its plugin's conf
        if (validationsAfterApply < 2L * ROUTES) {
            throw new IllegalStateException("applying " + ROUTES + " routes counted only " + validationsAfterApply
                    + " validations: the counter does not see the engine's validations");
        }
        // compiled as the registry compiles it, but outside the counter, which watches requests only
        pluginSchema = new EveritSchemaValidator().compile(MetaSchema.inject("schema-probe", schemaOf(schema)));
    }

    @TearDown(Level.Trial)
    public void noValidationPerRequest() {
        snapshot.retire();
        built.seen().values().forEach(PluginInstance::close);
        if (counting.validations != validationsAfterApply) {
            throw new IllegalStateException((counting.validations - validationsAfterApply)
                    + " schema validations happened on the request path");
        }
    }

    /** One request, as {@link EngineCore#newCall} and a host run it; no validation may be counted. */
    @Benchmark
    public int request() {
        int r = i++ & MASK;
        snapshot.acquire();
        try {
            DefaultCall call = new DefaultCall(snapshot, CALLS, requests[r]).route();
            if (!routeIds[r].equals(call.routeId())) {
                throw new IllegalStateException(requests[r] + " matched " + call.routeId());
            }
            Outcome outcome = call.runRequestPhases();
            if (outcome.proceeds()) {
                outcome = call.beforeProxy();
            }
            if (!outcome.proceeds()) {
                throw new IllegalStateException("expected proceed, got " + outcome);
            }
            Completion done = call.upstreamResponse(response);
            if (!done.isDone()) {
                throw new IllegalStateException("header_filter completed asynchronously");
            }
            call.complete();
            if (counting.validations != validationsAfterApply) {
                throw new IllegalStateException("a request validated a schema");
            }
            return call.response().status();
        } finally {
            snapshot.release();
        }
    }

    /** What one validation of the route's plugin conf costs: what a request would pay if it validated. */
    @Benchmark
    public JsonNode validateConf() {
        SchemaResult result = pluginSchema.validateAndApplyDefaults(conf);
        if (!result.valid()) {
            throw new IllegalStateException("conf rejected: " + result.violations());
        }
        return result.document();
    }

    // ---------------------------------------------------------------- schemas

    static String schemaOf(Schema schema) {
        if (schema == Schema.TRIVIAL) {
            return "{\"type\": \"object\"}";
        }
        StringBuilder s = new StringBuilder("{\"type\": \"object\", \"properties\": {");
        for (int p = 0; p < HEAVY_PROPERTIES; p++) {
            s.append("\"field").append(p).append("\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 64,"
                    + " \"pattern\": \"^[a-z][a-z0-9-]*(\\\\.[a-z0-9-]+)*$\"},");
        }
        s.append("\"rules\": {\"type\": \"array\", \"uniqueItems\": true, \"minItems\": 1, \"items\": {"
                + "\"type\": \"object\", \"required\": [\"match\", \"weight\"], \"properties\": {"
                + "\"match\": {\"anyOf\": [{\"type\": \"string\", \"pattern\": \"^/[^?]*$\"},"
                + " {\"type\": \"array\", \"items\": {\"type\": \"string\", \"enum\": [\"GET\", \"POST\", \"PUT\"]}}]},"
                + "\"weight\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 100}}}}");
        return s.append("}, \"required\": [\"field0\", \"rules\"]}").toString();
    }

    static String conf(Schema schema) {
        if (schema == Schema.TRIVIAL) {
            return "{\"field0\": \"a\"}";
        }
        StringBuilder s = new StringBuilder("{");
        for (int p = 0; p < HEAVY_PROPERTIES; p++) {
            s.append("\"field").append(p).append("\": \"value-").append(p).append(".example.domain\",");
        }
        s.append("\"rules\": [");
        for (int k = 0; k < 20; k++) {
            s.append(k == 0 ? "" : ",").append("{\"match\": ").append(k % 2 == 0 ? "\"/path/" + k + "\""
                    : "[\"GET\", \"POST\"]").append(", \"weight\": ").append(k).append('}');
        }
        return s.append("]}").toString();
    }

    /** A plugin with the chosen schema and no-op phases. */
    static final class SchemaPluginFactory implements PluginFactory<Map<String, Object>> {
        private final Schema schema;

        SchemaPluginFactory(Schema schema) {
            this.schema = schema;
        }

        @Override
        public String name() {
            return "schema-probe";
        }

        @Override
        public int priority() {
            return 1000;
        }

        @Override
        public String configSchema() {
            return schemaOf(schema);
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Class<Map<String, Object>> configType() {
            return (Class) Map.class;
        }

        @Override
        public Plugin create(Map<String, Object> config, PluginContext context) {
            return new Plugin() {
                @Override
                public Outcome rewrite(Exchange exchange) {
                    return Outcome.proceed();
                }

                @Override
                public Outcome access(Exchange exchange) {
                    return Outcome.proceed();
                }
            };
        }
    }

    /** Counts every validation by every schema it compiled; single-threaded use only. */
    static final class CountingValidator implements SchemaValidator {
        private final SchemaValidator delegate;
        long validations;

        CountingValidator(SchemaValidator delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompiledSchema compile(String schemaJson) {
            CompiledSchema compiled = delegate.compile(schemaJson);
            return new CompiledSchema() {
                @Override
                public List<Violation> validate(JsonNode document) {
                    validations++;
                    return compiled.validate(document);
                }

                @Override
                public SchemaResult validateAndApplyDefaults(JsonNode document) {
                    validations++;
                    return compiled.validateAndApplyDefaults(document);
                }
            };
        }
    }
}
